"""The county summary workbook: every township side by side, on a few printed pages.

Sheets: 问题汇总 (townships x totals, kinds and sieves), 按规则统计 (rules x townships),
重合率 (townships x pairs, by person and by household).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from pipeline.report.files import save_workbook
from pipeline.report.figures import (
    COUNTY_ROW,
    overlap_lookup,
    pair_sides,
    pairs,
    rule_counts,
    rules,
    town_rows,
)
from pipeline.report.layout import Column, apply_widths, fit_widths, print_setup, write_block, write_table, write_title
from pipeline.report.load import ReportData
from pipeline.report.terms import KINDS, MEASURES, SIEVES, STATUSES, percent, quarter_label
from pipeline.report.towns import townships

TOTALS_SHEET = "问题汇总"
RULES_SHEET = "按规则统计"
OVERLAP_SHEET = "重合率"


def _n(header: str) -> Column:
    return Column(header, min_width=6, align="right")


def totals_columns() -> list[Column]:
    return [
        Column("乡镇", max_width=16),
        _n("合计"),
        *[_n(s) for s in STATUSES],
        *[_n(w) for w in KINDS.values()],
        *[_n(sieve_header(s.sheet)) for s in SIEVES.values()],
    ]


def sieve_header(sheet: str) -> str:
    """``一、单人户施保`` -> ``一、`` over ``单人户施保`` (a narrow column, wrapped where it reads well)."""
    head, sep, rest = sheet.partition("、")
    return f"{head}{sep}\n{rest}" if sep else sheet


def totals_rows(data: ReportData, towns: list[str]) -> list[list[object]]:
    return [
        [r.township, r.total, *r.by_status.values(), *r.by_kind.values(), *r.by_sieve.values()]
        for r in town_rows(data, towns)
    ]


def rules_columns(towns: list[str]) -> list[Column]:
    return [
        Column("筛子", max_width=16, wrap=True),
        Column("规则代码", align="center"),
        Column("问题", max_width=24, wrap=True),
        Column("类型", align="center"),
        _n(COUNTY_ROW),
        *[_n(t) for t in towns],
    ]


def rules_rows(data: ReportData, towns: list[str]) -> list[list[object]]:
    counts = rule_counts(data, towns)
    return [
        [
            SIEVES[sieve].sheet if sieve in SIEVES else sieve,
            code,
            words,
            KINDS.get(kind, kind),
            counts.get((code, COUNTY_ROW), 0),
            *[counts.get((code, t), 0) for t in towns],
        ]
        for sieve, code, words, kind in rules(data)
    ]


def overlap_columns(data: ReportData) -> list[Column]:
    cols = [Column("乡镇", max_width=16)]
    for p in pairs(data):
        left, right = pair_sides(p)
        cols += [Column(f"{p}\n重合/{left}", max_width=12, align="right"), Column(f"{p}\n重合/{right}", max_width=12, align="right")]
    return cols


def overlap_rows(data: ReportData, towns: list[str], measure: str) -> list[list[object]]:
    look = overlap_lookup(data)
    rows = []
    for unit in [*towns, COUNTY_ROW]:
        row: list[object] = [unit]
        for p in pairs(data):
            r = look.get((unit, p, measure))
            row += [percent(r["left_rate"]) if r else "—", percent(r["right_rate"]) if r else "—"]
        rows.append(row)
    return rows


def write_summary(data: ReportData, county: str, path: Path) -> Path:
    towns = townships(data)
    label = quarter_label(data.quarter)
    header_left, header_right = f"{county}兜底保障“九过筛子”县汇总", label
    wb = Workbook()

    ws = wb.active
    ws.title = TOTALS_SHEET
    write_table(ws, f"{county}{label}兜底保障“九过筛子”问题汇总（单位：条）", totals_columns(), totals_rows(data, towns), total_last=True)
    print_setup(ws, header_left, header_right)

    ws = wb.create_sheet(RULES_SHEET)
    write_table(ws, f"{county}{label}各规则问题数（单位：条）", rules_columns(towns), rules_rows(data, towns), empty_note="本季度未发现问题。")
    print_setup(ws, header_left, header_right)

    ws = wb.create_sheet(OVERLAP_SHEET)
    columns = overlap_columns(data)
    blocks = [(m, words, overlap_rows(data, towns, m)) for m, words in MEASURES.items()]
    widths = [max(w) for w in zip(*[fit_widths(columns, rows) for _, _, rows in blocks])]
    write_title(ws, 1, f"{county}{label}重合率（重合数占甲方、乙方的比例）", len(columns))
    row = 2
    for _, words, rows in blocks:
        write_title(ws, row, f"{words}统计", len(columns), size=12, center=False)
        row = write_block(ws, row + 1, columns, rows, widths, empty_note="数据库中没有重合率。", total_last=True) + 2
    apply_widths(ws, widths)
    print_setup(ws, header_left, header_right, title_rows="1:1")

    return save_workbook(wb, path)
