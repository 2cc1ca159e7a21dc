"""Helpers for the normalise tests (imported by name, like tests/link/link_builders.py)."""

from __future__ import annotations

from datetime import date

import polars as pl

from contracts.sources import Column
from pipeline.normalise import reader_for
from pipeline.normalise.cells import read_column
from pipeline.normalise.ids import with_check

REFERENCE = date(2026, 9, 30)


def make_id(region: str = "530381", birth: str = "19800101", seq: str = "123") -> str:
    """A valid 18-digit ID (the check digit of pipeline/normalise/ids.py, itself tested against
    published numbers in test_normalise_ids.py)."""
    return with_check(region + birth + seq)


def ingest_rows(**columns: list) -> pl.DataFrame:
    """An ingest ``SheetTable.rows`` frame: row_number, the given Utf8 columns, raw."""
    n = len(next(iter(columns.values())))
    frame = pl.DataFrame({k: pl.Series(v, dtype=pl.Utf8) for k, v in columns.items()})
    return frame.with_columns(pl.Series("row_number", range(2, n + 2), dtype=pl.Int64), pl.lit("{}").alias("raw"))


def read(column: Column, cells: list[str | None]) -> tuple[list, list]:
    """(values, problem sentences) of a column read cell by cell."""
    frame = read_column(pl.DataFrame({column.key: pl.Series(cells, dtype=pl.Utf8)}), column.key, reader_for(column), column)
    return frame[column.key].to_list(), frame[f"{column.key}_problem"].to_list()
