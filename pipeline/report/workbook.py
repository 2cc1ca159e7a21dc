"""One township's "九过筛子" workbook: cover, sieves 1-8, sieve 9 (the policy), two ledgers."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from openpyxl import Workbook

from pipeline.policy import Policy
from pipeline.report import rectify
from pipeline.report.cover import write_cover
from pipeline.report.files import save_workbook
from pipeline.report.households import with_households
from pipeline.report.layout import FIRST_DATA_ROW, SMALL_SIZE, Column, printed_count, print_setup, write_table
from pipeline.report.ledgers import (
    SANLEI_COLUMNS,
    THREE_GROUPS_NEEDS,
    ZHONGCAN_COLUMNS,
    SEVERE_NEEDS,
    sanlei_rows,
    zhongcan_rows,
)
from pipeline.report.load import ReportData
from pipeline.report.policy_sheet import policy_rows
from pipeline.report.terms import (
    COVER_SHEET,
    DISPUTED_SHEET,
    POLICY_SHEET,
    REFUSED_WORDS,
    SANLEI_SHEET,
    SIEVES,
    NOT_RECHECKED,
    UNKNOWN_RESIDENCE,
    UNKNOWN_VILLAGE,
    UNSCREENED,
    ZHONGCAN_SHEET,
    quarter_label,
    sieve_of,
)
from pipeline.report.towns import place_name

# On paper (A4 landscape at 100 %): who, what, the figure, and room to write the answer by hand;
# each cell stacks two things (village over household, name over ID number, the rule over its
# detail and the last answer).  Right of the print area, for the screen: the rule code, the quarter
# first seen, where the data came from, the last answer on its own.
CASE_COLUMNS = (
    Column("序号", align="center"),
    Column("村\n户", min_width=9, max_width=12, wrap=True),
    Column("姓名\n身份证号", min_width=20, max_width=20, wrap=True),  # 18 digits whole, in wider CJK fonts too
    Column("问题及详情", min_width=18, max_width=24, wrap=True),
    Column("金额\n（元）", min_width=9, max_width=10, number_format="#,##0.00", align="right"),
    Column("状态", min_width=4, align="center"),
    *rectify.COLUMNS,
    # cases.case_id: how ``doudi feedback import`` finds the case; small, it wraps on two lines.
    Column("问题编号", min_width=9, max_width=9, wrap=True, size=SMALL_SIZE),
    Column("规则代码", align="center", printed=False),
    Column("首次发现季度", align="center", printed=False),
    Column("数据来源", max_width=40, wrap=True, printed=False),
    Column("上次反馈", max_width=40, wrap=True, printed=False),
)
CASE_HEADERS = [c.header for c in CASE_COLUMNS]
CASE_PRINTED = printed_count(CASE_COLUMNS)
POLICY_COLUMNS = (
    Column("序号", align="center"),
    Column("政策事项", max_width=30, wrap=True),
    Column("标准", max_width=30, wrap=True, align="right"),
    Column("单位", max_width=10),
    Column("说明", max_width=46, wrap=True),
    Column("涉及规则", max_width=16, wrap=True),
    Column("参数名（政策文件）", max_width=26, wrap=True, printed=False),
)
NO_FACTS = "数据库中没有人员政策享受情况（person_facts），本台账无法生成。"


def evidence_text(evidence: str | None) -> str | None:
    """One record per line: a JSON list is unpacked, ``；``/``; `` separated text is split."""
    if not evidence:
        return evidence
    text = evidence.strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError:
            items = None
        if isinstance(items, list):
            return "\n".join(
                " ".join(str(v) for v in i.values() if v not in (None, "")) if isinstance(i, dict) else str(i) for i in items
            )
    return "\n".join(p.strip() for p in text.replace("；", ";").split(";") if p.strip())


def sorted_cases(cases: pl.DataFrame, data: ReportData) -> pl.DataFrame:
    """Cases grouped by village, then household, then person (then rule)."""
    return with_households(cases, data.households).sort(
        ["village", "household_key", "name", "person_key", "rule_code"], nulls_last=True
    )


def feedback_text(r: dict) -> str | None:
    """The township's last answer in words, led by 整改未到位 when the case fires again after it."""
    if not r.get("feedback_quarter"):
        return None
    parts = [f"{r['feedback_quarter']}清单：{r.get('last_check_result') or '未填核查结果'}"]
    if r.get("last_rectification"):
        parts.append(f"整改措施：{r['last_rectification']}")
    if r.get("last_closed_date"):
        parts.append(f"销号日期 {r['last_closed_date']:%Y-%m-%d}")
    if r.get("last_remark"):
        parts.append(f"{'理由' if r.get('false_report') else '备注'}：{r['last_remark']}")
    text = "；".join(parts)
    if r.get("rectification_failed"):
        text = f"{REFUSED_WORDS}：乡镇已报整改或销号，本季度再次发现。\n{text}"
    return text


def _stack(*parts: object) -> str | None:
    text = "\n".join(str(p) for p in parts if p not in (None, ""))
    return text or None


def case_rows(cases: pl.DataFrame) -> list[list[object]]:
    rows = []
    for i, r in enumerate(cases.iter_rows(named=True), start=1):
        feedback = feedback_text(r)
        what = f"{r['rule_name']}：{r['detail']}" if r["rule_name"] and r["detail"] else (r["rule_name"] or r["detail"])
        rows.append(
            [
                i,
                _stack(r["village"] or UNKNOWN_VILLAGE, r["household"]),
                _stack(r["name"], r["id_number"]),
                _stack(what, feedback and f"上次反馈：{feedback}"),
                r["amount"],
                f"{r['status']}\n{NOT_RECHECKED}" if r.get("not_rechecked") else r["status"],
                *[None] * len(rectify.COLUMNS),
                r["case_id"],
                r["rule_code"],
                r["first_seen_quarter"],
                evidence_text(r["evidence"]),
                feedback,
            ]
        )
    return rows


