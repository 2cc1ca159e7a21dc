"""The words a reader sees: sieve titles, kinds, measures, quarters (one place for each)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.quarter import Quarter


@dataclass(frozen=True)
class Sieve:
    number: int
    sheet: str  # worksheet tab (<= 31 characters, no : \ / ? * [ ])
    goal: str  # the campaign goal it serves
    content: str  # what it screens, in one line (rules.md, rule catalogue)


SIEVES: dict[int, Sieve] = {
    s.number: s
    for s in (
        Sieve(1, "一、单人户施保", "应保尽保", "三类对象和低收入家庭中的重度残疾、重病人员单人户施保，及单人户施保是否精准（S1）"),
        Sieve(2, "二、应保应养应救", "应兜尽兜", "三类对象应保未保、应养未养、应救未救；医保参保、资助参保、医疗救助和支出型救助（S2、Y）"),
        Sieve(3, "三、困境儿童保障", "应保尽保", "孤儿和事实无人抚养儿童：超龄、应纳未纳、保障金额低于标准（S3）"),
        Sieve(4, "四、残疾人两项补贴", "应补尽补", "困难残疾人生活补贴、重度残疾人护理补贴：应补未补、标准不符、应退、人证不符、无证残疾（S4）"),
        Sieve(5, "五、老年人补贴", "应补尽补", "经济困难老年人补贴、高龄津贴应补未补（S5）"),
        Sieve(6, "六、特困供养照料", "应养尽养", "分散供养特困人员：照料协议、乡镇每月探访、村每周探访、全失能集中供养（S6）"),
        Sieve(7, "七、应退尽退", "应退尽退", "死亡未退、收入超标、渐退期满、重复享受、系统信息不一致（S7）"),
        Sieve(8, "八、资金发放", "应发尽发", "应发未发、金额不符、死亡后发放、无名册发放、重复发放（S8）"),
    )
}
POLICY_SHEET = "九、政策“一口清”"
# Cases the township last answered 不属实 that fire again: listed apart, for the county to review.
DISPUTED_SHEET = "核实不属实"
REFUSED_WORDS = "整改未到位"
COVER_SHEET = "封面"
SANLEI_SHEET = "三类对象筛查台账"
ZHONGCAN_SHEET = "困难重度残疾人台账"

KINDS: dict[str, str] = {"missed": "应纳未纳", "exit": "应退未退", "review": "待核实"}
STATUSES = ("新增", "延续")
RUN_STATUS = {"succeeded": "运行成功", "failed": "运行失败", "running": "运行中"}
MEASURES: dict[str, str] = {"persons": "按人", "households": "按户"}
LEVELS = ("县", "乡镇", "村")
# A person with no residence: the word overlap_rates uses for such a unit (sql/marts/overlap_rates.sql).
UNKNOWN_TOWNSHIP = "未知"
UNKNOWN_RESIDENCE = "居住地不详"  # how a reader sees it: one county-level list, not a township
UNSCREENED = "未筛查"  # a rule not run this quarter (a table it reads was not exported)
NOT_RECHECKED = "本季未复核"  # a case carried because its rule could not run
UNKNOWN_VILLAGE = "未知"

_Q_WORDS = {1: "一", 2: "二", 3: "三", 4: "四"}
GRADES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


def sieve_of(code: str) -> int | None:
    """The sieve of a rule code (rules.md): ``S4-2`` -> 4; ``Y-…`` (医保) belongs to sieve 2."""
    head = code.split("-")[0].upper()
    if head == "Y":
        return 2
    return int(head[1:]) if head[1:].isdigit() else None


def quarter_label(quarter: str) -> str:
    """``2026Q3`` -> ``2026年第三季度``."""
    q = Quarter.parse(quarter)
    return f"{q.year}年第{_Q_WORDS[q.q]}季度"


YES, NO, UNKNOWN = "是", "否", "不详"  # a flag of the ledgers: true, false, null


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def table_title(name: object) -> str:
    """A source table's Chinese name (``linshi`` -> 临时救助记录), from contracts/sources.py."""
    from contracts.sources import TABLES

    table = TABLES.get(str(name)) if name else None
    return table.title if table else (str(name) if name else "未识别")


def completeness_lines(completeness: dict) -> list[str]:
    """runs.completeness in words: tables missing or not exported, rules not run, volumes that fell."""
    lines = []
    names = lambda key: "、".join(table_title(t) for t in completeness.get(key) or [])  # noqa: E731
    if completeness.get("missing_tables"):
        lines.append(f"本季度缺少数据：{names('missing_tables')}")
    if completeness.get("not_exported"):
        lines.append(f"本季度未导出：{names('not_exported')}")
    if completeness.get("unscreened_rules"):
        lines.append(
            f"{UNSCREENED}的规则：{'、'.join(map(str, completeness['unscreened_rules']))}"
            f"（其上季度未销号的问题继续列出，标“{NOT_RECHECKED}”）"
        )
    for d in completeness.get("volume_drops") or []:
        if isinstance(d, dict):
            lines.append(
                f"{table_title(d.get('table'))}采用行数由上季度 {d.get('previous')} 行降至 {d.get('current')} 行（减少超过三分之一），请核对导出是否完整"
            )
    return lines
