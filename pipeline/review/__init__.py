"""Match review that remembers: doubtful record pairs out to a person and their decisions back.

- :mod:`.keys`: the cross-quarter key of a record (roster, ID or its Excel-damaged prefix, name, village);
- :mod:`.export`: ``doudi review export``: one block per undecided pair, workbook and HTML page;
- :mod:`.read`: a filled-in review workbook -> decisions and issues (file, sheet, row, column);
- :mod:`.importer`: ``doudi review import``: decisions into ``link_decisions``;
- :func:`load_decisions`: what the next run passes to ``link(..., decisions=...)``
  (``pipeline/link/decisions.py`` applies them).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

__all__ = ["load_decisions"]


def load_decisions(db_path: Path | str) -> pl.DataFrame | None:
    """Every decision in ``link_decisions`` (None when the database or the table does not exist yet,
    or holds no decision)."""
    from pipeline import store

    return store.read_if_present(db_path, "link_decisions", "SELECT * FROM link_decisions")
