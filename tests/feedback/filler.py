"""Fill a generated township workbook the way township staff do: by hand, sloppily, some rows only."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl

from pipeline.report.layout import FIRST_DATA_ROW, HEADER_ROW
from pipeline.report.terms import DISPUTED_SHEET, SIEVES

CASE_SHEETS = [s.sheet for s in SIEVES.values()] + [DISPUTED_SHEET]
# 销号日期 as people type it: all mean 2026-10-08.
SLOPPY_DATES = ["2026.10.8", "2026年10月8日", "10月8日", datetime(2026, 10, 8), " ２０２６－１０－０８ ", 46303, "2026/10/8号"]
CONFIRMED = ["属实", " 属 实 ", "情况属实", "是", "属实。"]


def headers(ws) -> dict[str, int]:
    return {str(c.value).replace("\n", ""): c.column for c in ws[HEADER_ROW] if c.value}


def case_rows(ws):
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        if isinstance(ws.cell(r, 1).value, int):
            yield r


def fill(src: Path, dst: Path) -> dict:
    """Answer the rows of ``src`` in turn: 属实 + measure + 销号日期 (a sloppy date), 不属实 with a
    reason, 部分属实 with a deadline only, left blank; one row answered "待查" and one 销号日期
    "十月上旬" (neither readable).  Returns what was written, per case_id, and the unreadable cells."""
    wb = openpyxl.load_workbook(src)
    answers: dict[str, dict] = {}
    bad: list[dict] = []
    i = 0
    for name in CASE_SHEETS:
        ws = wb[name]
        col = headers(ws)
        for r in case_rows(ws):
            case_id = ws.cell(r, col["问题编号"]).value
            kind = i % 4
            if i == 2:  # an answer nobody can read
                ws.cell(r, col["核查结果"], "待查")
                ws.cell(r, col["责任人"], "李四")
                bad.append({"sheet": name, "row": r, "column": "核查结果", "value": "待查", "case_id": case_id})
            elif i == 6:  # a date nobody can read
                ws.cell(r, col["核查结果"], "属实")
                ws.cell(r, col["销号日期"], "十月上旬")
                bad.append({"sheet": name, "row": r, "column": "销号日期", "value": "十月上旬", "case_id": case_id})
            elif kind == 0:
                ws.cell(r, col["核查结果"], CONFIRMED[(i // 4) % len(CONFIRMED)])
                ws.cell(r, col["整改措施"], " 已纳入低保，停发  ")
                ws.cell(r, col["责任人"], "王五 ")
                ws.cell(r, col["销号日期"], SLOPPY_DATES[(i // 4) % len(SLOPPY_DATES)])
                answers[case_id] = {"result": "属实", "rectified": True, "closed": "2026-10-08"}
            elif kind == 1:
                if (i // 4) % 2:
                    ws.cell(r, col["核查结果"], "不属实，系同名同姓，非本人")
                else:
                    ws.cell(r, col["核查结果"], "不属实")
                    ws.cell(r, col["整改措施"], "经入户核实，数据有误（系同名同姓）")
                answers[case_id] = {"result": "不属实", "rectified": False, "closed": None}
            elif kind == 2:
                ws.cell(r, col["核查结果"], "部份属实")
                ws.cell(r, col["整改时限"], "12月底")
                answers[case_id] = {"result": "部分属实", "rectified": False, "closed": None, "deadline": "2026-12-31"}
            i += 1
    wb.save(dst)
    return {"answers": answers, "bad": bad}
