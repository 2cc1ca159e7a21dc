"""Fill a review workbook the way a person does, from the generator's truth: each block's 判断 and
判断人; optionally saved as .xls by another program, with rows inserted above and blocks moved."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import polars as pl

from pipeline.link.decisions import DIFFERENT, SAME

TRUTH_KEY = ["quarter", "file_name", "sheet_name", "row_number"]


def truth_persons(truth_dir: Path) -> dict[tuple, str]:
    t = pl.read_csv(truth_dir / "records.csv", infer_schema=False)
    t = t.with_columns(pl.col("row_number").cast(pl.Int64), pl.col("sheet_name").fill_null(""))
    return {tuple(r[:4]): r[4] for r in t.select(*TRUTH_KEY, "person_uid").iter_rows()}


def _location(file: str, where: str) -> tuple[str, str, int]:
    sheet, row = re.fullmatch(r"(.*) / 第(\d+)行", where).groups()
    return file, "" if sheet == "（CSV）" else sheet, int(row)


def blocks(ws) -> dict[str, dict]:
    """pair code -> {row of the 判断 cell, file / 工作表 / 行号 of each record}."""
    out: dict[str, dict] = {}
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "对编号")
    for r in range(header + 1, ws.max_row + 1):
        code, item = ws.cell(r, 1).value, ws.cell(r, 2).value
        if not code:
            continue
        b = out.setdefault(code, {})
        if item == "得分与依据":
            b["row"] = r
        elif item in ("文件", "工作表 / 行号"):
            b[item] = (ws.cell(r, 3).value, ws.cell(r, 4).value)
    for b in out.values():
        b["records"] = [_location(b["文件"][i], b["工作表 / 行号"][i]) for i in (0, 1)]
    return out


def fill_from_truth(src: Path, dst: Path, quarter: str, truth: dict[tuple, str], as_xls: bool = False) -> dict[str, str]:
    """Answer every block from the truth; return pair code -> decision written."""
    wb = openpyxl.load_workbook(src)
    ws = wb.active
    written = {}
    for code, b in blocks(ws).items():
        left, right = (truth[(quarter, *loc)] for loc in b["records"])
        decision = SAME if left == right else DIFFERENT
        ws.cell(b["row"], 6, decision if code != "P0001" else f" {decision} ")  # a stray space
        ws.cell(b["row"], 7, "张科员")
        written[code] = decision
    dst.parent.mkdir(parents=True, exist_ok=True)
    if as_xls:
        _save_as_xls(ws, dst)
    else:
        wb.save(dst)
    return written


def _save_as_xls(ws, dst: Path) -> None:
    """What WPS does on "save as .xls", plus a person's edits: two rows inserted above the header,
    the blocks in reverse order (each block's rows kept together)."""
    import xlwt

    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(i for i, r in enumerate(rows) if r[0] == "对编号")
    body = rows[header + 1 :]
    codes = list(dict.fromkeys(r[0] for r in body if r[0]))
    moved = [r for code in reversed(codes) for r in body if r[0] == code]
    out = [rows[0], ["（已核对）"], [], *rows[1:header + 1], *moved]
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("核对结果")
    for i, r in enumerate(out):
        for j, v in enumerate(r):
            if v is not None:
                sheet.write(i, j, v)
    book.save(str(dst))
