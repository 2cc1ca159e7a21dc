"""A sheet as a text grid: ``row_number`` plus one ``pl.String`` column per sheet column.

Columns are named by their Excel letter (``A``, ``B`` ... ``AA``) so that a cell can be
named the way a person finds it; a CSV's columns get the letters Excel would show.
Both readers (excel.py, csv.py) build a grid and sheet.py reads the table out of it.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


ROW_NUMBER = "row_number"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def build_grid(columns: Sequence[pl.Series], row_numbers: pl.Series, first_column: int = 0) -> pl.DataFrame:
    """Grid from text columns (``pl.String``; "" is blank) and each row's number."""
    data = [row_numbers.cast(pl.Int64).alias(ROW_NUMBER)]
    data += [col.replace("", None).alias(column_letter(first_column + j)) for j, col in enumerate(columns)]
    return pl.DataFrame(data)


def letters(grid: pl.DataFrame) -> list[str]:
    return [c for c in grid.columns if c != ROW_NUMBER]


def filled(column: str) -> pl.Expr:
    """True where the cell holds more than white space."""
    return pl.col(column).str.strip_chars().str.len_bytes().fill_null(0) > 0  # bytes: not counted, as characters are


def blank_rows(grid: pl.DataFrame) -> pl.Series:
    """True for each row whose cells are all blank or white space."""
    cols = letters(grid)
    if not cols:
        return pl.Series([True] * grid.height, dtype=pl.Boolean)
    return grid.select(~pl.any_horizontal([filled(c) for c in cols])).to_series()


def raw_by_letter(grid: pl.DataFrame) -> pl.DataFrame:
    """``row_number`` and ``raw`` (JSON of column letter -> cell text) for every row given."""
    cols = letters(grid)
    if not cols:
        return grid.select(ROW_NUMBER, pl.lit(None, pl.String).alias("raw"))
    return grid.select(ROW_NUMBER, pl.struct(cols).struct.json_encode().alias("raw"))
