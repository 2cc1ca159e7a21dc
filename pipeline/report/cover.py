"""The cover sheet of a township workbook: who, when, from what data, how many per sieve, overlap."""

from __future__ import annotations

from datetime import datetime

import polars as pl
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.quarter import Quarter
from pipeline.report.figures import pair_words, pairs
from pipeline.report.layout import Column, apply_widths, fit_page, fit_widths, write_block, write_pairs, write_title
from pipeline.report.load import ReportData, RunInfo
from pipeline.report.terms import KINDS, MEASURES, RUN_STATUS, SIEVES, UNSCREENED, completeness_lines, quarter_label, sieve_of, table_title

COUNT_COLUMNS = (
    Column("筛子（工作表）", max_width=20),
    Column("筛查内容", max_width=72, wrap=True),
    Column("新增", min_width=6, align="right"),
    Column("延续", min_width=6, align="right"),
    Column("合计", min_width=6, align="right"),
    *[Column(words, min_width=8, align="right") for words in KINDS.values()],
)
OVERLAP_COLUMNS = (
    Column("比对项目（甲×乙）", max_width=20),
    Column("口径", max_width=44),
    Column("甲方数", align="right"),
    Column("乙方数", align="right"),
    Column("重合数", align="right"),
    Column("重合数占甲方", align="right", number_format="0.0%"),
    Column("重合数占乙方", align="right", number_format="0.0%"),
)
FILE_COLUMNS = (
    Column("文件", max_width=20, wrap=True),
    Column("工作表 / 识别为", max_width=44, wrap=True),
    Column("数据行", align="right"),
    Column("采用", align="right"),
    Column("未采用", align="right"),
    Column("SHA-256（前12位）"),
)
WIDTH = len(COUNT_COLUMNS)

HOW_TO = (
    "1. 第一至第八张工作表为“九过筛子”前八筛的问题清单，按村、户、人排列；请逐户入户核查。",
    "2. 每条问题后的“整改台账”黄色列由乡镇填写：核查结果（属实 / 不属实 / 部分属实，下拉选择）、整改措施、整改时限、责任人、销号日期。",
    "3. “状态”为“延续”的问题上季度已发现、尚未整改到位，应优先处理；“首次发现季度”为最早发现的季度。",
    "4. 清单右侧打印范围以外（只在屏幕上）还有规则代码、首次发现季度和“数据来源”（每条问题所用记录的文件、工作表和行号），便于回查原始名册。",
    "5. 第九张工作表为政策“一口清”，列出本次比对所用的全部政策标准，供村干部培训使用。",
    "6. 每条问题的“问题编号”用于把填好的清单导回系统（doudi feedback import），请勿修改或删除；可以只填写部分行。"
    "核查结果为“不属实”的，请在整改措施中写明理由。",
    "7. “问题及详情”末尾的“上次反馈”是乡镇上次填写的核查结果与整改情况；已报整改或已销号、本季度又被发现的，标为“整改未到位”。"
    "上次核实“不属实”又被发现的问题另列在“核实不属实”表，待县级复核。",
)


def sieve_counts(cases: pl.DataFrame, unscreened: frozenset[str] = frozenset()) -> list[list[object]]:
    """Rows of COUNT_COLUMNS: one per sieve 1-8 and a 合计 row; a sieve with rules not run this
    quarter says 未筛查 and which."""
    rows = []
    for n, sieve in SIEVES.items():
        part = cases.filter(pl.col("sieve") == n)
        codes = sorted(c for c in unscreened if sieve_of(c) == n)
        content = f"{sieve.content}\n【{UNSCREENED}：{'、'.join(codes)}】" if codes else sieve.content
        rows.append(_count_row(sieve.sheet, content, part))
    rows.append(_count_row("合计", "", cases))
    return rows


def _count_row(label: str, content: str, part: pl.DataFrame) -> list[object]:
    status = part.get_column("status")
    kind = part.get_column("kind")
    return [
        label,
        content,
        int((status == "新增").sum()),
        int((status == "延续").sum()),
        part.height,
        *[int((kind == k).sum()) for k in KINDS],
    ]


def overlap_rows(overlap: pl.DataFrame, pair_order: list[str]) -> list[list[object]]:
    """Rows of OVERLAP_COLUMNS in ``pair_order``, by person before by household."""
    rank = {p: i for i, p in enumerate(pair_order)}
    ordered = overlap.with_columns(
        pl.col("pair").replace_strict(rank, default=len(rank)).alias("_p"),
        pl.col("measure").replace_strict({m: i for i, m in enumerate(MEASURES)}, default=len(MEASURES)).alias("_m"),
    ).sort(["_p", "pair", "_m"])
    rows = []
    for r in ordered.iter_rows(named=True):
        rows.append(
            [
                pair_words(r["pair"]),
                MEASURES.get(r["measure"], r["measure"]),
                r["left_count"],
                r["right_count"],
                r["overlap_count"],
                r["left_rate"],
                r["right_rate"],
            ]
        )
    return rows


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else ("" if value is None else str(value))


