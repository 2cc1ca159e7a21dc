"""A sheet's data rows written as worksheet XML straight from a polars frame.

openpyxl makes a cell object for every value and writes each one out in Python: at a million
households (five million cells) that was most of the report stage.  ``write_block`` (``layout.py``)
still lays out everything else with openpyxl (titles, headers, widths, merges, validations, print
setup) and hands its data rows here as a frame (``table``): each column's look is one style index,
and the rows become ``<row>`` XML in one vectorised expression (``add``).  ``save_workbook``
(``files.py``) saves the workbook with openpyxl and puts the rows into their sheets' XML
(``splice``).

The cells are what openpyxl writes for the same values: texts as inline strings (cut at Excel's
limit, XML's forbidden control characters dropped), numbers, booleans, dates as day numbers, and
an empty cell keeps its style (borders, the fill-in colour).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from itertools import zip_longest
from weakref import WeakKeyDictionary

import polars as pl
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

# Excel opens no workbook with a longer text in a cell ("found a problem with some content").
EXCEL_CELL_CHARS = 32_767
CUT_WORDS = "……（内容过长，以下从略）"

Rows = Sequence[Sequence[object]] | pl.DataFrame

# XML 1.0 allows tab, newline and carriage return of the control characters (openpyxl refuses
# the others; a source file's stray control character must not stop a township's workbook).
_FORBIDDEN = [chr(i) for i in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))]
# What a text cell's XML writes instead of each character: the markup escaped, the forbidden
# control characters dropped (one pass over the text).
_ESCAPED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", **{c: "" for c in _FORBIDDEN}}
_EXCEL_EPOCH = datetime(1899, 12, 30)  # day 0 of Excel's dates (1900 system, after its 29 Feb 1900)
DATE_FORMATS = {pl.Date: "yyyy-mm-dd", pl.Datetime: "yyyy-mm-dd h:mm:ss"}  # openpyxl's for a date
NUMBER = "#n"  # suffix of the numbers' half of a column holding both texts and numbers
# zlib's fastest level: at 1M households a quarter's workbooks take 2.6 s less CPU and are 28 %
# larger (45 MB against 35; a township's about 550 KB).
ZIP_LEVEL = 1
ROW = "#row"  # a block's column of sheet row numbers
SLICE_ROWS = 20_000  # rows rendered to XML at a time when a workbook is saved
CELL_BYTES = 64  # an upper estimate of a cell's XML besides its text (``Block.text_bytes``)
# A sheet estimated at this size or more is written with Zip64 headers (zip's own 32-bit sizes
# end at 4 GiB; Python's zipfile refuses past 2 GiB without them).
ZIP64_FROM = 1 << 30


@dataclass(frozen=True)
class Block:
    """Rows ``first``..``last`` of a sheet: ``frame`` (with each row's sheet row in ``ROW``) and
    the expression of each row's ``<row>`` element, rendered when the workbook is saved."""

    first: int
    last: int
    frame: pl.DataFrame
    row_xml: pl.Expr

    def xml(self) -> Iterator[str]:
        """The rows' XML, ``SLICE_ROWS`` rows at a time (a province's department list is a million
        rows: its XML is never held whole)."""
        for offset in range(0, self.frame.height, SLICE_ROWS):
            yield self.frame.slice(offset, SLICE_ROWS).select(self.row_xml.str.join("")).item()

    def text_bytes(self) -> int:
        """An upper estimate of the rows' XML in bytes (``save``: whether the sheet needs Zip64)."""
        texts = [pl.col(c).str.len_bytes().sum() for c, t in self.frame.schema.items() if t == pl.Utf8]
        text = int(self.frame.select(pl.sum_horizontal(texts)).item() or 0) if texts else 0
        return 2 * text + CELL_BYTES * self.frame.height * self.frame.width


_BLOCKS: WeakKeyDictionary[Workbook, dict[Worksheet, list[Block]]] = WeakKeyDictionary()


def table(rows: Rows, n: int) -> pl.DataFrame:
    """``rows`` (lists of values, or a frame whose columns are in the sheet's order) as a frame of
    ``n`` columns named ``0``..``n-1``.  A column mixing texts and numbers becomes two: its texts,
    and its numbers in ``<i>#n``."""
    if isinstance(rows, pl.DataFrame):
        if {str(i) for i in range(n)} <= set(rows.columns) <= {f"{i}{end}" for i in range(n) for end in ("", NUMBER)}:
            return rows  # already a table
        named = [pl.col(c).alias(str(i)) for i, c in enumerate(rows.columns[:n])]
        return rows.select(named + [pl.lit(None).alias(str(i)) for i in range(len(named), n)]) if rows.width else pl.DataFrame()
    values = list(zip_longest(*rows))  # a short row's missing cells are empty
    columns: list[pl.Series] = []
    for i in range(n):
        columns.extend(_series(str(i), list(values[i]) if i < len(values) else [None] * len(rows)))
    return pl.DataFrame(columns)


def _series(name: str, values: list[object]) -> list[pl.Series]:
    try:
        s = pl.Series(name, values, strict=True)
    except (TypeError, ValueError, OverflowError, pl.exceptions.PolarsError):
        s = None
    if s is not None and s.dtype != pl.Object:
        return [s]
    numbers = [float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None for v in values]
    texts = [None if v is None or n is not None else _text(v) for v, n in zip(values, numbers)]
    return [pl.Series(name, texts, dtype=pl.Utf8), pl.Series(name + NUMBER, numbers, dtype=pl.Float64)]


def _text(v: object) -> str:
    return v.strftime("%Y-%m-%d") if isinstance(v, (date, datetime)) else str(v)


def _cell(letter: str, row: pl.Expr, style: pl.Expr, kind: str, value: pl.Expr) -> pl.Expr:
    """One column's ``<c>`` per row; null values give the styled empty cell."""
    head = pl.concat_str([pl.lit(f'<c r="{letter}'), row, pl.lit('" s="'), style])
    inner = {
        "s": ('" t="inlineStr"><is><t xml:space="preserve">', "</t></is></c>"),
        "b": ('" t="b"><v>', "</v></c>"),
        "n": ('"><v>', "</v></c>"),
    }[kind]
    return pl.concat_str([head, pl.lit(inner[0]), value, pl.lit(inner[1])]).fill_null(pl.concat_str([head, pl.lit('"/>')]))


def _value(c: pl.Expr, dtype: pl.DataType) -> tuple[str, pl.Expr]:
    """(cell type, the value as the XML text of the cell) for a column of ``dtype``."""
    if dtype == pl.Utf8:
        long = c.str.len_chars() > EXCEL_CELL_CHARS
        c = pl.when(long).then(pl.concat_str([c.str.slice(0, EXCEL_CELL_CHARS - len(CUT_WORDS)), pl.lit(CUT_WORDS)])).otherwise(c)
        return "s", c.str.replace_many(_ESCAPED)
    if dtype == pl.Boolean:
        return "b", c.cast(pl.Int8).cast(pl.Utf8)
    if dtype == pl.Date:
        return "n", (c - pl.lit(_EXCEL_EPOCH.date())).dt.total_days().cast(pl.Utf8)
    if isinstance(dtype, pl.Datetime):
        return "n", ((c.dt.replace_time_zone(None) - pl.lit(_EXCEL_EPOCH)).dt.total_microseconds() / 86_400_000_000).cast(pl.Utf8)
    if dtype.is_float():
        return "n", pl.when(c.is_finite()).then(c).cast(pl.Utf8)
    if dtype.is_numeric() or dtype == pl.Null:
        return "n", c.cast(pl.Utf8)
    return "s", _value(c.cast(pl.Utf8), pl.Utf8)[1]


def add(
    ws: Worksheet,
    first: int,
    frame: pl.DataFrame,
    styles: Sequence[int],
    heights: pl.Expr | None = None,
    last_styles: Sequence[int] | None = None,
) -> int:
    """The rows of ``frame`` (``table``) as sheet rows ``first``.. of ``ws``, kept until the
    workbook is saved; ``styles``: each column's style index (``last_styles``: the last row's,
    a 合计 row); ``heights``: each row's height in points (None: the reader fits them).
    Returns the last row."""
    if frame.is_empty():
        return first - 1
    last = first + frame.height - 1
    frame = frame.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + first).alias(ROW))
    row = pl.col(ROW).cast(pl.Utf8)
    cells = []
    for i in range(len(styles)):
        style = pl.lit(str(styles[i]))
        if last_styles is not None:
            style = pl.when(pl.col(ROW) == last).then(pl.lit(str(last_styles[i]))).otherwise(style)
        letter = get_column_letter(i + 1)
        kind, value = _value(pl.col(str(i)), frame.schema[str(i)])
        cell = _cell(letter, row, style, kind, value)
        if str(i) + NUMBER in frame.columns:  # a column of texts and numbers: a number where there is one
            numbers = _cell(letter, row, style, "n", _value(pl.col(str(i) + NUMBER), pl.Float64)[1])
            cell = pl.when(pl.col(str(i) + NUMBER).is_not_null()).then(numbers).otherwise(cell)
        cells.append(cell)
    height = [] if heights is None else [pl.lit('" ht="'), heights.round(2).cast(pl.Utf8), pl.lit('" customHeight="1')]
    row_xml = pl.concat_str([pl.lit('<row r="'), row, *height, pl.lit('">'), *cells, pl.lit("</row>")])
    _BLOCKS.setdefault(ws.parent, {}).setdefault(ws, []).append(Block(first, last, frame, row_xml))
    return last


