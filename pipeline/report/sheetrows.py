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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
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
_FORBIDDEN = r"[\x00-\x08\x0B\x0C\x0E-\x1F]"
_EXCEL_EPOCH = date(1899, 12, 30)
DATE_FORMATS = {pl.Date: "yyyy-mm-dd", pl.Datetime: "yyyy-mm-dd h:mm:ss"}  # openpyxl's for a date
NUMBER = "#n"  # suffix of the numbers' half of a column holding both texts and numbers
# zlib's fastest level: at 1M households a quarter's workbooks take 2.6 s less CPU and are 28 %
# larger (45 MB against 35; a township's about 550 KB).
ZIP_LEVEL = 1


@dataclass(frozen=True)
class Block:
    first: int  # sheet row of the first data row
    last: int
    xml: str


_BLOCKS: WeakKeyDictionary[Workbook, dict[Worksheet, list[Block]]] = WeakKeyDictionary()


def table(rows: Rows, n: int) -> pl.DataFrame:
    """``rows`` (lists of values, or a frame whose columns are in the sheet's order) as a frame of
    ``n`` columns named ``0``..``n-1``.  A column mixing texts and numbers becomes two: its texts,
    and its numbers in ``<i>#n``."""
    if isinstance(rows, pl.DataFrame):
        if {str(i) for i in range(n)} <= set(rows.columns) <= {f"{i}{end}" for i in range(n) for end in ("", NUMBER)}:
            return rows  # already a table
        return rows.select([pl.col(c).alias(str(i)) for i, c in enumerate(rows.columns[:n])])
    values = list(zip(*rows)) if rows else [()] * n
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
    numbers = [v if isinstance(v, (int, float)) and not isinstance(v, bool) else None for v in values]
    texts = [None if v is None or n is not None else _text(v) for v, n in zip(values, numbers)]
    return [pl.Series(name, texts, dtype=pl.Utf8), pl.Series(name + NUMBER, [float(v) if v is not None else None for v in numbers], dtype=pl.Float64)]


def _text(v: object) -> str:
    return v.strftime("%Y-%m-%d") if isinstance(v, (date, datetime)) else str(v)


def column_dtype(frame: pl.DataFrame, i: int) -> pl.DataType:
    return frame.schema[str(i)]


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
        c = c.str.replace_all(_FORBIDDEN, "").str.replace_all("&", "&amp;", literal=True)
        return "s", c.str.replace_all("<", "&lt;", literal=True).str.replace_all(">", "&gt;", literal=True)
    if dtype == pl.Boolean:
        return "b", c.cast(pl.Int8).cast(pl.Utf8)
    if dtype == pl.Date:
        return "n", (c - pl.lit(_EXCEL_EPOCH)).dt.total_days().cast(pl.Utf8)
    if isinstance(dtype, pl.Datetime):
        return "n", ((c.dt.replace_time_zone(None) - pl.lit(datetime(1899, 12, 30))).dt.total_microseconds() / 86_400_000_000).cast(pl.Utf8)
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
    n = len(styles)
    row = (pl.int_range(pl.len()) + first).cast(pl.Utf8)
    is_last = pl.int_range(pl.len()) == pl.len() - 1
    cells = []
    for i in range(n):
        style = pl.lit(str(styles[i]))
        if last_styles is not None:
            style = pl.when(is_last).then(pl.lit(str(last_styles[i]))).otherwise(style)
        letter = get_column_letter(i + 1)
        kind, value = _value(pl.col(str(i)), frame.schema[str(i)])
        cell = _cell(letter, row, style, kind, value)
        if str(i) + NUMBER in frame.columns:  # a column of texts and numbers: a number where there is one
            numbers = _cell(letter, row, style, "n", _value(pl.col(str(i) + NUMBER), pl.Float64)[1])
            cell = pl.when(pl.col(str(i) + NUMBER).is_not_null()).then(numbers).otherwise(cell)
        cells.append(cell)
    height = [] if heights is None else [pl.lit('" ht="'), heights.round(2).cast(pl.Utf8), pl.lit('" customHeight="1')]
    xml = frame.select(
        pl.concat_str([pl.lit('<row r="'), row, *height, pl.lit('">'), *cells, pl.lit("</row>")])
        .str.join("")
    ).item()
    last = first + frame.height - 1
    _BLOCKS.setdefault(ws.parent, {}).setdefault(ws, []).append(Block(first, last, xml))
    return last


def last_row(ws: Worksheet) -> int:
    """The sheet's last row, counting the rows ``add`` keeps for it."""
    blocks = _BLOCKS.get(ws.parent, {}).get(ws, [])
    return max([ws.max_row, *[b.last for b in blocks]])


_ROW = re.compile(r'<row r="(\d+)"')
_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')


def _insert(xml: str, blocks: list[Block], width: int) -> str:
    """``xml`` (a sheet as openpyxl wrote it) with ``blocks``' rows in row order."""
    last = max([*(int(m.group(1)) for m in _ROW.finditer(xml)), *(b.last for b in blocks)], default=1)
    for block in sorted(blocks, key=lambda b: b.first, reverse=True):
        at = xml.index("</sheetData>")
        for m in _ROW.finditer(xml):
            r = int(m.group(1))
            if block.first <= r <= block.last:
                raise ValueError(f"row {r} written both by openpyxl and as a block ({block.first}-{block.last})")
            if r > block.last:
                at = m.start()
                break
        xml = xml[:at] + block.xml + xml[at:]
    ref = f"A1:{get_column_letter(max(width, 1))}{last}"
    return _DIMENSION.sub(f'<dimension ref="{ref}"/>', xml, count=1)


def save(wb: Workbook, target) -> None:
    """Save ``wb`` to ``target`` (a path or a binary file) with the rows ``add`` kept for it."""
    blocks = _BLOCKS.pop(wb, {})
    if not blocks:
        wb.save(target)
        return
    saved = BytesIO()
    wb.save(saved)
    by_path = {ws.path.lstrip("/"): (ws, b) for ws, b in blocks.items()}
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename in by_path:
                ws, sheet_blocks = by_path[info.filename]
                data = _insert(data.decode("utf-8"), sheet_blocks, ws.max_column).encode("utf-8")
            out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL)
