"""Read one table out of a sheet's text grid (grid.py): header, title, blank and footer rows.

- the header row is the top row naming most known columns (header.py); rows above it are
  title rows;
- blank rows below the header are dropped and counted;
- the footer is the largest block at the end made only of blank rows and rows whose first
  non-empty cell starts with 合计 / 总计 / 小计 / 制表 / 填报 / 审核 / 负责人 / 单位 / 备注 /
  说明 / 注: dropped and counted.  Such a row in the middle of the data stays a data row;
- a sheet with no header or whose header is no table is a FileProblem holding every
  non-blank row, so no row is ever lost silently.
"""

from __future__ import annotations

import polars as pl

from pipeline.ingest import messages
from pipeline.ingest.grid import ROW_NUMBER, blank_rows, filled, letters, raw_by_letter
from pipeline.ingest.header import HEADER_SCAN_ROWS, MIN_HEADER_MATCHES, find_header_row, header_keys, recognise
from pipeline.ingest.model import FileProblem, SheetTable

FOOTER_PATTERN = r"^(合计|总计|小计|制表|填报|审核|负责人|单位|备注|说明|注)"


def read_sheet(file_name: str, sheet_name: str, grid: pl.DataFrame) -> SheetTable | FileProblem:
    """The sheet's table, or the problem that rejects the whole sheet."""
    blank = blank_rows(grid)
    if blank.all():
        return FileProblem(file_name, sheet_name, messages.empty(file_name, sheet_name))

    top = grid.head(HEADER_SCAN_ROWS).select(letters(grid)).rows()
    at = find_header_row(top)
    if at is None:
        message = messages.no_header(file_name, sheet_name, HEADER_SCAN_ROWS, MIN_HEADER_MATCHES)
        return FileProblem(file_name, sheet_name, message, rows=raw_by_letter(grid.filter(~blank)))

    headers = list(top[at])
    found = recognise(headers)
    if found.table is None:
        message = messages.no_table(file_name, sheet_name, found.closest, found.missing)
        rows = raw_by_letter(grid.filter(~blank))
        return FileProblem(file_name, sheet_name, message, found.closest, found.missing, rows)

    body, body_blank = grid.slice(at + 1), blank.slice(at + 1)
    ends = _data_end(body, body_blank)
    data = body.head(ends).filter(~body_blank.head(ends))
    header_map, columns, raw = _columns(found.table, headers, data)
    rows = data.select(
        pl.col(ROW_NUMBER),
        *columns,
        pl.struct(raw).struct.json_encode().alias("raw"),
    )
    return SheetTable(
        file_name=file_name,
        sheet_name=sheet_name,
        table=found.table,
        header_row=int(grid[ROW_NUMBER][at]),
        header_map=header_map,
        rows=rows,
        title_rows=int((~blank.head(at)).sum()),
        blank_rows=int(body_blank.sum()),
        footer_rows=int((~body_blank.slice(ends)).sum()),
    )


# Rows looked at from the end for the footer at first (a footer is a few rows): twice as many
# each time they are all footer or blank.
_FOOTER_ROWS = 256


def _data_end(body: pl.DataFrame, blank: pl.Series) -> int:
    """Number of body rows before the footer block (the body's last data row + 1), read from the
    end: only the footer and the last data row are looked at, not every row."""
    cols = letters(body)
    first = pl.coalesce([pl.when(filled(c)).then(pl.col(c)) for c in cols])
    footer = first.str.replace_all(r"\s", "").str.contains(FOOTER_PATTERN).fill_null(False)
    rows = _FOOTER_ROWS
    while True:
        start = max(body.height - rows, 0)
        kept = body.slice(start).select(footer.alias("footer")).to_series() | blank.slice(start)
        data_rows = (~kept).arg_true()
        if len(data_rows):
            return start + int(data_rows.max()) + 1
        if start == 0:
            return 0
        rows *= 2


def _columns(table: str, headers: list[str | None], data: pl.DataFrame):
    """header_map, the canonical key columns and the raw struct fields, in sheet order."""
    keys = header_keys(table, headers)
    header_map: dict[str, str | None] = {}
    columns: list[pl.Expr] = []
    raw: list[pl.Expr] = []
    for letter, header, key in zip(letters(data), headers, keys):
        named = header is not None and header.strip() != ""
        if not named:
            if data[letter].null_count() == data.height:
                continue  # a column with neither header nor data
            name = f"{letter}列"
        elif header in header_map:
            name = f"{header}（{letter}列）"
        else:
            name = header
        header_map[name] = key
        raw.append(pl.col(letter).alias(name))
        if key is not None:
            columns.append(pl.col(letter).alias(key))
    return header_map, columns, raw
