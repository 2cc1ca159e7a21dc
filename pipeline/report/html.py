"""The county summary as ONE self-contained HTML page for the government intranet.

No network at all: styles inline, charts are SVG drawn in Python (``charts.py``), fonts are the
reader's own (a CJK font list with fallbacks), no script.  Prints on A4 landscape.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape
from pathlib import Path

from pipeline.quarter import Quarter
from pipeline.report import charts
from pipeline.report.files import save_text
from pipeline.report.figures import (
    COUNTY_ROW,
    RECOVER_RULE,
    pair_words,
    progress,
    rejected_reasons,
    overlap_lookup,
    pair_sides,
    pairs,
    quarters,
    town_rows,
    trend_cases,
    trend_overlap,
    trend_sieves,
)
from pipeline.report.load import ReportData
from pipeline.report.summary import FILE_COLUMNS, OVERVIEW_COLUMNS, file_rows, overview_rows
from pipeline.report.terms import KINDS, MEASURES, SIEVES, completeness_lines, percent, quarter_label
from pipeline.report.towns import townships

CSS = f"""
body {{ font-family: {charts.FONT}; color: #222; margin: 24px auto; max-width: 1200px; padding: 0 16px; }}
h1 {{ font-size: 24px; margin: 0 0 4px; }}
h2 {{ font-size: 18px; border-left: 5px solid #4E79A7; padding-left: 8px; margin: 28px 0 10px; }}
h3 {{ font-size: 14px; margin: 8px 0 2px; }}
p.meta {{ color: #555; margin: 2px 0; font-size: 13px; }}
.cards {{ display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0; }}
.card {{ border: 1px solid #ccc; border-radius: 6px; padding: 6px 10px; min-width: 80px; }}
.card b {{ display: block; font-size: 22px; }}
.card span {{ font-size: 12px; color: #555; }}
.grid {{ display: flex; flex-wrap: wrap; gap: 12px 24px; }}
.grid figure {{ margin: 0; }}
table {{ border-collapse: collapse; font-size: 13px; margin: 8px 0; }}
th, td {{ border: 1px solid #999; padding: 3px 6px; }}
th {{ background: #eee; font-weight: bold; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr.total td {{ font-weight: bold; background: #f4f4f4; }}
.note {{ font-size: 13px; color: #555; }}
@media print {{
  @page {{ size: A4 landscape; margin: 10mm; }}
  body {{ margin: 0; max-width: none; }}
  h2, h3 {{ break-after: avoid; }}
  figure, tr, .cards {{ break-inside: avoid; }}
}}
"""


FIGURE = re.compile(r"-?[\d,]+(\.\d+)?%?")
OVERVIEW_RATES = {i for i, c in enumerate(OVERVIEW_COLUMNS) if c.number_format == "0.0%"}
OVERVIEW_MONEY = {i for i, c in enumerate(OVERVIEW_COLUMNS) if c.number_format == "#,##0.00"}


def _table(headers: list[str], rows: list[list[object]], total_last: bool = False, heat: int | None = None, heat_from: int = 1) -> str:
    """An HTML table; with ``heat`` (the largest count), count cells from column ``heat_from`` on are
    shaded by size."""
    out = ["<table><thead><tr>", *[f"<th>{escape(h)}</th>" for h in headers], "</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        last = total_last and i == len(rows) - 1
        out.append('<tr class="total">' if last else "<tr>")
        for j, v in enumerate(row):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                style = ""
                if heat and not last and j >= heat_from and v > 0:
                    style = f' style="background: rgba(225,87,89,{0.12 + 0.6 * v / heat:.2f})"'
                out.append(f'<td class="n"{style}>{v:g}</td>')
            elif isinstance(v, str) and FIGURE.fullmatch(v):  # a figure already formatted (400.00, 36.2%)
                out.append(f'<td class="n">{escape(v)}</td>')
            else:
                out.append(f"<td>{escape('' if v is None else str(v))}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _overview_section(data: ReportData, towns: list[str]) -> str:
    """The minute's read: townships ranked, the last list's fate, money (as in the xlsx 概览)."""
    rows = []
    for r in overview_rows(data, towns):
        rows.append([
            "" if v is None else percent(v) if i in OVERVIEW_RATES else f"{v:,.2f}" if i in OVERVIEW_MONEY else v
            for i, v in enumerate(r)
        ])
    headers = [c.header.replace("\n", "") for c in OVERVIEW_COLUMNS]
    return (
        "<section><h2>一、各乡镇概览（按本季问题数排名）</h2>"
        '<p class="note">销号：上季清单中本季未再发现的问题；销号率、反馈率以上季问题数为分母；'
        "已反馈、属实、不属实为乡镇对上季清单的核查结果；整改未到位：乡镇已报整改或销号、本季再次发现。</p>"
        f"{_table(headers, rows, total_last=True)}</section>"
    )


def _quality_section(data: ReportData) -> str:
    notes = [*(completeness_lines(data.run.completeness) if data.run else []), *data.gaps]
    notes_html = "".join(f"<li>{escape(n)}</li>" for n in notes) or "<li>本季度各表齐全，未发现数据缺失。</li>"
    reasons = [list(r) for r in rejected_reasons(data)]
    files = file_rows(data)
    return (
        "<section><h2>五、数据质量</h2>"
        f'<h3>完整性</h3><ul class="note">{notes_html}</ul>'
        f"<h3>未采用的数据行（共 {sum(r[2] for r in reasons)} 行，按原因）</h3>"
        + (_table(["表", "原因", "行数"], reasons) if reasons else '<p class="note">本季度所有数据行均已采用。</p>')
        + f"<h3>读取的文件（{len(files)} 个）</h3>"
        + (_table([c.header for c in FILE_COLUMNS], files) if files else '<p class="note">运行记录中没有输入文件明细。</p>')
        + "</section>"
    )


def _cases_section(data: ReportData, towns: list[str]) -> str:
    rows = town_rows(data, towns)
    stack = charts.stacked_bars(
        [r.township for r in rows[:-1]],
        [(s.sheet, [r.by_sieve[n] for r in rows[:-1]]) for n, s in SIEVES.items()],
        label="各乡镇问题数（按筛子）",
    )
    by_kind = charts.stacked_bars(
        [r.township for r in rows[:-1]],
        [(w, [r.by_kind[k] for r in rows[:-1]]) for k, w in KINDS.items()],
        label="各乡镇问题数（按类型）",
    )
    heat = max([r.by_sieve[n] for r in rows[:-1] for n in SIEVES], default=0)
    table = _table(
        ["乡镇", "合计", "新增", "延续", *KINDS.values(), *[s.sheet for s in SIEVES.values()]],
        [[r.township, r.total, *r.by_status.values(), *r.by_kind.values(), *r.by_sieve.values()] for r in rows],
        total_last=True,
        heat=heat,
        heat_from=4 + len(KINDS),
    )
    return (
        "<section><h2>二、各乡镇问题数</h2>"
        f"<h3>按筛子</h3>{stack}<h3>按类型（应纳未纳 / 应退未退 / 待核实）</h3>{by_kind}"
        f"<h3>明细（单位：条，颜色越深问题越多）</h3>{table}</section>"
    )


def _overlap_section(data: ReportData, towns: list[str]) -> str:
    look = overlap_lookup(data)
    if not look:
        return "<section><h2>三、重合率</h2><p class=\"note\">数据库中没有本季度的重合率。</p></section>"
    figures = []
    for p in pairs(data):
        left, right = pair_sides(p)
        series = [
            (f"重合/{left}", [look[(t, p, "persons")]["left_rate"] if (t, p, "persons") in look else None for t in towns]),
            (f"重合/{right}", [look[(t, p, "persons")]["right_rate"] if (t, p, "persons") in look else None for t in towns]),
        ]
        county = look.get((COUNTY_ROW, p, "persons"))
        svg = charts.rate_bars(towns, series, label=f"{pair_words(p)} 重合率（按人）", reference=county["left_rate"] if county else None, reference_label=f"全县 重合/{left}")
        figures.append(f"<figure><h3>{escape(pair_words(p))}（按人）</h3>{svg}</figure>")
    rows = []
    for p in pairs(data):
        for m, words in MEASURES.items():
            cells = []
            for unit in [COUNTY_ROW, *towns]:
                r = look.get((unit, p, m))
                cells.append(f"{r['overlap_count']}｜{percent(r['left_rate'])}｜{percent(r['right_rate'])}" if r else "—")
            rows.append([pair_words(p), words, *cells])
    table = _table(["比对项目（甲×乙）", "口径", COUNTY_ROW, *towns], rows)
    return (
        "<section><h2>三、重合率</h2><p class=\"note\">虚线为全县重合数占甲方的比例。</p>"
        f'<div class="grid">{"".join(figures)}</div>'
        f'<h3>明细（每格：重合数｜占甲方｜占乙方）</h3>{table}</section>'
    )


def _trend_section(data: ReportData) -> str:
    qs = quarters(data)
    cases = trend_cases(data)
    sieves = trend_sieves(data)
    overlap = trend_overlap(data)
    note = "" if len(qs) > 1 else '<p class="note">数据库中只有一个季度，趋势图只有一个点。</p>'
    c1 = charts.lines(qs, list(cases.items()), label="各季度问题数")
    c2 = charts.lines(qs, list(sieves.items()), label="各季度各筛子问题数", height=300)
    c3 = charts.lines(qs, list(overlap.items()), label="各季度全县重合率（按人，重合/甲方）", fmt=lambda v: f"{v * 100:.1f}%", percent_axis=True, height=300)
    table = _table(["季度", *cases.keys(), *sieves.keys()], [[q, *[v[i] for v in cases.values()], *[v[i] for v in sieves.values()]] for i, q in enumerate(qs)])
    return (
        f"<section><h2>四、季度趋势（{escape(qs[0])} 至 {escape(qs[-1])}）</h2>{note}"
        f'<div class="grid"><figure><h3>问题数</h3>{c1}</figure><figure><h3>各筛子问题数</h3>{c2}</figure>'
        f"<figure><h3>全县重合率（按人，重合/甲方）</h3>{c3}</figure></div>{table}</section>"
    )


def render(data: ReportData, county: str) -> str:
    towns = townships(data)
    q = Quarter.parse(data.quarter)
    total = progress(data, towns)[-1]
    run = data.run
    when = run.finished_at or run.started_at if run else None
    cards = [
        ("问题总数", total.total), ("新增", total.new), ("延续", total.carried), ("上季销号", total.resolved),
        ("上季清单反馈率", percent(total.answer_rate)), ("整改未到位", total.failed),
        (f"应追回（元，{RECOVER_RULE}）", f"{total.recover:,.2f}"), ("乡镇数", len(towns)),
    ]
    title = f"{county}{quarter_label(data.quarter)}兜底保障“九过筛子”县汇总"
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(title)}</h1>"
        f'<p class="meta">基准日 {q.reference_date:%Y-%m-%d}；比对运行 {escape(f"{when:%Y-%m-%d %H:%M}" if isinstance(when, datetime) else "—")}'
        f'（{escape(run.run_id or "—") if run else "无运行记录"}）；本页生成于 {datetime.now():%Y-%m-%d %H:%M}</p></header>'
        '<div class="cards">' + "".join(f"<div class=\"card\"><b>{escape(str(v))}</b><span>{escape(k)}</span></div>" for k, v in cards) + "</div>"
        + _overview_section(data, towns)
        + _cases_section(data, towns)
        + _overlap_section(data, towns)
        + _trend_section(data)
        + _quality_section(data)
        + "</body></html>\n"
    )


def write_html(data: ReportData, county: str, path: Path) -> Path:
    return save_text(render(data, county), path)
