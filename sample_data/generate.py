"""Make a fictional county in the real export forms, and the truth beside it.

    python -m sample_data.generate --households 300 --seed 20260930 --out sample_data/county
        [--quarters 2026Q2,2026Q3] [--forms mixed|csv|xlsx] [--hazards all|none|html,blank_id,truncated]

Writes DIR/<quarter>/ (the export files a county would drop in) and DIR/truth/ (files.csv,
records.csv, persons.csv, cases.csv, near_misses.csv and the clean world as parquet).
No real personal data: names, villages and ID numbers are invented.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import time
from pathlib import Path

import polars as pl

from .background import add_background
from .county import COUNTY_CODE, COUNTY_NAME, build_geography, build_households
from .dirt import Rates
from .events import LINSHI_SCHEMA, SETTLEMENT_SCHEMA, background_deaths, background_linshi, background_settlements, frame
from .layout import Hazards, plan_quarter
from .plant import plant
from .quarters import Q, years_before
from .rand import Streams
from .scenarios import VARIANTS
from .systems import enrich, tables
from .traps import assign_ids, plant_traps, shared_names
from .truth_rules import write_rule_truth
from .fastcsv import render_csv, write_fast_csv
from .writers import Sheet, render, truncate, write, write_notice, write_xlsx

RECORD_SCHEMA = {"quarter": pl.Utf8, "file_name": pl.Utf8, "sheet_name": pl.Utf8, "row_number": pl.Int64, "table": pl.Utf8,
                 "person_uid": pl.Int64, "dirt": pl.Utf8, "expect": pl.Utf8, "reject_reason_kind": pl.Utf8}

TRUTH_FILES = ("files.csv", "records.csv", "persons.csv", "planted.csv", "cases.csv", "near_misses.csv")


class Clock:
    def __init__(self, quiet: bool):
        self.t0 = self.t = time.perf_counter()
        self.quiet = quiet

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        if not self.quiet:
            print(f"[{now - self.t0:7.1f}s] {stage} ({now - self.t:.1f}s)", flush=True)
        self.t = now


def generate(households: int, seed: int, out: Path, quarters: list[str] | None = None, forms: str = "mixed",
             rates: Rates | None = None, instances: int | None = None, quiet: bool = False,
             hazards: Hazards = Hazards(), county_code: str = COUNTY_CODE, rule_truth: bool = True) -> dict:
    """``rule_truth``: False skips the expected cases (truth/cases.csv; a benchmark's county, whose
    exports alone are read, saves most of the generator's time).  ``hazards``: the real world's worst (an HTML .xls, a blank ID, a cut-short file), none by
    default here; the command line puts them all in unless told otherwise.  ``county_code``: the
    county's 6-digit code (its region codes, and the birthplace in most of its people's IDs)."""
    rates = rates or Rates()
    qs = [Q.parse(q) for q in (quarters or ["2026Q2", "2026Q3"])]
    last = qs[-1]
    S = Streams(seed)
    clock = Clock(quiet)
    log = (lambda *_: None) if quiet else print

    geo = build_geography(households, county_code)
    H, P = build_households(households, geo, S, last.ref, county_code)
    clock(f"county: {geo.height} villages, {H.height} households, {P.height} persons")
    H, P = add_background(H, P, S, last.ref)
    clock("background programmes")
    k = instances or max(2, households // 2000)
    planted = plant(H, P, VARIANTS, qs, k, S("plant"), log=log)
    clock(f"scenarios: {len(VARIANTS)} variants x {k}")

    reserved = planted.reserved
    Hrest = H.filter(~pl.col("hh_id").is_in(reserved))
    Prest = P.filter(~pl.col("hh_id").is_in(reserved))
    Prest = plant_traps(Prest, Hrest, reserved, S("traps"), max(2, households // 500))
    Prest = background_deaths(Prest, reserved, qs, S("deaths"))
    Pall = assign_ids(pl.concat([Prest, planted.P], how="vertical_relaxed").sort("uid"))
    id_map = Pall.select("uid", "id_number", "birth_date", "name", "trap", "death_date", "death_source")
    clock("identity: ID numbers, traps, deaths")

    out.mkdir(parents=True, exist_ok=True)
    truth_dir = out / "truth"
    for d in [truth_dir, *(out / str(q) for q in qs)]:  # the generator owns these folders: no stale files
        if d.is_dir():
            shutil.rmtree(d)
    truth_dir.mkdir()
    file_rows = []
    planted_uids = planted.P["uid"]  # persons of scenario households: no rejects or parent IDs on their rows
    base_settle = None
    last_world = None
    records_path = truth_dir / "records.csv"
    records_path.write_text(",".join(RECORD_SCHEMA) + "\n", encoding="utf-8")
    seen_uids: set[int] = set()
    for qi, q in enumerate(qs):
        w = planted.quarters[str(q)]
        qP = w.P.drop("id_number", strict=False).drop("birth_date", "name", "trap", "death_date", "death_source").join(id_map, on="uid", how="left")
        Pq = pl.concat([Pall.filter(~pl.col("hh_id").is_in(reserved)), qP.select(Pall.columns)], how="vertical_relaxed").sort("uid")
        Hq = pl.concat([Hrest, w.H.select(Hrest.columns)], how="vertical_relaxed").sort("hh_id")
        X = enrich(Hq, Pq, q, last.ref)
        if base_settle is None:
            base_settle = background_settlements(X, reserved, qs[0], last, S("settlements"))
        lo = years_before(q.ref, 1)
        sett = pl.concat([
            base_settle.filter((pl.col("settlement_date") > lo) & (pl.col("settlement_date") <= q.ref)),
            frame(w.settlements, SETTLEMENT_SCHEMA),
        ])
        lin = pl.concat([background_linshi(X, reserved, q, S(f"linshi{q}")), frame(w.linshi, LINSHI_SCHEMA).select(list(LINSHI_SCHEMA))])
        T = tables(X, q, sett, lin, S(f"tables{q}"))
        Hq.write_parquet(truth_dir / f"world_households_{q}.parquet")
        X.write_parquet(truth_dir / f"world_persons_{q}.parquet")
        sett.write_parquet(truth_dir / f"world_settlements_{q}.parquet")
        lin.write_parquet(truth_dir / f"world_linshi_{q}.parquet")
        last_world = X
        clock(f"{q}: system views " + ", ".join(f"{t}={f.height}" for t, f in T.items()))

        qdir = out / str(q)
        qdir.mkdir(parents=True, exist_ok=True)
        parent = X.filter(pl.col("relation").is_in(["之子", "之女"])).join(
            X.filter(pl.col("pos") == 0).select("hh_id", pl.col("id_number").alias("_parent_id")), on="hh_id").select("uid", "_parent_id")
        # rows kept from lossy ID dirt: planted persons, and persons whose name is not unique in their village
        protected = pl.concat([planted_uids, shared_names(X)]).unique()
        rng = S(f"files{q}")
        month_label = f"{q.year}年{q.ref.month}月"
        plans = plan_quarter(qi, q.year, q.ref.month, COUNTY_NAME, forms, rng, hazards)
        for fi, plan in enumerate(plans):
            # a parent's ID on a child's row only where the row's own 与户主关系 contradicts it: elsewhere
            # the row would be the parent's (rules.md, S4-5 reading), not the child's
            with_parent = parent if "relation" in T[plan.table].columns else parent.clear()
            df = T[plan.table].with_row_index("_row").with_columns(pl.col("_row").cast(pl.Int64)).join(with_parent, on="uid", how="left").with_columns(
                _planted=pl.col("uid").is_in(protected.implode()))
            if plan.form.startswith("csv"):
                header, body, tr = render_csv(plan, df, str(q), rng, rates, fi)
                write_fast_csv(qdir / plan.file_name, plan.form, header, body)
                file_rows.append(dict(quarter=str(q), file_name=plan.file_name, sheet_name="", table=plan.table,
                                      header_row=1, data_rows=body.height, form=plan.form, file_reject=""))
            else:
                sheets, truth = render(plan, df, str(q), COUNTY_NAME, month_label, rng, rates, fi)
                write(qdir / plan.file_name, plan.form, sheets)
                for s in sheets:
                    file_rows.append(dict(quarter=str(q), file_name=plan.file_name, sheet_name=s.name,
                                          table=plan.table if s.header_row else "", header_row=s.header_row, data_rows=len(s.rows),
                                          form=plan.form, file_reject=""))
                tr = pl.DataFrame(truth, schema={**RECORD_SCHEMA, "_row": pl.Int64})
            _append_records(records_path, tr.select(list(RECORD_SCHEMA)), seen_uids)
            write_rows(truth_dir, plan.table, q, df, tr)
        notice = f"关于召开{q}兜底保障工作会议的通知.csv"
        write_notice(qdir / notice, str(q))
        file_rows.append(dict(quarter=str(q), file_name=notice, sheet_name="", table="", header_row=0, data_rows=0, form="csv-utf8",
                              file_reject="no_table"))
        if hazards.truncated and qi == len(qs) - 1:
            file_rows.append(write_truncated(qdir, plans, str(q)))
        clock(f"{q}: files written")

    write_truth(truth_dir, file_rows, planted.rows, last_world, seen_uids, last)
    clock("truth written")
    if rule_truth:
        n_cases = write_rule_truth(out, [str(q) for q in qs])
        clock(f"rule truth: {n_cases} cases computed over the written rows")
    return {"households": households, "persons": Pall.height}


def write_truncated(qdir: Path, plans, quarter: str) -> dict:
    """A second copy of the quarter's first workbook, broken off at 40% (a download cut short): no
    row of it can be read, so the file is rejected whole.  Its files.csv row says so.  A county
    written as CSV only has no workbook: its first table is written as one to be cut."""
    source = next((p for p in plans if p.form == "xlsx"), plans[0])
    name = f"{Path(source.file_name).stem}（补报）.xlsx"
    if source.form == "xlsx":
        truncate(qdir / source.file_name, qdir / name)
    else:
        whole = qdir / f"{name}.whole"
        rows = list(csv.reader(io.StringIO(decode_text((qdir / source.file_name).read_bytes()))))
        write_xlsx(whole, [Sheet("Sheet1", 1, [(i + 2, r) for i, r in enumerate(rows[1:])], rows[0], None, [], [], [])])
        truncate(whole, qdir / name)
        whole.unlink()
    return dict(quarter=quarter, file_name=name, sheet_name="", table="", header_row=0, data_rows=0, form="xlsx-truncated",
                file_reject="unreadable")


def decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def write_rows(truth_dir: Path, table: str, q, df: pl.DataFrame, tr: pl.DataFrame) -> None:
    """The clean values of every data row written, beside where it went and whether it must be
    rejected (truth/rows_<table>_<quarter>.parquet): the input of the rule truth (truth_rules.py)."""
    where = tr.select("_row", "file_name", pl.col("sheet_name").fill_null(""), "row_number", "dirt", "expect")
    rows = df.drop("_planted").join(where, on="_row", how="inner").sort("_row")
    rows.write_parquet(truth_dir / f"rows_{table}_{q}.parquet")


def _append_records(path: Path, frame: pl.DataFrame, seen: set[int]) -> None:
    with path.open("ab") as fh:
        frame.write_csv(fh, include_header=False)
    seen.update(frame["person_uid"].unique().to_list())


def write_truth(truth_dir: Path, file_rows, plant_rows, X: pl.DataFrame, seen_uids: set[int], last: Q) -> None:
    pl.DataFrame(file_rows).write_csv(truth_dir / "files.csv")
    pr = pl.DataFrame(plant_rows, schema={"quarter": pl.Utf8, "rule_code": pl.Utf8, "person_uid": pl.Int64, "kind": pl.Utf8, "variant": pl.Utf8})
    cases = pr.filter(pl.col("kind").is_in(["case", "also"])).with_columns(planted=pl.col("kind") == "case")
    cases = cases.sort("planted", descending=True).unique(["quarter", "rule_code", "person_uid"], keep="first", maintain_order=True)
    cases.sort("quarter", "rule_code", "person_uid").select("quarter", "rule_code", "person_uid", "planted", "variant").write_csv(truth_dir / "planted.csv")
    pr.filter(pl.col("kind") == "near").unique(["quarter", "rule_code", "person_uid"], keep="first", maintain_order=True).sort(
        "quarter", "rule_code", "person_uid").select("quarter", "rule_code", "person_uid", "variant").write_csv(truth_dir / "near_misses.csv")
    seen = pl.DataFrame({"person_uid": sorted(seen_uids)}, schema={"person_uid": pl.Int64}).with_columns(in_sources=pl.lit(True))
    heads = X.filter(pl.col("pos") == 0).select("hh_id", pl.col("id_number").alias("_head_id"))
    persons = X.join(heads, on="hh_id", how="left").join(seen, left_on="uid", right_on="person_uid", how="left").select(
        pl.col("uid").alias("person_uid"), "id_number", "name", "gender", "birth_date", "county", "township", "village", "region_code",
        "hh_id", "relation",
        pl.when(pl.col("registry")).then(pl.col("hh_number")).otherwise(pl.lit("")).alias("registry_household"),
        pl.when(pl.col("dibao")).then(pl.col("_head_id")).otherwise(pl.lit("")).alias("dibao_household"),
        pl.col("age").alias(f"age_{last}"), "hh_type", "monitor_category", "risk_eliminated",
        pl.col("income_pc").round(2).alias("income_per_capita"), "is_sanlei", "health", "labour_skill",
        "dibao_in_force",
        pl.when(pl.col("dibao")).then(pl.col("dibao_category")).alias("dibao_category"),
        pl.when(pl.col("dibao")).then(pl.col("dibao_status")).alias("dibao_status"),
        pl.when(pl.col("dibao")).then(pl.col("single_coverage")).alias("single_coverage"),
        "tekun_in_force",
        pl.when(pl.col("tekun")).then(pl.col("tekun_mode")).alias("tekun_mode"),
        pl.when(pl.col("tekun")).then(pl.col("self_care")).alias("self_care"),
        "ertong_in_force",
        pl.when(pl.col("ertong")).then(pl.col("ertong_category")).alias("ertong_category"),
        pl.when(pl.col("cert")).then(pl.col("cert_cat")).alias("cert_category_code"),
        pl.when(pl.col("cert")).then(pl.col("cert_grade")).alias("cert_grade"),
        pl.when(pl.col("cert")).then(pl.col("cert_status")).alias("cert_status"),
        "insured", "death_date", "trap", pl.col("in_sources").fill_null(False),
    )
    persons.write_csv(truth_dir / "persons.csv")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m sample_data.generate", description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, required=True)
    ap.add_argument("--seed", type=int, default=20260930)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--quarters", default="2026Q2,2026Q3")
    ap.add_argument("--forms", choices=("mixed", "csv", "xlsx"), default="mixed")
    ap.add_argument("--instances", type=int, default=None, help="planted instances per scenario variant (default max(2, N/2000))")
    ap.add_argument("--id-dirt", type=float, default=Rates.id, help="share of rows with a dirty ID")
    ap.add_argument("--name-dirt", type=float, default=Rates.name)
    ap.add_argument("--date-dirt", type=float, default=Rates.date)
    ap.add_argument("--reject-rate", type=float, default=Rates.reject)
    ap.add_argument("--hazards", default="all",
                    help="all (default), none, or a comma list of html (临时救助 as an HTML .xls), blank_id (a dibao row "
                         "with a blank 身份证号), truncated (an extra workbook cut short in the last quarter)")
    ap.add_argument("--county-code", default=COUNTY_CODE,
                    help=f"the county's 6-digit code: its region codes and most of its people's ID birthplace (default {COUNTY_CODE})")
    ap.add_argument("--no-rule-truth", action="store_true",
                    help="skip the expected cases (truth/cases.csv): for a benchmark's county, of which only the exports are read")
    a = ap.parse_args(argv)
    rates = Rates(id=a.id_dirt, name=a.name_dirt, date=a.date_dirt, reject=a.reject_rate)
    generate(a.households, a.seed, a.out, [q.strip() for q in a.quarters.split(",") if q.strip()], a.forms, rates, a.instances,
             hazards=Hazards.parse(a.hazards), county_code=a.county_code, rule_truth=not a.no_rule_truth)


if __name__ == "__main__":
    main()
