"""The two person ledgers of a township workbook, from ``person_facts``:

- 三类对象筛查台账: every 三类对象 person of the township, the policies they receive and the cases found;
- 困难重度残疾人台账: every 重残 person in 低保, 特困 or 三类对象, and whether they get each benefit.
"""

from __future__ import annotations

import polars as pl

from pipeline.report.households import with_households
from pipeline.report.load import ReportData
from pipeline.report.layout import Column
from pipeline.report.terms import NO, UNKNOWN, UNKNOWN_VILLAGE, YES


def _yn(header: str) -> Column:
    return Column(header, min_width=4, align="center")


HEAD = (
    Column("序号", align="center"),
    Column("村", max_width=14, wrap=True),
    Column("户", max_width=16, wrap=True),
    Column("姓名", max_width=12),
    Column("身份证号", max_width=20),
    Column("年龄", align="center"),
)
TAIL = (
    Column("发现问题（规则代码）", max_width=14, wrap=True),
    Column("问题", max_width=40, wrap=True),
)
SANLEI_FLAGS = {
    "重残": "is_severe",
    "重病": "is_major_ill",
    "低保": "in_dibao",
    "特困": "in_tekun",
    "残疾人生活补贴": "has_living_subsidy",
    "重度残疾人护理补贴": "has_care_subsidy",
    "参保": "is_insured",
    "资助参保": "is_aided_insurance",
}
ZHONGCAN_FLAGS = {
    "低保": "in_dibao",
    "特困": "in_tekun",
    "残疾人生活补贴": "has_living_subsidy",
    "重度残疾人护理补贴": "has_care_subsidy",
    "参保": "is_insured",
    "资助参保": "is_aided_insurance",
}
# The person_facts columns that decide who is listed: without them a ledger cannot be made.
THREE_GROUPS_NEEDS = ("is_three_groups",)
SEVERE_NEEDS = ("is_severe", "in_dibao", "in_tekun", "is_three_groups")
SANLEI_COLUMNS = (*HEAD, *[_yn(h) for h in SANLEI_FLAGS], *TAIL)
ZHONGCAN_COLUMNS = (*HEAD, Column("身份", max_width=12, wrap=True), *[_yn(h) for h in ZHONGCAN_FLAGS], *TAIL)


def _codes(cases: pl.DataFrame) -> pl.DataFrame:
    """person_key -> the codes and rule words of the person's cases this quarter."""
    return (
        cases.filter(pl.col("person_key").is_not_null())
        .select("person_key", "rule_code", "rule_name")
        .unique()
        .sort("person_key", "rule_code")
        .group_by("person_key", maintain_order=True)
        .agg(
            pl.col("rule_code").drop_nulls().str.join("、").alias("codes"),
            pl.concat_str(pl.col("rule_code"), pl.lit(" "), pl.col("rule_name"), ignore_nulls=True).str.join("；\n").alias("problems"),
        )
    )


def _people(data: ReportData, facts: pl.DataFrame, township: str) -> pl.DataFrame:
    """``facts`` rows of the persons living in ``township``, with their problems and household."""
    here = data.persons.filter(pl.col("township") == township).select("person_key", "id_number", "name", "village").unique("person_key")
    cases = data.cases.filter(pl.col("person_key").is_in(here.get_column("person_key").implode()))
    out = facts.join(here, on="person_key", how="inner").join(_codes(cases), on="person_key", how="left")
    out = with_households(out.drop("dibao_household", "registry_household"), data.households)
    return out.sort(["village", "household_key", "name", "person_key"], nulls_last=True)


def _yes_no(flag: str) -> pl.Expr:
    return pl.when(pl.col(flag).is_null()).then(pl.lit(UNKNOWN)).when(pl.col(flag)).then(pl.lit(YES)).otherwise(pl.lit(NO))


def _ledger(people: pl.DataFrame, flags: dict[str, str], extra: list[pl.Expr]) -> pl.DataFrame:
    """The ledger's rows, its columns in order (``HEAD``, ``extra``, the flags, ``TAIL``)."""
    dead = pl.when(pl.col("is_dead").fill_null(False)).then(pl.lit("（已故）")).otherwise(pl.lit(""))
    return people.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("序号"),
        pl.col("village").fill_null(UNKNOWN_VILLAGE),
        pl.col("household"),
        pl.concat_str(pl.col("name").fill_null(""), dead).alias("name"),
        pl.col("id_number"),
        pl.col("age"),
        *extra,
        *[_yes_no(c).alias(header) for header, c in flags.items()],
        pl.col("codes").fill_null("未发现问题"),
        pl.col("problems"),
    )


def sanlei_rows(data: ReportData, township: str) -> pl.DataFrame:
    return _ledger(_people(data, data.facts.filter(pl.col("is_three_groups").fill_null(False)), township), SANLEI_FLAGS, [])


def zhongcan_rows(data: ReportData, township: str) -> pl.DataFrame:
    covered = pl.col("in_dibao").fill_null(False) | pl.col("in_tekun").fill_null(False) | pl.col("is_three_groups").fill_null(False)
    people = _people(data, data.facts.filter(pl.col("is_severe").fill_null(False) & covered), township)
    return _ledger(people, ZHONGCAN_FLAGS, [_status().alias("身份")])


def _status() -> pl.Expr:
    """重残 ledger's 身份: what covers the person (低保、特困、三类对象), in that order."""
    words = [pl.when(pl.col(c).fill_null(False)).then(pl.lit(w)) for w, c in (("低保", "in_dibao"), ("特困", "in_tekun"), ("三类对象", "is_three_groups"))]
    return pl.concat_str(words, separator="、", ignore_nulls=True)
