"""How every sheet looks on screen and on paper: fonts, a title row, a header row, column widths
that fit (a CJK character counts double), wrapped text with row heights to match, frozen header,
print titles, landscape A4 fit to width, page header and page numbers.

Every sheet of every workbook goes through ``write_table`` (a title row, a header row, data rows)
and ``print_setup``; nothing else sets widths or page settings.  The data rows (``write_block``)
are measured and styled here a column at a time and handed to ``sheetrows``, which writes them as
sheet XML when the workbook is saved.

On paper: the printed columns (``Column.printed``, always the leftmost) are fitted to the width of
landscape A4 at 100 %: wrapped columns give up width first (``fit_page``), so Excel's fit-to-width
never shrinks the print below ``MIN_PRINTED_PT``.  Columns for the screen only (rule codes, file
rows, policy keys) stand right of the print area.
"""

from __future__ import annotations

import math
from functools import lru_cache
import unicodedata
from collections.abc import Callable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from weakref import WeakKeyDictionary

import polars as pl
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.report import sheetrows
from pipeline.report.sheetrows import Rows

# Excel's tallest row, in points (a longer text scrolls inside its cell).
MAX_ROW_HEIGHT = 409
BODY_FONT = "宋体"
HEAD_FONT = "黑体"
BODY_SIZE = 10
LINE_HEIGHT = 14.0  # points per line of 10-point text
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
FILL_IN_FILL = PatternFill("solid", fgColor="FFF2CC")  # the columns the township fills in
TITLE_ROW = 1
HEADER_ROW = 2
FIRST_DATA_ROW = 3
DATE_FORMAT = "yyyy-mm-dd"
SMALL_SIZE = 9  # the case id, page header and footer
MIN_PRINTED_PT = 9.0  # the smallest font size on paper (size x fit-to-width scale)
# Landscape A4 less the side margins, in Excel column-width units (7 px of 96 per inch each).
PAGE_WIDTH_IN = 297 / 25.4
SIDE_MARGIN_IN = 0.2
# 7 % is left for other renderers: LibreOffice lays the same columns out about 6.5 % wider.
PAGE_UNITS = (PAGE_WIDTH_IN - 2 * SIDE_MARGIN_IN) * 96 / 7 * 0.93


@dataclass(frozen=True)
class Column:
    header: str
    max_width: int = 40  # display width (CJK = 2) beyond which the text wraps
    min_width: int = 4
    wrap: bool = False
    fill_in: bool = False  # left empty for the township to fill (整改台账)
    number_format: str | None = None
    align: str = "left"
    printed: bool = True  # False: on screen only, right of the print area
    size: int | None = None  # font size when not BODY_SIZE (the case id is SMALL_SIZE)


def display_width(text: object) -> int:
    """Width of ``text`` in half-width cells: wide and full-width characters count 2."""
    if text is None:
        return 0
    s = text.strftime("%Y-%m-%d") if isinstance(text, (date, datetime)) else str(text)
    return len(s) if s.isascii() and "\n" not in s else _text_width(s)


@lru_cache(maxsize=1 << 16)
def _text_width(s: str) -> int:
    """(Lists repeat their words - villages, rule names, statuses - so widths are remembered.)"""
    longest = 0
    for line in s.split("\n"):
        longest = max(longest, sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line))
    return longest


def shown(value: object, number_format: str | None) -> object:
    """A number as its ``number_format`` shows it (``0.0%``, ``#,##0.00``): what takes the room."""
    if not number_format or not isinstance(value, (int, float)) or isinstance(value, bool):
        return value
    if number_format.endswith("%"):
        return f"{value * 100:.1f}%"
    return f"{value:,.2f}" if "0.00" in number_format else f"{value:,}"


@lru_cache(maxsize=1)
def _wide() -> str:
    """A regex class of the characters ``display_width`` counts double (East Asian Wide and
    Full-width), worked out once from ``unicodedata``."""
    spans: list[list[int]] = []
    for cp in range(0x110000):
        if unicodedata.east_asian_width(chr(cp)) in "WF":
            if spans and spans[-1][1] == cp - 1:
                spans[-1][1] = cp
            else:
                spans.append([cp, cp])
    return "[" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" if a != b else f"\\x{{{a:x}}}" for a, b in spans) + "]"


def _line_widths(text: pl.Expr) -> pl.Expr:
    """Each line's ``display_width`` of a text column, as a list."""
    return text.str.split("\n").list.eval(pl.element().str.len_chars() + pl.element().str.count_matches(_wide()))