def _file_rows(data: ReportData) -> list[list[object]]:
    rows = []
    for f in data.run.files if data.run else []:
        sheets = f.get("sheet_name")
        tables = f.get("source_table")
        sheets = sheets if isinstance(sheets, list) else [sheets]
        tables = tables if isinstance(tables, list) else [tables]
        where = "\n".join(
            f"{s or '（CSV）'} → {table_title(t)}" for s, t in zip(sheets, tables + [None] * (len(sheets) - len(tables)))
        )
        rows.append(
            [
                f.get("file_name"),
                where,
                f.get("data_rows"),
                f.get("accepted_rows"),
                f.get("rejected_rows"),
                (f.get("sha256") or "")[:12],
            ]
        )
    return rows


def _last_list(data: ReportData, cases: pl.DataFrame) -> str:
    """``上季清单 34 条，本季销号 12 条；`` for the township of ``cases`` ('' without a previous list)."""
    towns = cases.get_column("township").unique().implode()
    before = data.previous.filter(pl.col("township").is_in(towns)).height
    if not before:
        return ""
    closed = data.resolved.filter(pl.col("township").is_in(towns)).height
    return f"上季清单 {before} 条，本季未再发现（销号）{closed} 条；"


def _run_words(run: RunInfo | None) -> str:
    if run is None:
        return "数据库中没有本季度的运行记录"
    return (
        f"{_when(run.finished_at or run.started_at)}（{RUN_STATUS.get(run.status, run.status or '状态不详')}），"
        f"运行编号 {run.run_id or '—'}，数据目录 {run.input_dir or '—'}，程序版本 {run.code_version or '—'}"
    )


def write_cover(ws: Worksheet, data: ReportData, county: str, township: str, cases: pl.DataFrame, overlap: pl.DataFrame) -> None:
    q = Quarter.parse(data.quarter)
    counts = sieve_counts(cases, data.run.unscreened if data.run else frozenset())
    overlaps = overlap_rows(overlap, pairs(data))
    files = _file_rows(data)
    widths = [
        max(ws_)
        for ws_ in zip(
            fit_widths(COUNT_COLUMNS, counts),
            fit_widths(OVERLAP_COLUMNS, overlaps) + [0],
            fit_widths(FILE_COLUMNS, files) + [0, 0],
        )
    ]
    widths = fit_page(COUNT_COLUMNS, widths)
    run = data.run
    total = cases.height
    new = int((cases.get_column("status") == "新增").sum())
    # Page 1 holds these lines and the counts per sieve, at 10 pt: few lines.
    basics = [
        ("县、乡镇", f"{county or '—'}　{township}"),
        ("季度", f"{quarter_label(data.quarter)}（{data.quarter}），基准日 {q.reference_date:%Y-%m-%d}"),
        (
            "问题总数",
            f"{total} 条（新增 {new} 条，延续 {total - new} 条）；{_last_list(data, cases)}上次反馈：整改未到位 "
            f"{int(cases.get_column('rectification_failed').sum())} 条，乡镇曾核实不属实、本季度再次发现 "
            f"{int(cases.get_column('false_report').sum())} 条（见“核实不属实”表）",
        ),
        ("比对运行", _run_words(run)),
    ]
    write_title(ws, 1, f"{county}{township}　{quarter_label(data.quarter)}\n兜底保障“九过筛子”筛查清单", WIDTH, size=16)
    row = write_pairs(ws, 2, basics, widths) + 2

    write_title(ws, row, "一、各筛子问题数", WIDTH, size=12, center=False)
    row = write_block(ws, row + 1, COUNT_COLUMNS, counts, widths, total_last=True) + 2

    ws.row_breaks.append(Break(id=row - 1))  # figures on page 1, the rest from page 2
    write_title(ws, row, "二、本乡镇重合率", WIDTH, size=12, center=False)
    row = write_block(ws, row + 1, OVERLAP_COLUMNS, overlaps, widths, empty_note="数据库中没有本乡镇的重合率。") + 2

    write_title(ws, row, "三、本季度比对所用数据（全县）", WIDTH, size=12, center=False)
    row = write_block(ws, row + 1, FILE_COLUMNS, files, widths, empty_note="运行记录中没有输入文件明细。") + 2

    write_title(ws, row, "四、填写说明", WIDTH, size=12, center=False)
    row = write_pairs(ws, row + 1, [("说明", "\n".join(HOW_TO))], widths) + 2

    gaps = [*(completeness_lines(run.completeness) if run else []), *data.gaps]
    if gaps:
        write_title(ws, row, "五、数据缺失说明", WIDTH, size=12, center=False)
        write_pairs(ws, row + 1, [("说明", "\n".join(f"{i}. {g}" for i, g in enumerate(gaps, start=1)))], widths)
    apply_widths(ws, widths)
