"""What earlier quarters left in the database, read before a run writes its own.

``previous_cases``: the open cases of a quarter (for 新增 / 延续 / 销号 and the carried cases of a
rule that could not run).  ``accepted_rows_by_table``: how many rows of each input table a quarter
accepted (a table whose rows fall by more than a third is flagged).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline import store


def accepted_rows_by_table(db_path: Path, quarter: str) -> dict[str, int]:
    """Accepted rows per input table of ``quarter``'s latest stored run ({} when there is none)."""
    sql = "SELECT source_table, count(*) AS n FROM source_records WHERE quarter = ? GROUP BY source_table"
    frame = store.read_if_present(db_path, "source_records", sql, [quarter])
    return {} if frame is None else dict(frame.iter_rows())


def previous_cases(db_path: Path, quarter: str) -> pl.DataFrame | None:
    """The cases of quarter ``quarter`` in the database (None when there are none)."""
    return store.read_if_present(db_path, "cases", "SELECT * FROM cases WHERE quarter = ?", [quarter])
