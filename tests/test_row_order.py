"""A quarter's results do not depend on the order of the rows in its files.

A county re-exports its rosters sorted another way from one quarter to the next (by village, by
name, by date of entry); the same rows must give the same persons, the same cases with the same
words and the same overlap rates.  Only what names a row (record_id, row_number, evidence) may
differ.  Every place that chose "the first row" (the 低保 household's payee, a person's name
spelled two ways as often, the order of the names in S4-5's words, the amounts of a duplicated
payment) chose by file order before; each now chooses by the values.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipeline.policy import load_policy
from pipeline.run import run_quarter
from sample_data.dirt import Rates
from sample_data.generate import generate

QUARTER = "2026Q3"

# What must be equal, each read from one database: rows that say the same thing whatever the
# order of the input (the records by their source table and raw cells, not by their row number).
SAME = {
    "persons": "SELECT person_key, id_number, name, gender, birth_date, county, township, village FROM {db}.persons",
    "source_records": "SELECT source_table, raw_values, person_key, match_method, round(match_score, 6) FROM {db}.source_records",
    "cases": "SELECT rule_code, kind, sieve, person_key, id_number, name, county, township, village, detail FROM {db}.cases",
    "match_review": "SELECT count(*) FROM {db}.match_review",
    "overlap_rates": "SELECT * EXCLUDE (quarter) FROM {db}.overlap_rates",
}


def _shuffled(folder: Path, tables: set[str], out: Path, seed: int) -> Path:
    """``folder``'s files with the data rows of each table's CSV in another order (header kept)."""
    rng = random.Random(seed)
    out.mkdir()
    for path in folder.iterdir():
        data = path.read_bytes()
        if path.name not in tables:
            shutil.copyfile(path, out / path.name)
            continue
        newline = b"\r\n" if b"\r\n" in data else b"\n"
        header, *rows = [line for line in data.split(newline) if line.strip()]
        rng.shuffle(rows)
        (out / path.name).write_bytes(newline.join([header, *rows]) + newline)
    return out


def _run_both(root: Path) -> duckdb.DuckDBPyConnection:
    # dirt raised and more planted cases, so that ties a file's order could break are many
    generate(3000, 23, root / "county", quarters=[QUARTER], forms="csv", instances=4,
             rates=Rates(id=0.4, name=0.4, date=0.1, reject=0.01, sci_file=0.5), quiet=True, rule_truth=False)  # fmt: skip
    files = pl.read_csv(root / "county" / "truth" / "files.csv", infer_schema_length=0)
    tables = set(files.filter(pl.col("table").is_not_null() & (pl.col("table") != ""))["file_name"])
    given = root / "county" / QUARTER
    shuffled = _shuffled(given, tables, root / "shuffled", seed=5)
    for side, folder in (("given", given), ("shuffled", shuffled)):
        run_quarter(folder, QUARTER, load_policy(), root / f"{side}.duckdb")
    con = duckdb.connect()
    con.execute(f"ATTACH '{root / 'given.duckdb'}' AS given (READ_ONLY)")
    con.execute(f"ATTACH '{root / 'shuffled.duckdb'}' AS shuffled (READ_ONLY)")
    return con


def test_rows_in_another_order_give_the_same_quarter(tmp_path):
    with _run_both(tmp_path) as con:
        # the same rows, and they did move
        moved = con.execute(
            "SELECT count(*) FROM given.source_records AS g JOIN shuffled.source_records AS s"
            " ON s.source_table = g.source_table AND s.raw_values = g.raw_values AND s.row_number <> g.row_number"
        ).fetchone()[0]
        assert moved > 1000
        differ = {}
        for table, query in SAME.items():
            given, shuffled = query.format(db="given"), query.format(db="shuffled")
            assert con.execute(f"SELECT count(*) FROM ({given})").fetchone()[0] > 0, table
            only_given = con.execute(f"{given} EXCEPT ALL {shuffled}").fetchall()
            only_shuffled = con.execute(f"{shuffled} EXCEPT ALL {given}").fetchall()
            if only_given or only_shuffled:
                differ[table] = (len(only_given), only_given[:3], only_shuffled[:3])
    assert differ == {}
