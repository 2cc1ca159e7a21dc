"""Read a CSV (as Excel or a government system writes it) into a text grid.

Encoding: UTF-8 (with or without BOM) when the bytes decode strictly, else GB18030 (a
superset of GBK).  Delimiter: comma, tab or semicolon, whichever the top lines use most.
Cells stay text exactly as written (a CSV that Excel re-saved may hold ``5.30381E+17``).
Row numbers are the line a text editor shows where the record starts (a quoted cell may
span lines).

polars parses the file; a file polars finds malformed (a stray quote inside a cell, which
Excel itself tolerates) is parsed again by Python's csv module, slower but forgiving.
"""

from __future__ import annotations

import csv as stdlib_csv
import io
from itertools import zip_longest

import polars as pl

from pipeline.ingest.grid import build_grid, column_letter

DELIMITERS = (",", "\t", ";")
_SNIFF_LINES = 30


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name): strict UTF-8 (BOM dropped) first, else GB18030."""
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace"), "gb18030"


def delimiter(text: str) -> str:
    """The delimiter used most on one of the top lines (comma on a tie)."""
    top = text.splitlines()[:_SNIFF_LINES]
    counts = {d: max((line.count(d) for line in top), default=0) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (counts[d], d == ","))


def read_csv(data: bytes) -> pl.DataFrame:
    """The grid of a CSV file's bytes (raises csv.Error on a file that is no CSV at all)."""
    text, _ = decode(data)
    sep = delimiter(text)
    try:
        columns, numbers = _parse_fast(text, sep)
    except pl.exceptions.PolarsError:
        columns, numbers = _parse_forgiving(text, sep)
    while columns and columns[-1].null_count() + (columns[-1] == "").sum() == len(columns[-1]):
        columns.pop()  # trailing columns with nothing in them (the width is estimated)
    return build_grid(columns, numbers)


def _parse_fast(text: str, sep: str) -> tuple[list[pl.Series], pl.Series]:
    width = int(pl.Series(text.split("\n")).str.count_matches(sep, literal=True).max() or 0) + 1
    frame = pl.read_csv(
        io.BytesIO(text.encode("utf-8")),
        has_header=False,
        separator=sep,
        quote_char='"',
        schema={column_letter(i): pl.String for i in range(width)},
        truncate_ragged_lines=True,
        missing_columns="insert",
        raise_if_empty=False,
    )
    # a record starts on line 1 + its index + the line breaks inside the records before it
    breaks = frame.select(
        pl.sum_horizontal(pl.all().str.count_matches("\n", literal=True).fill_null(0)).cum_sum().shift(1, fill_value=0)
    ).to_series()
    numbers = pl.int_range(1, frame.height + 1, eager=True) + breaks
    return frame.get_columns(), numbers


def _parse_forgiving(text: str, sep: str) -> tuple[list[pl.Series], pl.Series]:
    reader = stdlib_csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    records, starts, line = [], [], 0
    for record in reader:
        starts.append(line + 1)
        line = reader.line_num
        records.append(record)
    columns = [pl.Series(cells, dtype=pl.String) for cells in zip_longest(*records)]
    return columns, pl.Series(starts, dtype=pl.Int64)