def _room(width: float) -> float:
    # a tenth spare: digits and Latin letters of CJK fonts run wider than half
    return max(width * 0.9, 1)


def _lines(text: object, width: float) -> int:
    """Lines ``text`` takes in a wrapped cell ``width`` wide (``_lines_expr``: of a text column)."""
    if text is None or text == "":
        return 1
    return sum(max(1, math.ceil(display_width(part) / _room(width))) for part in str(text).split("\n"))


def _lines_expr(text: pl.Expr, width: float) -> pl.Expr:
    """``_lines`` of each value of a text column."""
    return _line_widths(text).list.eval((pl.element() / _room(width)).ceil().clip(lower_bound=1)).list.sum().fill_null(1)


def _excel_width(cells: float) -> float:
    # Excel's width unit is one '0' of the default font (Calibri 11, 7 px); a half-width character
    # of 宋体 10pt is 6.7 px and a CJK one twice that; 1.5 units pad the cell.
    return round(cells * 0.95 + 1.5, 1)


def fit_widths(columns: Sequence[Column], rows: Rows) -> list[int]:
    """Display width of each column: its longest value, between min_width and max_width; a header
    longer than that wraps onto two lines rather than widening a column of short values."""
    frame = sheetrows.table(rows, len(columns))
    longest = _longest(frame, columns)
    widths = []
    for i, c in enumerate(columns):
        w = max(c.min_width, min(c.max_width, longest[i]))
        head = display_width(c.header)
        if head > w:
            w = max(w, min(head, math.ceil(head / 2) + 1))
        widths.append(w)
    return widths


def _longest(frame: pl.DataFrame, columns: Sequence[Column]) -> list[int]:
    """The widest value of each column as shown (``display_width`` of ``shown``), in one pass over
    ``frame``: texts measured line by line, numbers by the widest of their smallest and largest
    (a format's width grows with the magnitude), dates as ``yyyy-mm-dd``."""
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Utf8:
            exprs.append(_line_widths(col).list.max().max().alias(name))
        elif dtype.is_numeric():
            exprs += [col.min().alias(f"{name}<"), col.max().alias(f"{name}>")]
            if dtype.is_float():
                exprs.append(col.cast(pl.Utf8).str.len_chars().max().alias(name))
        elif dtype == pl.Date or isinstance(dtype, pl.Datetime):
            exprs.append(pl.when(col.is_not_null().any()).then(pl.lit(10)).otherwise(0).alias(name))
        else:
            exprs.append(col.cast(pl.Utf8).str.len_chars().max().alias(name))
    found = frame.select(exprs).row(0, named=True) if exprs and frame.height else {}
    longest = []
    for i, c in enumerate(columns):
        widths = [0]
        for name in (str(i), str(i) + sheetrows.NUMBER):
            if f"{name}<" in found and (c.number_format or name not in found):
                widths += [display_width(shown(found[f"{name}{end}"], c.number_format)) for end in "<>"]
            elif name in found:
                widths.append(found[name] or 0)
        longest.append(max(widths))
    return longest


def excel_units(widths: Sequence[int]) -> float:
    return sum(_excel_width(w) for w in widths)


def fit_page(columns: Sequence[Column], widths: Sequence[int], units: float = PAGE_UNITS) -> list[int]:
    """``widths`` with the printed wrapped columns narrowed (widest first, not below their
    ``min_width``) until the printed columns fit ``units``; what still does not fit is scaled down
    by Excel's fit-to-width."""
    out = list(widths)
    printed = [i for i, c in enumerate(columns) if c.printed]
    while excel_units([out[i] for i in printed]) > units:
        room = [i for i in printed if columns[i].wrap and out[i] > max(columns[i].min_width, 6)]
        if not room:
            break
        widest = max(room, key=lambda i: out[i])
        out[widest] -= 1
    return out


def print_scale(ws: Worksheet) -> float:
    """The scale Excel's fit-to-one-page-wide gives the print area of ``ws`` (1.0 when it fits):
    the printable width over the width of the printed columns (7 px per width unit)."""
    from openpyxl.utils import column_index_from_string

    area = ws.print_area
    last = ws.max_column
    if area:
        ref = area[0] if isinstance(area, (list, tuple)) else area
        last = column_index_from_string("".join(ch for ch in ref.split(":")[-1].split("!")[-1] if ch.isalpha()))
    used = 0.0
    for i in range(1, last + 1):
        dim = ws.column_dimensions.get(get_column_letter(i))
        used += dim.width if dim is not None and dim.width else 8.43
    margins = (ws.page_margins.left or 0) + (ws.page_margins.right or 0)
    page = (PAGE_WIDTH_IN - margins) * 96 / 7
    return min(1.0, page / used) if used else 1.0


