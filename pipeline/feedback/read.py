"""Read the 整改台账 columns out of township workbooks filled in by hand.

Any sheet whose header (within its first rows) holds ``问题编号`` and ``核查结果`` is read: the
eight sieve sheets and the 核实不属实 sheet of ``pipeline/report``, whatever the township did to
the rest (rows inserted above, columns moved, sheets renamed, saved as .xls by WPS).  A row with
nothing in the 整改台账 columns is not an answer and is skipped.  A cell that cannot be read is an
``Issue`` naming file, sheet, row and column; its row is not imported (nothing is guessed), the
other rows are.

The quarter of a workbook: ``--quarter`` when given, else the document property the report writes
(``doudi 2026Q3 …``), else ``2026Q3`` in the file name, else ``2026年第三季度`` in a sheet title.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
from python_calamine import CalamineWorkbook, SheetTypeEnum

from pipeline.feedback import parse
from pipeline.ingest.grid import column_letter
from pipeline.quarter import Quarter

# field -> the headers it is found under (compared without spaces, line breaks or full-width forms).
HEADERS: dict[str, tuple[str, ...]] = {
    "case_id": ("问题编号", "问题ID", "编号(勿改)", "case_id"),
    "check": ("核查结果", "核实结果", "核查情况"),
    "rectification": ("整改措施", "整改情况"),
    "deadline": ("整改时限", "整改期限", "完成时限"),
    "responsible": ("责任人", "整改责任人"),
    "closed": ("销号日期", "销号时间"),
    "remark": ("备注", "说明", "不属实理由", "不属实原因"),
}
FILL_IN = ("check", "rectification", "deadline", "responsible", "closed", "remark")
WORDS = {"case_id": "问题编号", "check": "核查结果", "rectification": "整改措施", "deadline": "整改时限",
         "responsible": "责任人", "closed": "销号日期", "remark": "备注"}
HEADER_SCAN_ROWS = 12
# Written by pipeline/report/workbook.py into the workbook's keywords: "doudi 2026Q3 青山镇".
PROPERTY_PREFIX = "doudi"

FEEDBACK_SCHEMA = {
    "quarter": pl.Utf8,
    "case_id": pl.Utf8,
    "check_result": pl.Utf8,
    "rectification": pl.Utf8,
    "deadline": pl.Date,
    "deadline_note": pl.Utf8,
    "responsible": pl.Utf8,
    "closed_date": pl.Date,
    "remark": pl.Utf8,
    "rectified": pl.Boolean,
    "source_file": pl.Utf8,
    "source_sheet": pl.Utf8,
    "source_row": pl.Int64,
}
_Q_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True)
class Issue:
    file: str
    sheet: str | None
    row: int | None
    column: str | None  # "C（核查结果）"
    value: str | None
    message: str
    imported: bool = False  # True: a warning, the row was still imported

    def __str__(self) -> str:
        where = "，".join(
            p for p in (self.file, self.sheet and f"工作表“{self.sheet}”", self.row and f"第 {self.row} 行", self.column and f"{self.column}列") if p
        )
        return f"{where}：{self.message}" + ("（已导入）" if self.imported else "（该行未导入）" if self.row else "")


@dataclass
class WorkbookRead:
    file: str
    quarter: str | None
    rows: list[dict] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    blank_rows: int = 0
    sheets: list[str] = field(default_factory=list)


def folded_text(value: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))) if value not in (None, "") else ""


_ALIASES = {folded_text(h): f for f, hs in HEADERS.items() for h in hs}


def find_header(rows: list[list[object]], aliases: dict[str, str], needed: set[str]) -> tuple[int, dict[str, int]] | None:
    """(index of the header row, field -> column index) of the first row naming every ``needed``
    field; ``aliases``: folded header text -> field.  Rows inserted above it, columns moved: found."""
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for j, cell in enumerate(row):
            f = aliases.get(folded_text(cell))
            if f and f not in found:
                found[f] = j
        if needed <= found.keys():
            return i, found
    return None


def quarter_in(text: str) -> str | None:
    if m := re.search(r"(\d{4})\s*[Qq]([1-4])", text):
        return f"{m.group(1)}Q{m.group(2)}"
    if m := re.search(r"(\d{4})年第([一二三四1-4])季度", text):
        return f"{m.group(1)}Q{_Q_WORDS[m.group(2)]}"
    return None


def quarter_of_workbook(path: Path) -> str | None:
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        words = " ".join(w for w in (wb.properties.keywords, wb.properties.subject) if w)
        wb.close()
    except Exception:
        return None
    return quarter_in(words) if PROPERTY_PREFIX in words else None


def quarter_of_list(path: Path, sheets: list[tuple[str, list[list[object]]]], given: str | None) -> str | None:
    """The quarter a returned workbook belongs to: as given, else from the file's properties (doudi
    writes it there), its name, or the sheets' title rows."""
    titles = " ".join(str(r[0][0]) for _, r in sheets if r and r[0] and r[0][0])
    return given or quarter_of_workbook(path) or quarter_in(path.name) or quarter_in(titles)


