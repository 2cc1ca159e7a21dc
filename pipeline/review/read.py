"""Read the decisions out of review workbooks filled in by hand.

Any sheet whose header (within its first rows) holds ``对编号`` and ``判断`` is read, whatever was
done to the rest: file renamed, saved as .xls, rows inserted above, rows or blocks moved, columns
moved. A block is the rows sharing one 对编号; its decision is the block's non-empty 判断 cell (any
row of the block), its two records the ``识别键（勿改）`` row. A cell that cannot be read is an
``Issue`` naming file, sheet, row and column; its pair is not imported (nothing is guessed).

The header finding, quarter finding and the ``Issue`` are those of ``pipeline/feedback/read.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook, SheetTypeEnum

from pipeline.feedback.read import Issue, cell_at, find_header, folded_text, quarter_of_list
from pipeline.ingest.grid import column_letter
from pipeline.link.decisions import DIFFERENT, SAME, UNSURE
from pipeline.quarter import Quarter
from pipeline.review.export import KEY_ITEM
from pipeline.review.keys import KEY_COLUMNS, parse_key

HEADERS: dict[str, tuple[str, ...]] = {
    "pair": ("对编号", "记录对编号", "编号"),
    "item": ("项目", "字段"),
    "left": ("记录一", "记录1"),
    "right": ("记录二", "记录2"),
    "decision": ("判断", "判断结果", "是否同一人"),
    "who": ("判断人", "核对人", "确认人"),
    "remark": ("备注", "说明"),
}
_ALIASES = {folded_text(h): f for f, hs in HEADERS.items() for h in hs}
# What people type, folded (no spaces, full-width forms) -> the decision.
ANSWERS = {
    SAME: ("同一人", "是同一人", "是", "同一个人", "相同"),
    DIFFERENT: ("不是同一人", "非同一人", "不是", "否", "不同人", "不是同一个人", "两个人"),
    UNSURE: ("无法判断", "不确定", "待定", "无法确定", "不清楚"),
}
_ANSWER = {folded_text(a): d for d, words in ANSWERS.items() for a in words}


@dataclass
class ReviewRead:
    file: str
    quarter: str | None
    rows: list[dict] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    undecided: int = 0  # blocks left empty
    sheets: list[str] = field(default_factory=list)


def _sheets(path: Path) -> list[tuple[str, list[list[object]]]]:
    book = CalamineWorkbook.from_path(str(path))
    try:
        return [
            (meta.name, book.get_sheet_by_index(k).to_python(skip_empty_area=False))
            for k, meta in enumerate(book.sheets_metadata)
            if meta.typ == SheetTypeEnum.WorkSheet
        ]
    finally:
        book.close()


def read_review(path: Path | str, quarter: str | None = None) -> ReviewRead:
    """Every decided pair of one review workbook, and every cell that could not be read."""
    path = Path(path)
    out = ReviewRead(path.name, None)
    try:
        sheets = _sheets(path)
    except Exception as e:
        out.issues.append(Issue(path.name, None, None, None, None, f"无法作为 Excel 工作簿打开：{e}"))
        return out
    q = quarter_of_list(path, sheets, quarter)
    if q is None:
        out.issues.append(Issue(path.name, None, None, None, None, "看不出这是哪个季度导出的核对表，请用 --quarter 指明（如 2026Q3）"))
        return out
    out.quarter = str(Quarter.parse(q))
    for name, rows in sheets:
        found = find_header(rows, _ALIASES, {"pair", "decision", "item", "left", "right"})
        if found is not None:
            out.sheets.append(name)
            _read_sheet(out, name, rows, *found)
    if not out.sheets:
        out.issues.append(Issue(path.name, None, None, None, None, "没有找到含“对编号”和“判断”列的工作表（可能不是 doudi 导出的疑似同一人核对表）"))
    return out


def _read_sheet(out: ReviewRead, sheet: str, rows: list[list[object]], head: int, cols: dict[str, int]) -> None:
    blocks: dict[str, dict] = {}
    for i in range(head + 1, len(rows)):
        code = cell_at(rows, i, cols["pair"])
        if code is None:
            continue
        block = blocks.setdefault(re.sub(r"\s+", "", str(code)), {"answers": [], "keys": None})
        if folded_text(cell_at(rows, i, cols["item"])) == folded_text(KEY_ITEM):
            block["keys"] = (i + 1, cell_at(rows, i, cols["left"]), cell_at(rows, i, cols["right"]))
        answer = cell_at(rows, i, cols["decision"])
        if answer is not None:
            who, remark = cell_at(rows, i, cols.get("who")), cell_at(rows, i, cols.get("remark"))
            block["answers"].append((i + 1, answer, who, remark))
    for code, block in blocks.items():
        _read_block(out, sheet, cols, code, block)


def _read_block(out: ReviewRead, sheet: str, cols: dict[str, int], code: str, block: dict) -> None:
    def issue(row: int | None, f: str | None, value, message: str) -> Issue:
        column = None if f is None else f"{column_letter(cols[f])}（{HEADERS[f][0]}）"
        return Issue(out.file, sheet, row, column, None if value is None else str(value), message)

    if not block["answers"]:
        out.undecided += 1
        return
    decisions = []
    for row, answer, who, remark in block["answers"]:
        d = _ANSWER.get(folded_text(answer))
        if d is None:
            out.issues.append(issue(row, "decision", answer, f"判断只能是 同一人 / 不是同一人 / 无法判断（对 {code}）"))
            return
        decisions.append((row, d, who, remark))
    if len({d for _, d, _, _ in decisions}) > 1:
        out.issues.append(issue(decisions[0][0], "decision", None, f"对 {code} 填了相互矛盾的判断，请只保留一个"))
        return
    row, decision, who, remark = decisions[0]
    if block["keys"] is None:
        out.issues.append(issue(row, "item", None, f"对 {code} 缺少“{KEY_ITEM}”一行，无法确定是哪两条记录"))
        return
    key_row, left, right = block["keys"]
    sides = parse_key(left or ""), parse_key(right or "")
    if None in sides:
        out.issues.append(issue(key_row, "left", left, f"对 {code} 的识别键被修改，无法确定是哪两条记录"))
        return
    entry = {
        "decision": decision,
        "decided_by": None if who is None else str(who).strip(),
        "remark": None if remark is None else str(remark).strip(),
        "exported_quarter": out.quarter,
        "key_l": str(left).strip(),
        "key_r": str(right).strip(),
        "source_file": out.file,
        "source_sheet": sheet,
        "source_row": row,
    }
    for s, values in zip(("l", "r"), sides):
        entry |= {f"{c}_{s}": values[c] for c in KEY_COLUMNS}
    out.rows.append(entry)