def apply_widths(ws: Worksheet, widths: Sequence[int]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _excel_width(w)


def printed_count(columns: Sequence[Column]) -> int:
    return sum(1 for c in columns if c.printed) or len(columns)


def write_title(ws: Worksheet, row: int, text: str, ncols: int, size: int = 14, center: bool = True) -> None:
    """A title line merged across ``ncols`` columns."""
    cell = ws.cell(row, 1, text)
    cell.font = Font(name=HEAD_FONT, size=size, bold=True)
    cell.alignment = Alignment(horizontal="center" if center else "left", vertical="center", wrap_text=True)
    if ncols > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    ws.row_dimensions[row].height = (size * 1.5) * (text.count("\n") + 1) + 8


# Each workbook's looks, by name: openpyxl hashes every font, fill, border and alignment a cell is
# given; a look is made once per workbook and copied to the cells that wear it after (the township
# workbooks at 1M households: about 1.5 s of CPU less).
_LOOKS: WeakKeyDictionary[Workbook, dict[tuple, object]] = WeakKeyDictionary()


def _dressed(cell: Cell, look: tuple, dress: Callable[[Cell], None]) -> Cell:
    """``cell`` (as yet unstyled) in the look named ``look``: ``dress`` styles it the first time in
    its workbook, later cells get a copy of that style."""
    looks = _LOOKS.setdefault(cell.parent.parent, {})
    if look in looks:
        cell._style = copy(looks[look])
    else:
        dress(cell)
        looks[look] = copy(cell._style)
    return cell


def _head(cell: Cell, fill: PatternFill = HEADER_FILL) -> Cell:
    """A header cell: bold, shaded (``fill``), centred, wrapped, boxed."""

    def dress(cell: Cell) -> None:
        cell.font = Font(name=HEAD_FONT, size=BODY_SIZE, bold=True)
        cell.fill = fill
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    return _dressed(cell, ("head", fill.fgColor.rgb), dress)


def _style_id(ws: Worksheet, font: Font, c: Column, dtype: pl.DataType) -> int:
    """The style index of a data cell of column ``c`` (``dtype``: its values'; a date column
    without a ``number_format`` shows as openpyxl shows a date)."""
    fmt = c.number_format or next((f for t, f in sheetrows.DATE_FORMATS.items() if dtype == t), None)

    def dress(cell: Cell) -> None:
        cell.font = Font(name=font.name, size=c.size, bold=font.bold) if c.size else font
        cell.border = BORDER
        cell.alignment = Alignment(horizontal=c.align, vertical="top", wrap_text=c.wrap)
        if fmt:
            cell.number_format = fmt

    look = ("data", font.name, font.size, font.bold, c.size, c.align, c.wrap, fmt)
    return _dressed(Cell(ws), look, dress).style_id


def _heights(frame: pl.DataFrame, columns: Sequence[Column], widths: Sequence[int]) -> pl.Expr:
    """Each row's height: enough lines for its longest wrapped text (``_lines``), at most Excel's."""
    lines = [
        _lines_expr(pl.col(str(i)), widths[i])
        for i, c in enumerate(columns)
        if c.wrap and frame.schema[str(i)] == pl.Utf8
    ]
    most = pl.max_horizontal(*lines) if lines else pl.lit(1)
    return (most * LINE_HEIGHT + 4).clip(upper_bound=MAX_ROW_HEIGHT).cast(pl.Float64)


def write_block(
    ws: Worksheet,
    row: int,
    columns: Sequence[Column],
    rows: Rows,
    widths: Sequence[int],
    empty_note: str | None = None,
    total_last: bool = False,
) -> int:
    """Headers in ``row``, data below; returns the last row written (``total_last``: bold last row).
    ``rows``: lists of values, or a frame with the columns in order (``sheetrows.table``).

    With no rows and ``empty_note``, the note is written on the next row across the columns (it is
    not a data row: its first cell stays empty).
    """
    n = len(columns)
    header_lines = 1
    for i, c in enumerate(columns):
        header_lines = max(header_lines, _lines(c.header, widths[i]))
        _head(ws.cell(row, i + 1, c.header), FILL_IN_FILL if c.fill_in else HEADER_FILL)
    ws.row_dimensions[row].height = LINE_HEIGHT * header_lines + 6

    body = Font(name=BODY_FONT, size=BODY_SIZE)
    frame = sheetrows.table(rows, n)
    if frame.height:
        # Each column's look is one style index; the rows go out as XML at save (``sheetrows``).
        dtypes = [frame.schema[str(i)] for i in range(n)]
        styles = [_style_id(ws, body, c, t) for c, t in zip(columns, dtypes)]
        bold = Font(name=HEAD_FONT, size=BODY_SIZE, bold=True)
        last = [_style_id(ws, bold, c, t) for c, t in zip(columns, dtypes)] if total_last else None
        return sheetrows.add(ws, row + 1, frame, styles, _heights(frame, columns, widths), last)
    if empty_note:
        note = ws.cell(row + 1, min(2, n), empty_note)
        note.font = body
        shown = printed_count(columns)
        if shown > 2:
            ws.merge_cells(start_row=row + 1, start_column=2, end_row=row + 1, end_column=shown)
        ws.row_dimensions[row + 1].height = LINE_HEIGHT + 8
        return row + 1
    return row


def _pair_value(cell: Cell) -> None:
    cell.font = Font(name=BODY_FONT, size=BODY_SIZE)
    cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    cell.border = BORDER


def _boxed(cell: Cell) -> None:
    cell.border = BORDER


def write_pairs(ws: Worksheet, row: int, pairs: Sequence[tuple[str, object]], widths: Sequence[int]) -> int:
    """Label in column A, its value merged across the other columns; returns the last row."""
    n = len(widths)
    room = sum(widths[1:]) or widths[0]
    for r, (label, value) in enumerate(pairs, start=row):
        _head(ws.cell(r, 1, label))
        _dressed(ws.cell(r, 2, value), ("pair value",), _pair_value)
        for c in range(3, n + 1):
            _dressed(ws.cell(r, c), ("boxed",), _boxed)
        if n > 2:
            ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=n)
        ws.row_dimensions[r].height = LINE_HEIGHT * _lines(value, room) + 6
    return row + len(pairs) - 1


