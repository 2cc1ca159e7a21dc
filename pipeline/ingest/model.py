"""What ingest hands to the next stage: one FileRead per input file.

A FileRead holds, per sheet (a CSV has one, ``sheet_name = ""``), either a SheetTable (the
sheet's header was recognised as one of the registry's tables) or a FileProblem (the sheet is
rejected whole, with a message in Chinese).  Every frame here is text only (``pl.String``),
plus ``row_number`` (``pl.Int64``): typing is normalisation's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl


@dataclass
class SheetTable:
    """A sheet recognised as a registry table.

    ``rows``: ``row_number`` (Int64, the row a person sees in Excel or the line in a text
    editor), one ``pl.String`` column per canonical key found in the header, and ``raw``
    (JSON object: header as written -> cell text, extra columns included).
    ``header_map``: header as written (the keys of ``raw``) -> canonical key, or None for a
    column the table does not know (or a duplicate of a column already taken).
    ``header_row``: the Excel row / text line of the header.
    ``title_rows``: non-blank rows above the header; ``blank_rows``: blank rows below it;
    ``footer_rows``: non-blank rows of the footer block (合计, 制表人 ...) at the end.
    """

    file_name: str
    sheet_name: str
    table: str
    header_row: int
    header_map: dict[str, str | None]
    rows: pl.DataFrame
    title_rows: int = 0
    blank_rows: int = 0
    footer_rows: int = 0


@dataclass
class FileProblem:
    """A sheet (or a whole file) that could not be read as a table.

    ``rows`` holds every non-blank row of the sheet: ``row_number`` and ``raw`` (JSON object
    of column letter -> cell text), so the caller can reject each one with ``message``.
    ``closest_table``/``missing_columns`` name the table the header looked most like and the
    required columns (Chinese headers) it lacks, when a header row was found.
    """

    file_name: str
    sheet_name: str
    message: str
    closest_table: str | None = None
    missing_columns: list[str] = field(default_factory=list)
    rows: pl.DataFrame = field(default_factory=lambda: empty_rows())


@dataclass
class FileRead:
    """One input file: its digest, its form (xlsx / xls / csv) and what each sheet gave.

    ``skipped_sheets``: (sheet name, reason) of sheets deliberately not read: hidden sheets
    holding no table, empty sheets beside sheets with data, chart sheets.
    """

    file_name: str
    path: Path
    sha256: str
    form: str
    sheets: list[SheetTable | FileProblem]
    skipped_sheets: list[tuple[str, str]] = field(default_factory=list)

    @property
    def tables(self) -> list[SheetTable]:
        return [s for s in self.sheets if isinstance(s, SheetTable)]

    @property
    def problems(self) -> list[FileProblem]:
        return [s for s in self.sheets if isinstance(s, FileProblem)]


def empty_rows() -> pl.DataFrame:
    """The rows frame of a problem with no rows (an empty or unreadable file)."""
    return pl.DataFrame(schema={"row_number": pl.Int64, "raw": pl.String})
