"""What earlier quarters left in the database, read before a run writes its own.

``previous_cases``: the open cases of a quarter (for 新增 / 延续 / 销号 and the carried cases of a
rule that could not run).  ``accepted_rows_by_table``: how many rows of each input table a quarter
accepted (a table whose rows fall by more than a third is flagged).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline import store


def _has_table(con, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchall()[0][0])


def accepted_rows_by_table(db_path: Path, quarter: str) -> dict[str, int]:
    """Accepted rows per input table of ``quarter``'s latest stored run ({} when there is none)."""
    if not Path(db_path).exists():
        return {}
    with store.connect(db_path, read_only=True) as con:
        if not _has_table(con, "source_records"):
            return {}
        rows = con.execute(
            "SELECT source_table, count(*) FROM source_records WHERE quarter = ? GROUP BY source_table", [quarter]
        ).fetchall()
    return dict(rows)


def previous_cases(db_path: Path, quarter: str) -> pl.DataFrame | None:
    """The cases of quarter ``quarter`` in the database (None when there are none)."""
    if not Path(db_path).exists():
        return None
    with store.connect(db_path, read_only=True) as con:
        if not _has_table(con, "cases"):
            return None
        frame = con.sql("SELECT * FROM cases WHERE quarter = ?", params=[quarter]).pl()
    return frame if frame.height else None
