"""The 整改台账: the empty columns a township fills in for each case, with choice lists and dates."""

from __future__ import annotations

from datetime import date

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.report.layout import DATE_FORMAT, Column

VERIFY_CHOICES = ("属实", "不属实", "部分属实")
# Suggestions only: 整改措施 accepts any text (the list does not refuse other entries).
MEASURE_CHOICES = ("纳入保障", "补发待遇", "停发退出", "追回资金", "调整标准", "更正信息", "转残联办证", "无需整改")
DATE_FIRST = date(2000, 1, 1)
DATE_LAST = date(2099, 12, 31)

# Wide enough to write in by hand on the printed list (10 pt: a width of 10 is about 2 cm).
COLUMNS = (
    Column("核查结果", min_width=10, max_width=10, fill_in=True, align="center"),
    Column("整改措施", min_width=16, max_width=18, fill_in=True, wrap=True),
    Column("整改时限", min_width=12, max_width=12, fill_in=True, number_format=DATE_FORMAT, align="center", wrap=True),
    Column("责任人", min_width=8, max_width=8, fill_in=True),
    Column("销号日期", min_width=12, max_width=12, fill_in=True, number_format=DATE_FORMAT, align="center"),
)
DATE_HEADERS = ("销号日期",)
# 整改时限 takes a date or words (``12月底``, ``长期坚持``): ``doudi feedback import`` reads both.
DEADLINE_PROMPT = "填写日期（如 2026-12-31），或“12月底”“长期坚持”“立行立改”等"


def _list(choices: tuple[str, ...], strict: bool, title: str) -> DataValidation:
    dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
    dv.showDropDown = False  # (sic: False shows the in-cell arrow)
    dv.showErrorMessage = strict
    dv.errorTitle = title
    dv.error = f"请从下拉列表中选择：{'、'.join(choices)}"
    dv.showInputMessage = True
    dv.promptTitle = title
    dv.prompt = "请选择：" + "、".join(choices) if strict else "可从列表选择，也可直接填写"
    return dv


def _dates(title: str) -> DataValidation:
    dv = DataValidation(
        type="date",
        operator="between",
        formula1=str((DATE_FIRST - date(1899, 12, 30)).days),
        formula2=str((DATE_LAST - date(1899, 12, 30)).days),
        allow_blank=True,
    )
    dv.showErrorMessage = True
    dv.errorTitle = title
    dv.error = "请填写日期，如 2026-10-15"
    dv.showInputMessage = True
    dv.promptTitle = title
    dv.prompt = "填写日期，如 2026-10-15"
    return dv


def _free_text(title: str, prompt: str) -> DataValidation:
    """No check, only the prompt shown when the cell is selected."""
    dv = DataValidation(allow_blank=True)
    dv.showErrorMessage = False
    dv.showInputMessage = True
    dv.promptTitle = title
    dv.prompt = prompt
    return dv


def add_validations(ws: Worksheet, headers: list[str], first_row: int, last_row: int) -> None:
    """Choice lists and date checks on the 整改台账 columns of rows ``first_row``..``last_row``."""
    if last_row < first_row:
        return
    col = {h: get_column_letter(headers.index(h) + 1) for h in headers}
    rng = lambda h: f"{col[h]}{first_row}:{col[h]}{last_row}"  # noqa: E731
    checks = [
        (_list(VERIFY_CHOICES, True, "核查结果"), "核查结果"),
        (_list(MEASURE_CHOICES, False, "整改措施"), "整改措施"),
        (_free_text("整改时限", DEADLINE_PROMPT), "整改时限"),
        *[(_dates(h), h) for h in DATE_HEADERS],
    ]
    for dv, header in checks:
        dv.add(rng(header))
        ws.add_data_validation(dv)
