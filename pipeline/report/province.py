"""The province summary: one line per county (a quarter holding more than one county).

Each county's own files are in its folder (``reports/<quarter>/<县>/``); this workbook sets the
counties side by side with the same figures as each county's 概览 line 全县.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from openpyxl import Workbook

from pipeline.report.figures import progress
from pipeline.report.files import save_workbook
from pipeline.report.layout import Column, print_setup, write_table
from pipeline.report.load import ReportData
from pipeline.report.summary import OVERVIEW_COLUMNS
from pipeline.report.terms import quarter_label
from pipeline.report.towns import townships

PROVINCE_SHEET = "各县汇总"
PROVINCE_ROW = "合计"
COLUMNS = (Column("县（市、区）", max_width=16), Column("乡镇数", min_width=6, align="right"), *OVERVIEW_COLUMNS[2:])


def county_rows(data: ReportData, counties: list[str]) -> list[list[object]]:
    lines = []
    for county in counties:
        part = data.for_county(county)
        towns = townships(part)
        lines.append((county, len(towns), replace(progress(part, towns)[-1], unit=county)))
    everyone = progress(data, [])[-1]
    lines.append((PROVINCE_ROW, sum(n for _, n, _ in lines), everyone))
    return [
        [
            name, n, r.total, r.new, r.carried, r.previous, r.resolved, r.resolve_rate, r.answered, r.answer_rate,
            r.confirmed, r.disputed, r.failed, r.recover, r.overpaid, r.underpaid,
        ]
        for name, n, r in lines
    ]


def write_province(data: ReportData, counties: list[str], path: Path) -> Path:
    label = quarter_label(data.quarter)
    wb = Workbook()
    ws = wb.active
    ws.title = PROVINCE_SHEET
    title = f"{label}兜底保障“九过筛子”各县汇总（各县清单与县汇总见同名文件夹）"
    write_table(ws, title, COLUMNS, county_rows(data, counties), total_last=True)
    print_setup(ws, "兜底保障“九过筛子”各县汇总", label)
    return save_workbook(wb, path)
