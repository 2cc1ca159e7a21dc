"""The county's figures, computed once for the summary workbook and the HTML page."""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from pipeline.report.load import ReportData
from pipeline.report.terms import KINDS, SIEVES, STATUSES

COUNTY_ROW = "全县"


@dataclass(frozen=True)
class TownRow:
    township: str
    total: int
    by_status: dict[str, int]
    by_kind: dict[str, int]
    by_sieve: dict[int, int]
    by_sieve_kind: dict[tuple[int, str], int]


def _town_row(name: str, cases: pl.DataFrame) -> TownRow:
    def count(expr: pl.Expr) -> int:
        return cases.filter(expr).height

    return TownRow(
        township=name,
        total=cases.height,
        by_status={s: count(pl.col("status") == s) for s in STATUSES},
        by_kind={k: count(pl.col("kind") == k) for k in KINDS},
        by_sieve={n: count(pl.col("sieve") == n) for n in SIEVES},
        by_sieve_kind={(n, k): count((pl.col("sieve") == n) & (pl.col("kind") == k)) for n in SIEVES for k in KINDS},
    )


def town_rows(data: ReportData, towns: list[str]) -> list[TownRow]:
    """One row per township (in ``towns`` order) and the county total last."""
    rows = [_town_row(t, data.cases.filter(pl.col("township") == t)) for t in towns]
    return rows + [_town_row(COUNTY_ROW, data.cases)]


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
    seen = set(data.overlap.get_column("pair").drop_nulls()) | set(data.history_overlap.get_column("pair").drop_nulls())
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
        out[p] = [rates.get(q) for q in qs]
    return out
