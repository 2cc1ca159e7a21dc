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
"""

from __future__ import annotations

from dataclasses import dataclass

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
    head = lxml.html.document_fromstring(data[:_HEAD].decode("latin-1") or "<html></html>")
    for meta in head.iter("meta"):
        charset = meta.get("charset")
        content = meta.get("content") or ""
        if not charset and "charset=" in content.lower():
            charset = content.lower().split("charset=", 1)[1].split(";")[0]
        if charset:
            return charset.strip().strip("\"'").lower()
    return None


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): BOM, else the declared charset, else UTF-8, else GB18030."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace"), encoding
    declared = _declared_charset(data)
    if declared in _GB:
        declared = "gb18030"
    if declared:
        try:
            return data.decode(declared, errors="replace"), declared
        except LookupError:
            pass  # a charset Python does not know: guess as if none were declared
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace"), "gb18030"


def _cell_text(cell) -> str | None:
    """What the cell shows: white space folded to one space, <br> kept as a line break."""
    for br in cell.iter("br"):
        br.tail = _BR + (br.tail or "")
    lines = (" ".join(part.split()) for part in cell.text_content().split(_BR))
    text = "\n".join(lines).strip("\n")
    return text or None


def _span(cell, name: str, limit: int) -> int:
    try:
        value = int((cell.get(name) or "1").strip())
    except ValueError:
        return 1
    return limit if value == 0 else max(1, min(value, limit))


def _rows(table) -> list:
    """The table's own rows in order (those of a nested table are not its rows)."""
    return table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")


def _placed(rows) -> list[list[str | None]]:
    """The table as a rectangle of cell texts, spans filled (the HTML table model)."""
    grid: dict[tuple[int, int], str | None] = {}
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for cell in row.xpath("./td | ./th"):
            while (r, c) in grid:
                c += 1
            text = _cell_text(cell)
            down, across = _span(cell, "rowspan", len(rows) - r), _span(cell, "colspan", 1000)
            for dr in range(down):
                for dc in range(across):
                    grid[(r + dr, c + dc)] = text
            c += across
            width = max(width, c)
    return [[grid.get((r, c)) for c in range(width)] for r in range(len(rows))]


def read_html(data: bytes) -> list[HtmlTable]:
    """Every table of the page (raises lxml's ParserError when it is no HTML at all)."""
    text, _ = decode(data)
    page = lxml.html.document_fromstring(text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    first_row = 1  # Excel row of the page's first <tr>
    tables = []
    for number, table in enumerate(page.xpath("//table[not(.//table)]"), start=1):
        rows = _rows(table)
        if not rows:
            continue
        cells = _placed(rows)
        columns = [pl.Series(column, dtype=pl.String) for column in zip(*cells)]
        numbers = pl.int_range(first_row, first_row + len(rows), eager=True)
        tables.append(HtmlTable(number, build_grid(columns, numbers)))
        first_row += len(rows)
    return tables
