"""The province summary: one line per county (a quarter holding more than one county).

Each county's own files are in its folder (``reports/<quarter>/<县>/``); this workbook sets the
counties side by side with the same figures as each county's 概览 line 全县.  Each county's line is
made where its folder is written (``county_line``, from that county's data alone: on a cluster, by
the county's task), so the summary needs no county's persons or cases: its 合计 is the lines added,
with the cases of persons of no county (``write_province``'s ``nowhere``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from openpyxl import Workbook

from pipeline.report.figures import Progress, added, progress
from pipeline.report.files import save_workbook
from pipeline.report.layout import Column, print_setup, write_table
from pipeline.report.load import ReportData
from pipeline.report.summary import OVERVIEW_COLUMNS
from pipeline.report.terms import quarter_label
from pipeline.report.towns import townships

PROVINCE_SHEET = "各县汇总"
PROVINCE_ROW = "合计"
COLUMNS = (Column("县（市、区）", max_width=16), Column("乡镇数", min_width=6, align="right"), *OVERVIEW_COLUMNS[2:])


@dataclass(frozen=True)
class CountyLine:
    """A county's line of the province summary: its townships and its 全县 figures."""

    county: str
    townships: int
    figures: Progress


def county_line(data: ReportData, county: str) -> CountyLine:
    """``data``: the county's (``ReportData.for_county``)."""
    return CountyLine(county, len(townships(data)), replace(progress(data, [])[-1], unit=county))


def county_rows(lines: list[CountyLine], nowhere: ReportData) -> list[list[object]]:
    """The counties' lines in ``lines`` order, then 合计: every county and the persons of none."""
    total = CountyLine(PROVINCE_ROW, sum(line.townships for line in lines), added([line.figures for line in lines] + [progress(nowhere, [])[-1]], PROVINCE_ROW))
    return [
        [
            line.county, line.townships, r.total, r.new, r.carried, r.previous, r.resolved, r.resolve_rate, r.answered,
            r.answer_rate, r.confirmed, r.disputed, r.failed, r.recover, r.overpaid, r.underpaid,
        ]
        for line in [*lines, total]
        for r in [line.figures]
    ]  # fmt: skip


def write_province(quarter: str, lines: list[CountyLine], nowhere: ReportData, path: Path) -> Path:
    """``nowhere``: the quarter's part of no county (``ReportData.for_county(UNKNOWN_TOWNSHIP)``)."""
    label = quarter_label(quarter)
    wb = Workbook()
    ws = wb.active
    ws.title = PROVINCE_SHEET
    title = f"{label}兜底保障“九过筛子”各县汇总（各县清单与县汇总见同名文件夹）"
    write_table(ws, title, COLUMNS, county_rows(lines, nowhere), total_last=True)
    print_setup(ws, "兜底保障“九过筛子”各县汇总", label)
    return save_workbook(wb, path)