def _unscreened_words(codes: list[str]) -> str:
    return f"{UNSCREENED}：本季度缺少数据，规则 {'、'.join(codes)} 未运行（见封面“数据缺失说明”）"




def _sieve_sheets(wb: Workbook, data: ReportData, cases: pl.DataFrame, place: str, label: str, header: tuple[str, str]) -> None:
    """Sheets 1-8 and 核实不属实; for the 居住地不详 list only the sheets with cases."""
    unscreened = data.run.unscreened if data.run else frozenset()
    nowhere = place == UNKNOWN_RESIDENCE
    disputed = cases.filter(pl.col("false_report"))
    for n, sieve in SIEVES.items():
        part = cases.filter((pl.col("sieve") == n) & ~pl.col("false_report"))
        apart = disputed.filter(pl.col("sieve") == n).height
        if nowhere and not part.height:
            continue
        ws = wb.create_sheet(sieve.sheet)
        new = int((part.get_column("status") == "新增").sum())
        goal = "" if sieve.sheet.endswith(sieve.goal) else f"（{sieve.goal}）"  # not 七、应退尽退（应退尽退）
        title = f"{sieve.sheet}{goal}　{place}　{label}　共 {part.height} 条（新增 {new}，延续 {part.height - new}）"
        if apart:
            title += f"；另有 {apart} 条乡镇曾核实不属实，见“{DISPUTED_SHEET}”表"
        title += f"\n筛查内容：{sieve.content}"
        codes = sorted(c for c in unscreened if sieve_of(c) == n)
        if codes:
            title += f"\n{_unscreened_words(codes)}"
        note = f"{_unscreened_words(codes)}。" if codes else "本季度本乡镇未发现此类问题。"
        last = write_table(ws, title, CASE_COLUMNS, case_rows(part), empty_note=note)
        rectify.add_validations(ws, CASE_HEADERS, FIRST_DATA_ROW, last)
        print_setup(ws, *header, printed_columns=CASE_PRINTED)
    if nowhere and not disputed.height:
        return
    ws = wb.create_sheet(DISPUTED_SHEET)
    title = (
        f"{DISPUTED_SHEET}　{place}　{label}　共 {disputed.height} 条\n"
        "乡镇上次核查结果为“不属实”、本季度比对再次发现的问题，附乡镇所报理由，待县级复核；请再次填写核查结果"
    )
    last = write_table(ws, title, CASE_COLUMNS, case_rows(disputed), empty_note="没有乡镇曾核实不属实而本季度再次发现的问题。")
    rectify.add_validations(ws, CASE_HEADERS, FIRST_DATA_ROW, last)
    print_setup(ws, *header, printed_columns=CASE_PRINTED)


def _ledger_sheets(wb: Workbook, data: ReportData, township: str, place: str, label: str, header: tuple[str, str]) -> None:
    for name, columns, make, needs in (
        (SANLEI_SHEET, SANLEI_COLUMNS, sanlei_rows, THREE_GROUPS_NEEDS),
        (ZHONGCAN_SHEET, ZHONGCAN_COLUMNS, zhongcan_rows, SEVERE_NEEDS),
    ):
        ws = wb.create_sheet(name)
        lacking = [c for c in needs if c in data.facts_missing]
        if data.facts is None:
            rows, note = pl.DataFrame(), NO_FACTS
        elif lacking:
            rows, note = pl.DataFrame(), f"人员政策享受情况（person_facts）表缺少列 {'、'.join(lacking)}，本台账无法生成。"
        else:
            rows, note = make(data, township), "本乡镇无此类人员。"
        write_table(ws, f"{name}　{place}　{label}　共 {rows.height} 人", columns, rows, empty_note=note)
        print_setup(ws, *header)


def write_township(data: ReportData, township: str, county: str, policy: Policy, path: Path) -> Path:
    """One township's workbook; for ``UNKNOWN_TOWNSHIP`` the county's 居住地不详 list (cover, the
    sheets with cases, the policy)."""
    cases = sorted_cases(data.cases.filter(pl.col("township") == township), data)
    overlap = data.overlap.filter((pl.col("level") == "乡镇") & (pl.col("unit") == township))
    place = place_name(township)
    label = quarter_label(data.quarter)
    header = (f"{county}{place}", f"{label}“九过筛子”清单")

    wb = Workbook()
    cover = wb.active
    cover.title = COVER_SHEET
    write_cover(cover, data, county, place, cases, overlap)
    print_setup(cover, *header, title_rows=None)
    _sieve_sheets(wb, data, cases, place, label, header)

    ws = wb.create_sheet(POLICY_SHEET)
    rows = [[i, r.topic, r.value, r.unit, r.words, r.rules, r.key] for i, r in enumerate(policy_rows(policy), start=1)]
    write_table(ws, f"{POLICY_SHEET}　{label}比对所用政策标准（政策文件：{Path(policy.source).name}）", POLICY_COLUMNS, rows)
    print_setup(ws, *header, printed_columns=printed_count(POLICY_COLUMNS))
    if place != UNKNOWN_RESIDENCE:
        _ledger_sheets(wb, data, township, place, label, header)

    # How ``doudi feedback import`` knows the quarter of a workbook however it is renamed.
    wb.properties.keywords = f"doudi {data.quarter} {county} {place}"
    wb.properties.subject = f"{data.quarter} {county}{place} 九过筛子清单"
    return save_workbook(wb, path)