def write_table(
    ws: Worksheet,
    title: str,
    columns: Sequence[Column],
    rows: Rows,
    empty_note: str | None = None,
    total_last: bool = False,
) -> int:
    """A list sheet: title in row 1, headers in row 2 (frozen), ``rows`` from row 3.

    Returns the last data row (``HEADER_ROW`` when there are no rows).
    """
    frame = sheetrows.table(rows, len(columns))
    widths = fit_page(columns, fit_widths(columns, frame))
    write_title(ws, TITLE_ROW, title, printed_count(columns))
    last = write_block(ws, HEADER_ROW, columns, frame, widths, empty_note, total_last)
    apply_widths(ws, widths)
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"  # (not ws.cell(): that would make a cell in the first data row)
    return last if frame.height else HEADER_ROW


def print_setup(
    ws: Worksheet,
    header_left: str,
    header_right: str,
    title_rows: str | None = f"{TITLE_ROW}:{HEADER_ROW}",
    printed_columns: int | None = None,
) -> None:
    """Landscape A4, fit to one page wide (as many pages tall as needed), titles on every page;
    ``printed_columns``: the print area is the first that many columns."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = SIDE_MARGIN_IN
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.page_margins.header = ws.page_margins.footer = 0.2
    if title_rows:
        ws.print_title_rows = title_rows
    if printed_columns and printed_columns < ws.max_column:
        ws.print_area = f"A1:{get_column_letter(printed_columns)}{sheetrows.last_row(ws)}"
    # Columns that fit print at 100 %; only wider ones are fitted to the width (LibreOffice's
    # fit-to-width also shrinks a sheet a little to save its last page: not at 100 %).
    fits = print_scale(ws) >= 1.0
    ws.sheet_properties.pageSetUpPr.fitToPage = not fits
    ws.page_setup.scale = 100 if fits else None
    for hf in (ws.oddHeader, ws.evenHeader, ws.firstHeader):
        hf.left.text = header_left
        hf.right.text = header_right
        hf.left.size = hf.right.size = SMALL_SIZE
    for hf in (ws.oddFooter, ws.evenFooter, ws.firstFooter):
        hf.center.text = "第 &P 页，共 &N 页"
        hf.center.size = SMALL_SIZE
        hf.right.text = "&A"
        hf.right.size = SMALL_SIZE
    ws.HeaderFooter.scaleWithDoc = False  # the 9 pt header and footer are not shrunk with the sheet
