"""What a person's review of the doubtful pairs is worth: linkage before and after the answers.

    python benchmarks/eval_review.py [--households 3000] [--seed 7] [--forms mixed] [--rounds 2] [--out DIR]

Generates a county (``sample_data.generate``, one quarter), runs the real stages up to identity
(ingest -> combine -> link_records -> link), and prints the match_review pair count, the minutes a
person needs at 20 s a pair, and pairwise linkage precision / recall / F1 against the generator's
truth (``eval_linkage.evaluate``). Then answers every review pair from the truth (同一人 when both
records are one true person, else 不是同一人: what a careful person decides), builds the decisions
exactly as ``doudi review import`` stores them (the records' cross-quarter keys), links again with
them and prints the same figures. A cut made to honour a 不是同一人 can put a new pair in review:
``--rounds`` answers those too, as the next quarter's review would.

``--next-quarter``: the county is generated for 2026Q2 and 2026Q3; 2026Q2's review is answered and
those decisions alone are applied to 2026Q3 (other record ids, rows moved, forms changed): 2026Q3's
review count and F1 without and with them show how much of the work carries over.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import eval_linkage  # noqa: E402
from eval_linkage import QUARTER, county_records, evaluate, generate, precedence, truth_frame  # noqa: E402

from pipeline.link import link, load  # noqa: E402
from pipeline.link.decisions import DIFFERENT, SAME, UNSURE  # noqa: E402
from pipeline.review.export import SECONDS_PER_PAIR, minutes  # noqa: E402
from pipeline.review.keys import KEY_COLUMNS  # noqa: E402


def answers(review: pl.DataFrame, records: pl.DataFrame, truth: pl.DataFrame, at: datetime) -> pl.DataFrame:
    """The truth's answer on every review pair, as link_decisions rows (keys, decision, decided_at)."""
    uid = truth.select("record_id", "person_uid")
    keys = records.select("record_id", *KEY_COLUMNS)
    pairs = review.select("record_id_l", "record_id_r")
    for s in ("l", "r"):
        pairs = pairs.join(uid.rename({"record_id": f"record_id_{s}", "person_uid": f"uid_{s}"}), on=f"record_id_{s}", how="left")
        pairs = pairs.join(keys.rename({c: f"{c}_{s}" for c in keys.columns}), on=f"record_id_{s}", how="left")
    decision = (
        pl.when(pl.col("uid_l").is_null() | pl.col("uid_r").is_null()).then(pl.lit(UNSURE))
        .when(pl.col("uid_l") == pl.col("uid_r")).then(pl.lit(SAME))
        .otherwise(pl.lit(DIFFERENT))
    )  # fmt: skip
    return pairs.with_columns(decision.alias("decision"), pl.lit(at).alias("decided_at"))


def scored(records: pl.DataFrame, truth: pl.DataFrame, linkage) -> dict:
    frame = truth.join(linkage.assignments.select("record_id", pl.col("person_key").alias("key")), on="record_id")
    return evaluate(frame)["overall"]


def _line(label: str, review: int, s: dict, sec: float) -> str:
    return (f"{label:<26}{review:>8}{minutes(review):>9}{s['precision']:>11.5f}{s['recall']:>10.5f}"
            f"{s['f1']:>10.5f}{sec:>9.2f}")  # fmt: skip


