"""The county summary workbook: every township side by side, on a few printed pages.

Sheets: 概览 (townships ranked by cases: 新增 / 延续 / 销号, the answers to the last list, money),
问题汇总 (townships x totals, kinds and sieves), 按规则统计 (rules x townships),
重合率 (townships x pairs, by person and by household, as numbers), 数据质量 (files read, rows not
used by reason, completeness).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from pipeline.report.files import save_workbook
from pipeline.report.figures import (
    COUNTY_ROW,
    DIFFERENCE_RULE,
    RECOVER_RULE,
    pair_words,
    progress,
    rejected_reasons,
    overlap_lookup,
    pair_sides,
    pairs,
    rule_counts,
    rules,
    town_rows,
)
from pipeline.report.layout import (
    Column,
    apply_widths,
    fit_page,
    fit_widths,
    print_setup,
    write_block,
    write_pairs,
    write_table,
    write_title,
)
from pipeline.report.load import ReportData
from pipeline.report.terms import KINDS, MEASURES, SIEVES, STATUSES, completeness_lines, quarter_label, table_title
from pipeline.report.towns import townships

OVERVIEW_SHEET = "概览"
QUALITY_SHEET = "数据质量"
TOTALS_SHEET = "问题汇总"
RULES_SHEET = "按规则统计"
OVERLAP_SHEET = "重合率"


def _n(header: str) -> Column:
    return Column(header, min_width=6, align="right")


def _rate(header: str) -> Column:
    return Column(header, min_width=6, align="right", number_format=RATE_FORMAT)


def _money(header: str) -> Column:
    return Column(header, min_width=12, align="right", number_format="#,##0.00")


RATE_FORMAT = "0.0%"
OVERVIEW_COLUMNS = (
    Column("排名", align="center"),
    Column("乡镇", max_width=16),
    _n("本季\n问题"),
    _n("新增"),
    _n("延续"),
    _n("上季\n问题"),
    _n("销号"),
    _rate("销号率"),
    _n("已反馈"),
    _rate("反馈率"),
    _n("属实"),
    _n("不属实"),
    _n("整改\n未到位"),
    _money(f"死亡后发放\n应追回（元）\n{RECOVER_RULE}"),
    _money(f"多发金额\n（元）\n{DIFFERENCE_RULE}"),
    _money(f"少发金额\n（元）\n{DIFFERENCE_RULE}"),
)


def overview_rows(data: ReportData, towns: list[str]) -> list[list[object]]:
    """Townships ranked by this quarter's cases (most first), then 居住地不详 and the county."""
    rows = progress(data, towns)
    ranked = sorted((r for r in rows[:-1] if r.unit in towns), key=lambda r: (-r.total, r.unit))
    rest = [r for r in rows if r.unit not in towns]
    return [
        [
            i if r.unit in towns else None,
            r.unit,
            r.total, r.new, r.carried, r.previous, r.resolved, r.resolve_rate, r.answered, r.answer_rate,
            r.confirmed, r.disputed, r.failed, r.recover, r.overpaid, r.underpaid,
        ]
        for i, r in enumerate([*ranked, *rest], start=1)
    ]


FILE_COLUMNS = (
    Column("文件", max_width=40, wrap=True),
    Column("识别为", max_width=24, wrap=True),
    _n("数据行"),
    _n("采用"),
    _n("未采用"),
)
REASON_COLUMNS = (Column("表", max_width=20, wrap=True), Column("原因", max_width=80, wrap=True), _n("行数"))


def file_rows(data: ReportData) -> list[list[object]]:
    rows = []
    for f in data.run.files if data.run else []:
        tables = f.get("source_table")
        tables = tables if isinstance(tables, list) else [tables]
        rows.append([f.get("file_name"), "、".join(dict.fromkeys(table_title(t) for t in tables)), f.get("data_rows"), f.get("accepted_rows"), f.get("rejected_rows")])
    return rows


def _write_quality(ws, data: ReportData, county: str, label: str) -> None:
    files = file_rows(data)
    reasons = [list(r) for r in rejected_reasons(data)]
    notes = [*(completeness_lines(data.run.completeness) if data.run else []), *data.gaps] or ["本季度各表齐全，未发现数据缺失。"]
    widths = fit_page(FILE_COLUMNS, [max(a, b) for a, b in zip(fit_widths(FILE_COLUMNS, files), fit_widths(REASON_COLUMNS, reasons) + [0, 0])])
    n = len(FILE_COLUMNS)
    write_title(ws, 1, f"{county}{label}数据质量", n)
    write_title(ws, 2, f"一、完整性（{len(notes)} 条）", n, size=12, center=False)
    row = write_pairs(ws, 3, [("说明", "\n".join(f"{i}. {t}" for i, t in enumerate(notes, start=1)))], widths) + 2
    total = sum(r[2] for r in reasons)
    write_title(ws, row, f"二、未采用的数据行（共 {total} 行，按原因）", n, size=12, center=False)
    row = write_block(ws, row + 1, REASON_COLUMNS, reasons, widths, empty_note="本季度所有数据行均已采用。") + 2
    write_title(ws, row, f"三、读取的文件（{len(files)} 个）", n, size=12, center=False)
    write_block(ws, row + 1, FILE_COLUMNS, files, widths, empty_note="运行记录中没有输入文件明细。")
    apply_widths(ws, widths)


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
        words = pair_words(p)
        cols += [
            Column(f"{words}\n重合/{left}", max_width=12, align="right", number_format=RATE_FORMAT),
            Column(f"{words}\n重合/{right}", max_width=12, align="right", number_format=RATE_FORMAT),
        ]
    return cols


def overlap_rows(data: ReportData, towns: list[str], measure: str) -> list[list[object]]:
    look, names = overlap_lookup(data), pairs(data)
    rows = []
    for unit in [*towns, COUNTY_ROW]:
        row: list[object] = [unit]
        for p in names:
            r = look.get((unit, p, measure))
            row += [r["left_rate"] if r else None, r["right_rate"] if r else None]
        rows.append(row)
    return rows


def write_summary(data: ReportData, county: str, path: Path) -> Path:
    towns = townships(data)
    label = quarter_label(data.quarter)
    header_left, header_right = f"{county}兜底保障“九过筛子”县汇总", label
    wb = Workbook()

    ws = wb.active
    ws.title = OVERVIEW_SHEET
    write_table(
        ws,
        f"{county}{label}兜底保障“九过筛子”概览（按本季问题数排名；销号率、反馈率以上季清单为分母）",
        OVERVIEW_COLUMNS,
        overview_rows(data, towns),
        total_last=True,
    )
    print_setup(ws, header_left, header_right)

    ws = wb.create_sheet(TOTALS_SHEET)
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

    ws = wb.create_sheet(QUALITY_SHEET)
    _write_quality(ws, data, county, label)
    print_setup(ws, header_left, header_right, title_rows="1:1")
    return save_workbook(wb, path)
