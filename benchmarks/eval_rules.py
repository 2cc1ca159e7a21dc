"""Score every screening rule against the generator's truth (a script, not a test).

    python benchmarks/eval_rules.py [--households 1500] [--seed 11] [--forms mixed|csv|xlsx] [--quarter 2026Q3] [--dir DIR] [--policy FILE]

Generates a fresh county (or reads ``--dir``), runs the whole pipeline without Prefect, maps each
case's person to the true person (through the source rows it was built from), and prints
precision and recall per rule code against ``truth/cases.csv``, the near misses that fired, the
false merges (a person_key whose source rows belong to two true persons), and a few examples of every extra and missed case so they can be understood.  ``truth/cases.csv`` is
the full rule truth of sample_data/truth_rules.py; with ``--policy`` the pipeline runs under that
policy and the truth is recomputed under it (truth_rules.compute_cases).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.policy import load_policy  # noqa: E402
from pipeline.run import run_quarter  # noqa: E402


def rows_with_truth(con: duckdb.DuckDBPyConnection, truth: pl.DataFrame, quarter: str) -> pl.DataFrame:
    """The quarter's source rows (person_key, name, provenance) beside their true person_uid."""
    rows = con.sql(
        "SELECT person_key, name, file_name, sheet_name, row_number FROM source_records WHERE quarter = ?", params=[quarter]
    ).pl()
    return rows.join(truth, on=["file_name", "sheet_name", "row_number"])


def person_uids(con: duckdb.DuckDBPyConnection, truth: pl.DataFrame, quarter: str) -> pl.DataFrame:
    """person_key -> the true person_uid most of its source rows belong to."""
    return (
        rows_with_truth(con, truth, quarter)
        .group_by("person_key", "person_uid")
        .len()
        .sort("len", descending=True)
        .unique("person_key", keep="first")
        .select("person_key", "person_uid")
    )


def false_merges(con: duckdb.DuckDBPyConnection, truth: pl.DataFrame, quarter: str) -> pl.DataFrame:
    """person_key, person_uids, names: every person_key whose source rows belong to two or more true persons."""
    return (
        rows_with_truth(con, truth, quarter)
        .group_by("person_key")
        .agg(pl.col("person_uid").unique().sort().alias("person_uids"), pl.col("name").unique().sort().alias("names"))
        .filter(pl.col("person_uids").list.len() > 1)
        .sort("person_key")
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--forms", choices=("mixed", "csv", "xlsx"), default="mixed")
    ap.add_argument("--quarter", default="2026Q3")
    ap.add_argument("--dir", type=Path, help="an already generated county (skips generation)")
    ap.add_argument("--examples", type=int, default=3)
    ap.add_argument("--policy", type=Path, help="policy TOML for the run and the truth (default: the shipped default)")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="doudi_eval_rules_"))
    county = args.dir
    if county is None:
        county = work / "county"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "sample_data.generate", "--households", str(args.households), "--seed", str(args.seed), "--out", str(county),
             "--forms", args.forms],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        print(f"generated {args.households} households (seed {args.seed}, forms {args.forms}) in {time.perf_counter() - started:.1f}s")
    db = work / "eval.duckdb"
    quarters = sorted(p.name for p in county.iterdir() if p.is_dir() and p.name[:4].isdigit())
    for q in quarters:  # earlier quarters first, so 新增/延续 are real
        if q <= args.quarter:
            started = time.perf_counter()
            run_quarter(county / q, q, load_policy(args.policy), db)
            print(f"ran {q} in {time.perf_counter() - started:.1f}s")

    truth_dir = county / "truth"
    records = pl.read_csv(truth_dir / "records.csv", infer_schema_length=0).filter(pl.col("quarter") == args.quarter)
    records = records.select(
        "file_name", pl.col("sheet_name").fill_null(""), pl.col("row_number").cast(pl.Int64), "person_uid"
    )
    if args.policy is not None:
        from sample_data.truth_rules import compute_cases

        truth = compute_cases(county, args.policy).with_columns(pl.col("person_uid").cast(pl.Utf8)).filter(pl.col("quarter") == args.quarter)
    else:
        truth = pl.read_csv(truth_dir / "cases.csv", infer_schema_length=0).filter(pl.col("quarter") == args.quarter)
    truth = truth.select("rule_code", "person_uid").unique()
    near = pl.read_csv(truth_dir / "near_misses.csv", infer_schema_length=0).filter(pl.col("quarter") == args.quarter)

    with duckdb.connect(str(db), read_only=True) as con:
        uids = person_uids(con, records, args.quarter)
        merged = false_merges(con, records, args.quarter)
        cases = con.sql(
            "SELECT rule_code, person_key, name, township, detail, evidence FROM cases WHERE quarter = ?", params=[args.quarter]
        ).pl()
    cases = cases.join(uids, on="person_key", how="left")
    found = cases.select("rule_code", "person_uid").unique()

    codes = sorted(set(truth["rule_code"]) | set(found["rule_code"]), key=lambda c: (c[0], [int(x) for x in c[1:].replace("-", " ").split()]))
    hit = found.join(truth, on=["rule_code", "person_uid"])
    print(f"\n{'rule':6} {'truth':>6} {'found':>6} {'hit':>5} {'precision':>9} {'recall':>7} {'near-miss fired':>16}")
    worst = 1.0
    for code in codes:
        t = truth.filter(pl.col("rule_code") == code).height
        f = found.filter(pl.col("rule_code") == code).height
        h = hit.filter(pl.col("rule_code") == code).height
        p = h / f if f else float("nan")
        r = h / t if t else float("nan")
        fired = near.filter(pl.col("rule_code") == code).join(found.filter(pl.col("rule_code") == code), on=["rule_code", "person_uid"]).height
        worst = min(worst, p if f else 1.0, r if t else 1.0)
        print(f"{code:6} {t:6} {f:6} {h:5} {p:9.3f} {r:7.3f} {fired:16}")
    t, f, h = truth.height, found.height, hit.height
    print(f"{'all':6} {t:6} {f:6} {h:5} {h / f:9.3f} {h / t:7.3f}")
    print(f"rule codes present in truth: {truth['rule_code'].n_unique()} / 36; lowest precision or recall: {worst:.3f}")

    print(f"false merges (a person_key over two or more true persons): {merged.height}")
    for row in merged.head(args.examples).iter_rows(named=True):
        print(f"  {row['person_key']}: {row['person_uids']} {row['names']}")

    extra = cases.join(truth, on=["rule_code", "person_uid"], how="anti")
    missed = truth.join(found, on=["rule_code", "person_uid"], how="anti")
    if extra.height:
        print(f"\nextra cases ({extra.height}), examples:")
        for row in extra.group_by("rule_code").head(args.examples).sort("rule_code").iter_rows(named=True):
            print(f"  {row['rule_code']} {row['name']} ({row['person_uid']}): {row['detail']} | {row['evidence']}")
    if missed.height:
        print(f"\nmissed cases ({missed.height}), examples:")
        for row in missed.group_by("rule_code").head(args.examples).sort("rule_code").iter_rows(named=True):
            print(f"  {row['rule_code']} {row['person_uid']}")
    print(f"\nwork dir: {work}")


if __name__ == "__main__":
    main()
