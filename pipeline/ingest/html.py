"""Read an "Excel" file that is really an HTML page (what web-based 救助 / 医保 systems export).

Such a file is named ``.xls`` and Excel opens it as a sheet; it is read here the way Excel
shows it:

- encoding: a byte-order mark, else the page's ``<meta charset>`` (or ``http-equiv``
  content type), else UTF-8 when the bytes decode, else GB18030 (a superset of GBK / GB2312);
- every ``<table>`` holding no other table is one grid (a layout table around the data table
  is not read twice); ``<th>`` and ``<td>`` cells alike;
- ``colspan`` / ``rowspan``: the cell's value goes to every cell of its span, like merged
  Excel cells (a household's 户主身份证号 spanning its member rows belongs to each row);
- a cell's text is what the page shows: white space runs (``&nbsp;`` included) become one
  space, ``<br>`` a line break; numbers stay text exactly as written (an ID number keeps all
  its digits);
- row numbers: one ``<tr>`` is one Excel row, counted from 1 over the whole page in order
  (Excel puts the page's tables one below the other on its one sheet).

Cells are collected from lxml's tree one element at a time (there is no columnar HTML reader);
the text rule is then applied a column at a time by polars.  A 50,000-row, 15-column page with
household rowspans reads in about 3 s, like an .xlsx of the same rows (benchmarks/bench_ingest.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest

import lxml.etree
import lxml.html
import polars as pl

from pipeline.ingest.grid import build_grid

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# Names pages use for Chinese code pages, all read as GB18030 (their superset).
_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}
_BR = "\ue000"  # a private-use character standing for a <br> while a cell's text is collected
_HEAD = 4096  # the meta charset is looked for in this many bytes from the top


@dataclass
class HtmlTable:
    """One table of the page: its number on the page (from 1) and its text grid."""

    number: int
    grid: pl.DataFrame


def looks_like_html(data: bytes) -> bool:
    """True when the bytes are an HTML page holding a table (not delimited text)."""
    head = data[:_HEAD].removeprefix(_BOMS[0][0]).lstrip(b" \t\r\n").lower()
    return head.startswith(b"<") and (b"<table" in data[:1 << 20].lower() or b"<html" in head)


def _declared_charset(data: bytes) -> str | None:
    """The charset the page declares in a <meta> tag (read from the ASCII head), if any."""
    try:
        head = lxml.html.document_fromstring(data[:_HEAD].decode("latin-1"))
    except (lxml.etree.ParserError, ValueError):
        return None
    for meta in head.iter("meta"):
        charset = meta.get("charset")
        content = meta.get("content") or ""
        if not charset and "charset=" in content.lower():
            charset = content.lower().split("charset=", 1)[1].split(";")[0]
        if charset:
            charset = charset.strip().strip("\"'").lower()
            return "gb18030" if charset in _GB else charset
    return None


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): BOM, else the declared charset when the bytes are in it, else UTF-8,
    else GB18030 (a page that declares UTF-8 but holds GBK bytes is read as GBK)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace"), encoding
    for encoding in (_declared_charset(data), "utf-8"):
        try:
            return data.decode(encoding), encoding
        except (TypeError, LookupError, UnicodeDecodeError):
            pass  # none declared, a charset Python does not know, or bytes not in it
    return data.decode("gb18030", errors="replace"), "gb18030"


def _raw_text(cell) -> str:
    """The cell's text as written (most cells hold only text: no join needed)."""
    return (cell.text or "") if len(cell) == 0 else "".join(cell.itertext())


def _shown(column: pl.Series) -> pl.Series:
    """What the page shows of each cell: white space runs (``&nbsp;`` too) one space, a <br> a
    line break, nothing at either end."""
    return (
        column.str.replace_all(r"\s+", " ")
        .str.replace_all(f" ?{_BR} ?", "\n")
        .str.strip_chars(" \n")
    )


def _span(cell, name: str, limit: int) -> int:
    value = cell.get(name)
    if value is None:
        return 1
    try:
        value = int(value.strip())
    except ValueError:
        return 1
    return limit if value == 0 else max(1, min(value, limit))


def _rows(table) -> list:
    """The table's own rows in order (those of a nested table are not its rows)."""
    return table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")


def _cells(row) -> list:
    return [child for child in row if child.tag in ("td", "th")]


def _placed(rows) -> list[list[str | None]]:
    """The table as rows of cell texts, spans filled (the HTML table model): ``covering[c]`` is
    the text a rowspan from above still puts in column ``c`` and for how many more rows."""
    covering: list[list] = []  # per column: [rows still covered, text]
    placed = []
    for r, row in enumerate(rows):
        line: list[str | None] = []
        for cell in _cells(row):
            while len(line) < len(covering) and covering[len(line)][0] > 0:
                _take(line, covering)
            text = _raw_text(cell)
            down, across = _span(cell, "rowspan", len(rows) - r), _span(cell, "colspan", 1000)
            for _ in range(across):
                if len(line) == len(covering):
                    covering.append([0, None])
                covering[len(line)] = [down - 1, text]
                line.append(text)
        while len(line) < len(covering):
            _take(line, covering)
        placed.append(line)
    return placed


def _take(line: list, covering: list[list]) -> None:
    """The next cell of ``line`` from a span above (or blank when none reaches it)."""
    cover = covering[len(line)]
    line.append(cover[1] if cover[0] > 0 else None)
    cover[0] = max(cover[0] - 1, 0)


def _table_cells(table, rows) -> list[list[str | None]]:
    """The table's cell texts, row by row (spans filled when the table has any)."""
    for br in table.iter("br"):
        br.tail = _BR + (br.tail or "")
    if table.xpath("boolean(.//*[@rowspan or @colspan])"):
        return _placed(rows)
    return [[_raw_text(cell) for cell in _cells(row)] for row in rows]


def read_html(data: bytes) -> list[HtmlTable]:
    """Every table of the page (raises lxml's ParserError when it is no HTML at all)."""
    text, _ = decode(data)
    page = lxml.etree.fromstring(text.encode("utf-8"), lxml.etree.HTMLParser(encoding="utf-8"))
    if page is None:
        return []
    first_row = 1  # Excel row of the page's first <tr>
    tables = []
    for number, table in enumerate(page.xpath("//table[not(.//table)]"), start=1):
        rows = _rows(table)
        if not rows:
            continue
        cells = _table_cells(table, rows)
        columns = [_shown(pl.Series(column, dtype=pl.String)) for column in zip_longest(*cells)]
        numbers = pl.int_range(first_row, first_row + len(rows), eager=True)
        tables.append(HtmlTable(number, build_grid(columns, numbers)))
        first_row += len(rows)
    return tables