def _quarter(out: Path, quarter: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """records and truth of one quarter of the county in ``out``."""
    eval_linkage.QUARTER = quarter  # county_records and truth_frame read the module's quarter
    records = county_records(out / quarter)
    return records, truth_frame(out, records).select("record_id", "person_uid", "id_dirty", "dirt", "trap")


def true_pairs(review: pl.DataFrame, truth: pl.DataFrame) -> set[tuple[str, str]]:
    """The review pairs as pairs of true persons (order-free)."""
    uid = truth.select("record_id", "person_uid")
    x = review.join(uid.rename({"record_id": "record_id_l", "person_uid": "a"}), on="record_id_l").join(
        uid.rename({"record_id": "record_id_r", "person_uid": "b"}), on="record_id_r"
    )
    return {tuple(sorted(r)) for r in x.select("a", "b").iter_rows()}


def next_quarter(out: Path, households: int, seed: int, reuse: bool, forms: str) -> None:
    """2026Q2's answers applied to 2026Q3."""
    if not reuse:
        cmd = [sys.executable, "-m", "sample_data.generate", "--households", str(households), "--seed", str(seed),
               "--out", str(out), "--quarters", "2026Q2,2026Q3", "--forms", forms]  # fmt: skip
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    settings, order = load(), precedence()
    q2, t2 = _quarter(out, "2026Q2")
    first = link(q2, settings, order)
    decided = answers(first.review, q2, t2, datetime(2026, 7, 1))
    q3, t3 = _quarter(out, "2026Q3")
    print(f"\n{'2026Q3':<26}{'review':>8}{'minutes':>9}{'precision':>11}{'recall':>10}{'F1':>10}{'seconds':>9}")
    left = {}
    for label, d in (("without 2026Q2 answers", None), ("with 2026Q2 answers", decided)):
        t0 = time.perf_counter()
        linkage = link(q3, settings, order, d)
        left[label] = true_pairs(linkage.review, t3)
        print(_line(label, linkage.review.height, scored(q3, t3, linkage), time.perf_counter() - t0))
    again = left["without 2026Q2 answers"] & true_pairs(first.review, t2)
    print(f"2026Q2 pairs answered: {first.review.height} ({minutes(first.review.height)} minutes); 2026Q3 pairs that "
          f"are a 2026Q2 pair again (same two true persons): {len(again)}, still in review with the answers: "
          f"{len(again & left['with 2026Q2 answers'])}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--households", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--forms", default="mixed", choices=("mixed", "csv", "xlsx"), help="the generator's export forms")
    ap.add_argument("--rounds", type=int, default=2, help="review rounds answered from the truth")
    ap.add_argument("--out", type=Path, help="county folder (default: a temporary one)")
    ap.add_argument("--reuse", action="store_true", help="use the county already in --out")
    ap.add_argument("--next-quarter", action="store_true", help="2026Q2's answers applied to 2026Q3")
    args = ap.parse_args(argv)
    tmp = None if args.out else tempfile.TemporaryDirectory(prefix="doudi-review-")
    out = args.out or Path(tmp.name)
    if args.next_quarter:
        next_quarter(out, args.households, args.seed, args.reuse, args.forms)
        return 0
    if not args.reuse:
        sec = generate(args.households, args.seed, out, args.forms)
        print(f"county: {args.households} households, seed {args.seed}, {args.forms} forms, generated in {sec:.1f} s -> {out}")
    records = county_records(out / QUARTER)
    truth = truth_frame(out, records).select("record_id", "person_uid", "id_dirty", "dirt", "trap")
    settings, order = load(), precedence()
    print(f"accepted records {records.height}, true persons {truth['person_uid'].n_unique()}")
    print(f"\n{'':<26}{'review':>8}{'minutes':>9}{'precision':>11}{'recall':>10}{'F1':>10}{'seconds':>9}")
    t0 = time.perf_counter()
    linkage = link(records, settings, order)
    print(_line("before review", linkage.review.height, scored(records, truth, linkage), time.perf_counter() - t0))
    decided, at, total = None, datetime(2026, 10, 1), 0
    for n in range(1, args.rounds + 1):
        if linkage.review.height == 0:
            break
        total += linkage.review.height
        new = answers(linkage.review, records, truth, at + timedelta(minutes=n))
        decided = new if decided is None else pl.concat([decided, new], how="diagonal_relaxed")
        t0 = time.perf_counter()
        linkage = link(records, settings, order, decided)
        print(_line(f"after review round {n}", linkage.review.height, scored(records, truth, linkage), time.perf_counter() - t0))
    counts = dict(decided.group_by("decision").len().iter_rows()) if decided is not None else {}
    print(f"\npairs answered {total} ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}); "
          f"a person's time at {SECONDS_PER_PAIR} s a pair: {minutes(total)} minutes")  # fmt: skip
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