def last_row(ws: Worksheet) -> int:
    """The sheet's last row, counting the rows ``add`` keeps for it."""
    blocks = _BLOCKS.get(ws.parent, {}).get(ws, [])
    return max([ws.max_row, *[b.last for b in blocks]])


_ROW = re.compile(r'<row r="(\d+)"')
_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')


def _pieces(xml: str, blocks: list[Block], width: int) -> Iterator[str]:
    """``xml`` (a sheet as openpyxl wrote it, its dimension corrected) with ``blocks``' rows in row
    order, piece by piece."""
    rows = [(int(m.group(1)), m.start()) for m in _ROW.finditer(xml)]
    last = max([*(r for r, _ in rows), *(b.last for b in blocks)], default=1)
    xml = _DIMENSION.sub(f'<dimension ref="A1:{get_column_letter(max(width, 1))}{last}"/>', xml, count=1)
    rows = [(int(m.group(1)), m.start()) for m in _ROW.finditer(xml)]  # (the dimension moved them)
    done, previous = 0, 0
    for block in sorted(blocks, key=lambda b: b.first):
        inside = [r for r, _ in rows if block.first <= r <= block.last]
        if inside or block.first <= previous:
            taken = inside[0] if inside else block.first
            raise ValueError(f"row {taken} written twice (a block of rows {block.first}-{block.last})")
        previous = block.last
        at = next((start for r, start in rows if r > block.last), xml.index("</sheetData>"))
        yield xml[done:at]
        yield from block.xml()
        done = at
    yield xml[done:]


def save(wb: Workbook, target) -> None:
    """Save ``wb`` to ``target`` (a path or a binary file) with the rows ``add`` kept for it: each
    sheet with rows is streamed into the zip, its rows rendered a slice at a time."""
    blocks = _BLOCKS.get(wb, {})  # (kept: saved again, the workbook has its rows again)
    if not blocks:
        wb.save(target)
        return
    saved = BytesIO()
    wb.save(saved)
    by_path = {ws.path.lstrip("/"): (ws, b) for ws, b in blocks.items()}
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename not in by_path:
                out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL)
                continue
            ws, sheet_blocks = by_path[info.filename]
            large = len(data) + sum(b.text_bytes() for b in sheet_blocks) >= ZIP64_FROM
            with out.open(info.filename, "w", force_zip64=large) as stream:
                for piece in _pieces(data.decode("utf-8"), sheet_blocks, ws.max_column):
                    stream.write(piece.encode("utf-8"))
