"""The county's figures, computed once for the summary workbook and the HTML page."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

import polars as pl

from pipeline.report.load import ReportData
from pipeline.report.terms import KINDS, SIEVES, STATUSES, UNKNOWN_RESIDENCE, UNKNOWN_TOWNSHIP

COUNTY_ROW = "全县"


@dataclass(frozen=True)
class TownRow:
    township: str
    total: int
    by_status: dict[str, int]
    by_kind: dict[str, int]
    by_sieve: dict[int, int]
    by_sieve_kind: dict[tuple[int, str], int]


def _counted(cases: pl.DataFrame, by: list[str]) -> dict[tuple, int]:
    """(township, *values of ``by``) -> cases, and (全县, *values) -> the county's: one group_by."""
    towns = {(t, *rest): n for t, *rest, n in cases.group_by(["township", *by]).len().iter_rows()}
    if not by:
        return {**towns, (COUNTY_ROW,): cases.height}
    return {**towns, **{(COUNTY_ROW, *rest): n for *rest, n in cases.group_by(by).len().iter_rows()}}


def town_rows(data: ReportData, towns: list[str]) -> list[TownRow]:
    """One row per township (in ``towns`` order), 居住地不详 when any, and the county total last:
    the cases counted once per dimension, not filtered per township and value."""
    cases = data.cases
    units = [*towns, UNKNOWN_TOWNSHIP] if (cases.get_column("township") == UNKNOWN_TOWNSHIP).any() else towns
    total, status, kind, sieve, sieve_kind = (
        _counted(cases, by) for by in ([], ["status"], ["kind"], ["sieve"], ["sieve", "kind"])
    )
    return [
        TownRow(
            township=COUNTY_ROW if t == COUNTY_ROW else place_words(t),
            total=total.get((t,), 0),
            by_status={s: status.get((t, s), 0) for s in STATUSES},
            by_kind={k: kind.get((t, k), 0) for k in KINDS},
            by_sieve={n: sieve.get((t, n), 0) for n in SIEVES},
            by_sieve_kind={(n, k): sieve_kind.get((t, n, k), 0) for n in SIEVES for k in KINDS},
        )
        for t in [*units, COUNTY_ROW]
    ]


def rules(data: ReportData) -> list[tuple[int, str, str, str]]:
    """(sieve, code, words, kind) of every rule with a case this quarter, in sieve and code order."""
    frame = (
        data.cases.select("sieve", "rule_code", "rule_name", "kind")
        .unique(subset=["rule_code"], keep="first")
        .with_columns(
            pl.col("rule_code").str.extract(r"^(\D+)").alias("_prefix"),
            pl.col("rule_code").str.extract(r"(\d+)$").cast(pl.Int64, strict=False).alias("_n"),
        )
        .sort(["sieve", "_prefix", "_n", "rule_code"], nulls_last=True)
    )
    return [(r["sieve"], r["rule_code"], r["rule_name"] or "", r["kind"]) for r in frame.iter_rows(named=True)]


def rule_counts(data: ReportData, towns: list[str]) -> dict[tuple[str, str], int]:
    """(rule code, township or 全县) -> cases."""
    out: dict[tuple[str, str], int] = {}
    for r in data.cases.group_by(["rule_code", "township"]).len().iter_rows(named=True):
        out[(r["rule_code"], r["township"])] = r["len"]
    for r in data.cases.group_by("rule_code").len().iter_rows(named=True):
        out[(r["rule_code"], COUNTY_ROW)] = r["len"]
    return out


# The left groups of the pairs in the order outputs.md lists them: 低保 x 防返贫, 特困 x 防返贫,
# 持证残疾人 x 低保, 重残 x (低保 or 特困), 三类对象 x 医保参保.
PAIR_ORDER = ("低保", "特困", "持证残疾人", "重残", "三类对象")
_PAIR_SPLIT = re.compile(r"\s+[xX]\s+|\s*×\s*")


def pairs(data: ReportData) -> list[str]:
    """Overlap pairs as stored, in the order outputs.md lists them (others after, by name)."""
    seen = {*data.overlap.get_column("pair").drop_nulls().unique(), *data.history_overlap.get_column("pair").drop_nulls().unique()}
    rank = {g: i for i, g in enumerate(PAIR_ORDER)}
    return sorted(seen, key=lambda p: (rank.get(pair_sides(p)[0], len(rank)), p))


