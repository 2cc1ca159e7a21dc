"""Identity reads each distinct row with a valid ID once (``pipeline/link/copies.py``): its answer
for every record is the answer it gives when it reads every record."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

import pipeline.link as identity
from pipeline.link import copies as copying
from pipeline.link import link, load
from pipeline.link.copies import COPIES, distinct_rows
from pipeline.policy import load_policy
from pipeline.review.keys import KEY_COLUMNS
from tests.link.link_builders import frame, make_id, record

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from linkage_synthetic import synthesize  # noqa: E402

HEAD = make_id("19600101", "315")


def _with_copies() -> pl.DataFrame:
    """A synthetic quarter plus a 低保 household whose son's row carries his father's ID (detached
    from it), every fourth record repeated once or twice further on (a monthly ledger), the son's
    row and a row without an ID among them."""
    base = synthesize(3000).drop("truth", "dirt", "trap", strict=False)
    household = frame([
        record(0, "dibao", "张伟", HEAD, household_key=f"dibao:{HEAD}", relation="户主"),
        record(1, "dibao", "张小明", HEAD, household_key=f"dibao:{HEAD}", relation="之子"),
        record(2, "fafang", "李娜", None, village="石门村"),
    ]).with_columns(pl.col("record_id") + base.height)  # fmt: skip
    rows = pl.concat([base, household.select(base.columns).cast(base.schema)])
    repeated = rows.filter((pl.col("record_id") % 4 == 0) | (pl.col("record_id") >= base.height))
    again = [repeated.with_columns(pl.col("record_id") + rows.height * k) for k in (1, 2)]
    return pl.concat([rows, *again])


def _every_record(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``distinct_rows`` as if no row repeated another: every record read."""
    return rows.with_columns(pl.lit(1, pl.UInt32).alias(COPIES)), pl.DataFrame(schema={"record_id": pl.Int64, "of": pl.Int64})


def _decisions(records: pl.DataFrame) -> pl.DataFrame:
    """A person's 不是同一人 on the son's row and his father's (both repeated)."""
    son, father = (records.filter(pl.col("name") == n).sort("record_id").head(1) for n in ("张小明", "张伟"))
    sides = [r.select(*[pl.col(c).alias(f"{c}_{s}") for c in KEY_COLUMNS]) for r, s in ((father, "l"), (son, "r"))]
    return pl.concat([*sides, pl.DataFrame({"decision": ["不是同一人"], "decided_at": [datetime(2026, 7, 1, 9)]})], how="horizontal")


@pytest.mark.parametrize("decided", [False, True])
def test_reading_each_distinct_row_once_answers_for_every_record_as_reading_every_record(monkeypatch, decided):
    records = _with_copies()
    settings, precedence = load(), list(load_policy()["residence_precedence"])
    decisions = _decisions(records) if decided else None
    rows, copies = distinct_rows(identity._linking_columns(records))
    assert copies.height > 800 and rows.height + copies.height == records.height
    detached = records.filter(pl.col("name") == "张小明")["record_id"]
    assert copies.filter(pl.col("of").is_in(detached.implode())).height == 2  # the detached row's copies are among them

    once = link(records, settings, precedence, decisions)
    monkeypatch.setattr(identity, "distinct_rows", _every_record)
    every = link(records, settings, precedence, decisions)

    assert once.counts == every.counts
    for name in ("assignments", "persons", "review"):
        assert getattr(once, name).equals(getattr(every, name)), name
    assert once.assignments["record_id"].to_list() == records["record_id"].to_list()
    sons = once.assignments.filter(pl.col("record_id").is_in(detached.implode()))
    assert sons["person_key"].n_unique() == 1 and HEAD not in sons["person_key"].to_list()  # one person, not his father


def test_a_row_is_a_copy_only_of_an_earlier_row_equal_in_every_column(monkeypatch):
    """Rows of one hash are compared column by column: here every row hashes alike."""
    monkeypatch.setattr(copying, "_hash", lambda columns: pl.lit(7, pl.UInt64))
    rows = pl.DataFrame({
        "record_id": [10, 11, 12, 13, 14, 15, 16],
        "id_valid": [True, True, True, True, False, False, True],
        "name": ["张伟", "张伟", "张伟", "张卫", "李娜", "李娜", "张伟"],
        "account": ["6217", "6217", "6218", "6217", None, None, None],
    })  # fmt: skip
    kept, copies = distinct_rows(rows.clone())
    assert copies.rows() == [(11, 10)]  # 12 differs in account, 13 in name; 14/15 have no valid ID; 16 lacks an account
    assert kept["record_id"].to_list() == [10, 12, 13, 14, 15, 16]
    assert kept[COPIES].to_list() == [2, 1, 1, 1, 1, 1]
    assert kept.columns == [*rows.columns, COPIES]
