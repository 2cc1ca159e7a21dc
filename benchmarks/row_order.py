"""Does a quarter's answer depend on the order of its rows?  The same folder run twice, as given
and with the data rows of every CSV shuffled (``sample_data.reorder``), each run in a fresh child
process (one process, no workbooks); then every table that must not depend on the order compared.

    python benchmarks/row_order.py FOLDER --work /work/row_order [--quarter 2026Q3] [--seed 5]

FOLDER: a quarter's folder of CSV exports (a county's, or a province's with a folder per county,
e.g. the one ``bench_run.py --province 30`` generates).  ``--work`` keeps the shuffled copy and the
two databases (a 1M-household county's is 1.7 GB; a province's, several times that).  Prints each
run's counts and seconds, then per table its rows and how many differ, or "the same".
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run_one(folder: Path, db: Path, quarter: str) -> None:
    import pipeline  # noqa: F401  (before polars)
    from pipeline.policy import load_policy
    from pipeline.run import run_quarter

    started = time.perf_counter()
    result = run_quarter(folder, quarter, load_policy(), db, None)
    counts = ", ".join(f"{k} {result.counts.get(k, 0):,}" for k in ("source_records", "persons", "cases", "match_review"))
    print(f"{folder}: {counts}, rejected {result.rejected_rows:,}; {time.perf_counter() - started:.1f} s", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--work", type=Path, required=True, help="where the shuffled copy and the two databases go (kept)")
    ap.add_argument("--quarter", default="2026Q3")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # internal: run FOLDER into this database
    args = ap.parse_args()
    if args.one:
        run_one(args.folder, args.one, args.quarter)
        return

    import duckdb

    from sample_data.reorder import ORDER_FREE, differences, shuffled_copy

    shuffled = args.work / "shuffled"
    if not shuffled.exists():
        shuffled_copy(args.folder, shuffled, args.seed)
    for side, folder in (("given", args.folder), ("shuffled", shuffled)):
        db = args.work / f"{side}.duckdb"
        if not db.exists():
            subprocess.run([sys.executable, __file__, str(folder), "--work", str(args.work), "--quarter", args.quarter, "--one", str(db)], check=True)  # fmt: skip
    with duckdb.connect(config={"temp_directory": str(args.work / "duckdb_tmp")}) as con:
        con.execute(f"ATTACH '{args.work / 'given.duckdb'}' AS given (READ_ONLY)")
        con.execute(f"ATTACH '{args.work / 'shuffled.duckdb'}' AS shuffled (READ_ONLY)")
        found = differences(con, "given", "shuffled")
    for table in ORDER_FREE:
        d = found.get(table)
        if d is None:
            print(f"{table}: the same")
        else:
            print(f"{table}: {d['rows']:,} rows; {d['only_first']:,} only as given, {d['only_second']:,} only shuffled; e.g. {d['example']}")


if __name__ == "__main__":
    main()