def pair_sides(pair: str) -> tuple[str, str]:
    """``低保 x 防返贫`` or ``低保×防返贫`` -> (低保, 防返贫); ``重残 x (低保 or 特困)`` -> (重残, 低保或特困)."""
    parts = _PAIR_SPLIT.split(pair, maxsplit=1)
    if len(parts) != 2:
        return pair, pair
    return tuple(re.sub(r"\s+or\s+", "或", s).strip("()（） ") for s in parts)  # type: ignore[return-value]


def overlap_lookup(data: ReportData) -> dict[tuple[str, str, str], dict]:
    """(unit or 全县, pair, measure) -> the overlap row; county rows are keyed 全县."""
    out = {}
    for r in data.overlap.filter(pl.col("level").is_in(["县", "乡镇"])).iter_rows(named=True):
        unit = COUNTY_ROW if r["level"] == "县" else r["unit"]
        out[(unit, r["pair"], r["measure"])] = r
    return out


def quarters(data: ReportData) -> list[str]:
    qs = set(data.history_cases.get_column("quarter").drop_nulls()) | set(data.history_overlap.get_column("quarter").drop_nulls())
    return sorted(qs | {data.quarter})


def trend_cases(data: ReportData) -> dict[str, list[int]]:
    """Series name -> cases per quarter (合计, 新增, and each kind)."""
    qs = quarters(data)
    h = data.history_cases

    def per_quarter(expr: pl.Expr) -> list[int]:
        sums = dict(h.filter(expr).group_by("quarter").agg(pl.col("n").sum()).iter_rows())
        return [int(sums.get(q, 0)) for q in qs]

    series = {"合计": per_quarter(pl.lit(True)), "新增": per_quarter(pl.col("status") == "新增")}
    for k, words in KINDS.items():
        series[words] = per_quarter(pl.col("kind") == k)
    return series


def trend_sieves(data: ReportData) -> dict[str, list[int]]:
    qs = quarters(data)
    out = {}
    for n, sieve in SIEVES.items():
        sums = dict(data.history_cases.filter(pl.col("sieve") == n).group_by("quarter").agg(pl.col("n").sum()).iter_rows())
        out[sieve.sheet] = [int(sums.get(q, 0)) for q in qs]
    return out


def trend_overlap(data: ReportData, measure: str = "persons") -> dict[str, list[float | None]]:
    """Pair -> county left rate per quarter (None where the quarter has no figure)."""
    qs = quarters(data)
    h = data.history_overlap.filter(pl.col("measure") == measure)
    out = {}
    for p in pairs(data):
        rates = {r["quarter"]: r["left_rate"] for r in h.filter(pl.col("pair") == p).iter_rows(named=True)}
        out[pair_words(p)] = [rates.get(q) for q in qs]
    return out


def place_words(township: str) -> str:
    return UNKNOWN_RESIDENCE if township == UNKNOWN_TOWNSHIP else township


def pair_words(pair: str) -> str:
    """How a pair reads: ``重残 x (低保 or 特困)`` -> ``重残×（低保或特困）``."""
    left, right = pair_sides(pair)
    if left == right:
        return pair
    return f"{left}×（{right}）" if "或" in right else f"{left}×{right}"


# Money found this quarter (cases.amount, yuan): S8-3 payments after death, to recover; S8-2 paid
# minus due per payment row (above 0 paid too much, below 0 too little).
RECOVER_RULE = "S8-3"
DIFFERENCE_RULE = "S8-2"


@dataclass(frozen=True)
class Progress:
    """One township's (or the county's) quarter at a glance: this list, last list's fate, money."""

    unit: str
    total: int
    new: int
    carried: int
    not_rechecked: int
    previous: int  # cases of the previous quarter's list
    resolved: int  # of them, not found again: 销号
    answered: int  # of them, answered by the township (doudi feedback import)
    confirmed: int  # 属实 or 部分属实
    disputed: int  # 不属实
    failed: int  # 整改未到位: reported put right or closed, found again this quarter
    recover: float  # S8-3, yuan
    overpaid: float  # S8-2 above 0
    underpaid: float  # S8-2 below 0, as a positive sum

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.previous if self.previous else None

    @property
    def resolve_rate(self) -> float | None:
        return self.resolved / self.previous if self.previous else None


