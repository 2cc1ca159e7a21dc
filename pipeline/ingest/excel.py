"""Read the worksheets of an .xlsx / .xls workbook into text grids (python-calamine).

Each worksheet comes back with its visibility; merged cells give their value to every cell
of the merge (a household's 户主身份证号 merged down its member rows belongs to each row).
Row numbers are the rows a person sees in Excel.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import polars as pl
from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from pipeline.ingest.cells import column_text
from pipeline.ingest.grid import build_grid


@dataclass
class Worksheet:
    name: str
    visible: bool
    is_data: bool  # False for chart / macro sheets, which are not read
    grid: pl.DataFrame | None  # None when not read


def read_workbook(data: bytes) -> list[Worksheet]:
    """Every sheet of the workbook in ``data`` (raises CalamineError when it is no workbook)."""
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = []
    for i, meta in enumerate(workbook.sheets_metadata):
        visible = meta.visible == SheetVisibleEnum.Visible
        if meta.typ != SheetTypeEnum.WorkSheet:
            sheets.append(Worksheet(meta.name, visible, False, None))
            continue
        sheets.append(Worksheet(meta.name, visible, True, _grid(workbook.get_sheet_by_index(i))))
    workbook.close()
    return sheets


def _grid(sheet: CalamineSheet) -> pl.DataFrame:
    rows = sheet.to_python()  # the used range only, starting at sheet.start
    if not rows or not rows[0]:
        return build_grid([], pl.Series([], dtype=pl.Int64))
    first_row, first_col = sheet.start
    _fill_merges(rows, sheet.merged_cell_ranges, first_row, first_col)
    numbers = pl.int_range(first_row + 1, first_row + 1 + len(rows), eager=True)
    return build_grid([column_text(cells) for cells in zip(*rows)], numbers, first_col)


def _fill_merges(rows: list[list[object]], merges, first_row: int, first_col: int) -> None:
    """Give each merged range's top-left value to every cell of the range (in place)."""
    height, width = len(rows), len(rows[0])
    for (r0, c0), (r1, c1) in merges or ():
        top, left = r0 - first_row, c0 - first_col
        if not (0 <= top < height and 0 <= left < width):
            continue  # the top-left cell lies outside the used range: it is blank
        value = rows[top][left]
        for r in range(top, min(r1 - first_row, height - 1) + 1):
            row = rows[r]
            for c in range(left, min(c1 - first_col, width - 1) + 1):
                row[c] = value