def cell_at(rows: list[list[object]], i: int, j: int | None) -> object:
    if j is None or j >= len(rows[i]):
        return None
    v = rows[i][j]
    if isinstance(v, str) and not v.strip():
        return None
    return v


def _shown(value: object) -> str | None:
    return None if value is None else str(value)


def read_workbook(path: Path | str, quarter: str | None = None, today: date | None = None) -> WorkbookRead:
    """Every answered row of one township workbook, and every cell that could not be read or does
    not make sense (``today``: the import date, after which no case can have been closed)."""
    path = Path(path)
    out = WorkbookRead(path.name, None)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as e:
        out.issues.append(Issue(path.name, None, None, None, None, f"无法作为 Excel 工作簿打开：{e}"))
        return out
    sheets = []
    try:
        for k, meta in enumerate(book.sheets_metadata):
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_index(k)
            rows = sheet.to_python(skip_empty_area=False)
            sheets.append((meta.name, rows))
    finally:
        book.close()
    lists = [(name, rows, found) for name, rows in sheets if (found := find_header(rows, _ALIASES, {"case_id", "check"})) is not None]
    if not lists:  # said before asking for a quarter: --quarter would not help
        out.issues.append(
            Issue(path.name, None, None, None, None, "这不是 doudi 生成的“九过筛子”清单：没有一张工作表含“问题编号”和“核查结果”列，未导入")
        )
        return out
    q = quarter_of_list(path, sheets, quarter)
    if q is None:
        out.issues.append(Issue(path.name, None, None, None, None, "看不出这是哪个季度的清单，请用 --quarter 指明（如 2026Q3）"))
        return out
    out.quarter = str(Quarter.parse(q))
    qq = Quarter.parse(out.quarter)
    for name, rows, (head, cols) in lists:
        out.sheets.append(name)
        for i in range(head + 1, len(rows)):
            _read_row(out, name, rows, i, cols, qq, today or date.today())
    return out


def _read_row(out: WorkbookRead, sheet: str, rows: list[list[object]], i: int, cols: dict[str, int], q: Quarter, today: date) -> None:
    excel_row = i + 1  # to_python(skip_empty_area=False) starts at A1
    values = {f: cell_at(rows, i, cols.get(f)) for f in HEADERS}
    if all(values[f] is None for f in FILL_IN):
        if values["case_id"] is not None:
            out.blank_rows += 1
        return

    def issue(f: str | None, message: str, imported: bool = False) -> Issue:
        column = None if f is None else f"{column_letter(cols[f])}（{WORDS[f]}）"
        return Issue(out.file, sheet, excel_row, column, _shown(values.get(f)) if f else None, message, imported)

    case_id = parse.text(values["case_id"])
    if case_id is None:
        out.issues.append(issue("case_id", "填写了核查结果或整改情况，但问题编号为空，无法对应到问题"))
        return
    problems: list[Issue] = []
    row: dict = {"quarter": out.quarter, "case_id": case_id.replace(" ", ""), "source_file": out.file, "source_sheet": sheet, "source_row": excel_row}
    answer = None
    try:
        answer = parse.answer(values["check"])
    except parse.Unreadable as e:
        problems.append(issue("check", str(e)))
    try:
        due = parse.deadline(values["deadline"], q)
    except parse.Unreadable as e:
        problems.append(issue("deadline", str(e)))
        due = None
    try:
        closed = parse.a_date(values["closed"], q)
    except parse.Unreadable as e:
        problems.append(issue("closed", str(e)))
        closed = None
    problems += _implausible(closed, answer, today, issue)
    if problems:
        out.issues.extend(problems)
        return
    rectification = parse.text(values["rectification"])
    remarks = [r for r in (answer.reason if answer else None, parse.text(values["remark"])) if r]
    remark = "；".join(remarks) or None
    result = answer.result if answer else None
    rectified = bool(
        (answer and answer.rectified)
        or closed is not None
        or any(parse.RECTIFIED_WORDS.search(t) for t in (rectification, remark) if t)
    )
    row |= {
        "check_result": result,
        "rectification": rectification,
        "deadline": due.when if due else None,
        "deadline_note": due.note if due else None,
        "responsible": parse.text(values["responsible"]),
        "closed_date": closed,
        "remark": remark,
        "rectified": rectified,
    }
    if result == "不属实" and not (rectification or remark):
        out.issues.append(issue("check", "核查结果为不属实，但没有写明理由（请写在整改措施或备注中）", imported=True))
    out.rows.append(row)


def _implausible(closed: date | None, answer: parse.Answer | None, today: date, issue) -> list[Issue]:
    """A 销号 that cannot be: dated after the import, or with no 核查结果 (the row is not imported).
    (A 销号日期 before the case existed is checked on import, against the case.)"""
    if closed is None:
        return []
    out = []
    if closed > today:
        out.append(issue("closed", f"销号日期 {closed:%Y-%m-%d} 晚于今天（{today:%Y-%m-%d}），请核对"))
    if answer is None:
        out.append(issue("check", f"填写了销号日期 {closed:%Y-%m-%d}，但核查结果为空：请先填写核查结果"))
    return out


def frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=FEEDBACK_SCHEMA)