MONEY = ("recover", "overpaid", "underpaid")


def added(rows: list[Progress], unit: str) -> Progress:
    """The ``Progress`` of the places of ``rows`` together (a province's counties): every count
    and sum added."""
    values = {f.name: sum(getattr(r, f.name) for r in rows) for f in fields(Progress) if f.name != "unit"}
    return Progress(unit, **{k: round(v, 2) if k in MONEY else v for k, v in values.items()})


def _counts_by(frame: pl.DataFrame, expr: pl.Expr | None = None) -> dict[str, int]:
    part = frame if expr is None else frame.filter(expr)
    return dict(part.group_by("township").len().iter_rows())


def _sums_by(frame: pl.DataFrame, value: pl.Expr) -> dict[str, float]:
    return dict(frame.group_by("township").agg(value.sum()).iter_rows())


def progress(data: ReportData, towns: list[str]) -> list[Progress]:
    """One ``Progress`` per township in ``towns`` order, then the county (``COUNTY_ROW``)."""
    c, prev = data.cases, data.previous
    answers = data.feedback.join(prev.select("case_id", "township"), on="case_id", how="inner")
    money = c.filter(pl.col("rule_code").is_in([RECOVER_RULE, DIFFERENCE_RULE]))
    diff = pl.when(pl.col("rule_code") == DIFFERENCE_RULE).then(pl.col("amount"))
    columns = {
        "total": _counts_by(c),
        "new": _counts_by(c, pl.col("status") == "新增"),
        "carried": _counts_by(c, pl.col("status") == "延续"),
        "not_rechecked": _counts_by(c, pl.col("not_rechecked")),
        "previous": _counts_by(prev),
        "resolved": _counts_by(data.resolved),
        "answered": _counts_by(answers, pl.col("check_result").is_not_null() | pl.col("rectified").fill_null(False)),
        "confirmed": _counts_by(answers, pl.col("check_result").is_in(["属实", "部分属实"])),
        "disputed": _counts_by(answers, pl.col("check_result") == "不属实"),
        "failed": _counts_by(c, pl.col("rectification_failed")),
        "recover": _sums_by(money, pl.when(pl.col("rule_code") == RECOVER_RULE).then(pl.col("amount")).fill_null(0)),
        "overpaid": _sums_by(money, diff.clip(lower_bound=0).fill_null(0)),
        "underpaid": _sums_by(money, (-diff).clip(lower_bound=0).fill_null(0)),
    }

    def row(unit: str, values: dict[str, float]) -> Progress:
        return Progress(unit, **{k: round(float(v or 0), 2) if k in MONEY else int(v or 0) for k, v in values.items()})

    units = list(towns)
    if any(UNKNOWN_TOWNSHIP in v for v in columns.values()):  # persons with no residence: a line of their own
        units.append(UNKNOWN_TOWNSHIP)
    rows = [row(place_words(t), {k: v.get(t, 0) for k, v in columns.items()}) for t in units]
    return rows + [row(COUNTY_ROW, {k: sum(v.values()) for k, v in columns.items()})]


def rejected_reasons(data: ReportData) -> list[tuple[str, str, int]]:
    """(table in words, reason with the values left out, rows) of the rows not used, most first;
    a whole file not used counts as one."""
    if data.rejected.is_empty():
        return []
    from pipeline.report.terms import table_title

    grouped = (
        data.rejected.with_columns(
            pl.col("reason").fill_null("（无原因）").str.replace_all(r'"[^"]*"|“[^”]*”', "…").alias("_why"),
            pl.when(pl.col("row_number").is_null()).then(pl.lit("整个文件")).otherwise(pl.col("source_table")).alias("_t"),
        )
        .group_by("_t", "_why")
        .len()
        .sort(["len", "_t", "_why"], descending=[True, False, False], nulls_last=True)
    )
    return [(t if t == "整个文件" else table_title(t), why, n) for t, why, n in grouped.iter_rows()]
