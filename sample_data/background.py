"""The clean background: who is registered, covered, certified, insured, and the latent values of
every programme for every household and person, consistent with the policy (so that, before the
scenarios, the rules find little).  Vectorised: one numpy draw per column."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from .county import age_at
from .policy import annual_standard, policy
from .rand import Streams

DIBAO_PER_PERSON = {"一类": 620.0, "二类": 520.0, "三类": 420.0, "四类": 300.0}
TEKUN_BASIC = 800.0
TEKUN_CARE = {"全自理": 80.0, "半失能": 320.0, "全失能": 900.0}
ECON_ELDERLY = 50.0
ADVANCED = ((100, 500.0), (90, 200.0), (80, 100.0))  # age from -> 元/月
CONTRIBUTION = 400.0  # 居民医保 personal contribution of the year
ABLE = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力")


def _month(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    return (y - 1970) * 12 + (m - 1)


def month_dates(months_since_1970: np.ndarray) -> pl.Series:
    y = months_since_1970 // 12 + 1970
    m = months_since_1970 % 12 + 1
    return pl.Series([date(int(a), int(b), 1) for a, b in zip(y, m)], dtype=pl.Date) if len(y) < 1000 else (
        pl.DataFrame({"y": y, "m": m}).select(pl.date("y", "m", 1))["y"]
    )


def _months_col(name: str, arr: np.ndarray) -> pl.Expr:
    return pl.date(pl.lit(pl.Series(arr // 12 + 1970)), pl.lit(pl.Series(arr % 12 + 1)), 1).alias(name)


def add_background(hh: pl.DataFrame, persons: pl.DataFrame, streams: Streams, ref: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    std12 = annual_standard()
    rng = streams("background")
    n, m = hh.height, persons.height
    ref_m = _month(np.array(ref.year), np.array(ref.month))

    # --- households: registry and 低保 --------------------------------------------------
    registry = rng.random(n) < 0.35
    dibao = np.where(registry, rng.random(n) < 0.16, rng.random(n) < 0.03)
    hh_type = np.array(["脱贫户", "监测户", "一般农户", "未脱贫户"])[
        rng.choice(4, n, p=[0.74, 0.13, 0.11, 0.02])
    ]
    monitor = np.where(hh_type == "监测户", np.array(["脱贫不稳定户", "边缘易致贫户", "突发严重困难户"])[rng.integers(0, 3, n)], "")
    risk = np.where(hh_type == "监测户", np.where(rng.random(n) < 0.6, "是", "否"), "")
    income = np.where(dibao, rng.uniform(0.4, 0.95, n) * std12, rng.uniform(20_000, 45_000, n)).round(2)
    cat = np.array(["一类", "二类", "三类", "四类"])[rng.choice(4, n, p=[0.2, 0.3, 0.3, 0.2])]
    start = ref_m - rng.integers(7, 120, n)
    status = np.where(rng.random(n) < 0.2, "", "在保")
    u = rng.random(n)
    gradual = dibao & (u < 0.02)
    stopped = dibao & (u > 0.98)
    status = np.where(gradual, "渐退", np.where(stopped, "停保", status))
    gradual_start = np.where(gradual, ref_m - rng.integers(1, 11, n), -1)  # never due in the run's quarters
    income = np.where(gradual, rng.uniform(1.05, 1.3, n) * std12, income).round(2)
    income = np.where(stopped, rng.uniform(20_000, 45_000, n), income).round(2)  # stopped: income rose
    single = dibao & (hh["size"].to_numpy() >= 2) & (rng.random(n) < 0.12)
    hh = hh.with_columns(
        registry=pl.Series(registry),
        hh_number=pl.col("region_code").str.slice(0, 9) + pl.col("hh_id").cast(pl.Utf8).str.zfill(6),
        hh_type=pl.Series(hh_type),
        monitor_category=pl.Series(monitor),
        risk_eliminated=pl.Series(risk),
        income_pc=pl.Series(income),
        dibao=pl.Series(dibao),
        dibao_category=pl.Series(cat),
        dibao_type=pl.when(pl.col("region_code").str.slice(9, 3) == "001").then(pl.lit("城市低保")).otherwise(pl.lit("农村低保")),
        dibao_start=pl.Series(start),
        dibao_status=pl.Series(status),
        gradual_start=pl.Series(gradual_start),
        single_coverage=pl.Series(single),
    )
    hh = hh.with_columns(
        pl.date(pl.col("dibao_start") // 12 + 1970, pl.col("dibao_start") % 12 + 1, 1).alias("dibao_start"),
        pl.when(pl.col("gradual_start") >= 0)
        .then(pl.date(pl.col("gradual_start") // 12 + 1970, pl.col("gradual_start") % 12 + 1, 1))
        .alias("gradual_start"),
        is_sanlei=(pl.col("registry") & ((pl.col("hh_type") == "未脱贫户") | ((pl.col("hh_type") == "监测户") & (pl.col("risk_eliminated") != "是")))),
    )

    # --- persons ------------------------------------------------------------------------
    r = streams("persons")
    p = persons.join(hh.select("hh_id", "size", "registry", "dibao", "single_coverage", "is_sanlei", "dibao_status"), on="hh_id", how="left")
    age = p.select(age_at(pl.col("birth_date"), ref).alias("a"))["a"].to_numpy()
    pos, size = p["pos"].to_numpy(), p["size"].to_numpy()
    single_hh = p["single_coverage"].to_numpy()
    covered = p["dibao"].to_numpy() & (~single_hh | (pos == size - 1))
    labour = np.where(
        age < 16, "无劳动力",
        np.where(age < 60, np.array(ABLE)[r.choice(3, m, p=[0.7, 0.2, 0.1])],
                 np.where(r.random(m) < 0.4, "弱劳动力或半劳动力", "丧失劳动力")))
    # Every 三类 household keeps one able member (else S2-2 would fire by accident).
    p = p.with_columns(labour_skill=pl.Series(labour), age=pl.Series(age))
    p = p.with_columns(
        _able=pl.col("labour_skill").is_in(ABLE).any().over("hh_id"),
        _youngest_adult=(pl.when(pl.col("age") >= 16).then(pl.col("age")).min().over("hh_id") == pl.col("age")),
    ).with_columns(
        labour_skill=pl.when(pl.col("is_sanlei") & ~pl.col("_able") & pl.col("_youngest_adult") & (pl.col("age") >= 16))
        .then(pl.lit("弱劳动力或半劳动力")).otherwise(pl.col("labour_skill"))
    )

    # Certificates: 5% of persons; 重残 only where the person is covered (else S1-1 / S1-2 fire).
    has_cert = (r.random(m) < 0.05) & (age >= 2)
    cert_cat = r.choice(7, m, p=[0.1, 0.12, 0.03, 0.45, 0.1, 0.12, 0.08]) + 1
    cert_grade = r.choice(4, m, p=[0.1, 0.2, 0.3, 0.4]) + 1
    cert_status = np.where(r.random(m) < 0.05, "注销", "正常")
    in_registry = p["registry"].to_numpy()
    sanlei = p["is_sanlei"].to_numpy()
    cert_grade = np.where(sanlei & ~covered & (cert_grade <= 2), cert_grade + 2, cert_grade)
    # the single-covered person is the reason for 单人户施保: a grade 1 肢体 certificate.
    single_person = single_hh & covered
    has_cert |= single_person
    cert_cat = np.where(single_person, 4, cert_cat)
    cert_grade = np.where(single_person, 1, cert_grade)
    cert_status = np.where(single_person, "正常", cert_status)
    cert_issue = np.datetime64("2012-01-01") + r.integers(0, 4800, m).astype("timedelta64[D]")
    cert_suffix = np.where(r.random(m) < 0.08, np.array(["B1", "B2"])[r.integers(0, 2, m)], "")
    cert_in_force = has_cert & (cert_status == "正常")
    health = np.where(
        cert_in_force, "残疾",
        np.where((age >= 50) & (r.random(m) < 0.3), "长期慢性病", "健康"))
    health = np.where(covered & in_registry & ~cert_in_force & (r.random(m) < 0.05), "患有大病", health)

    # 特困: single-person households aged 60+, not in 低保.
    tekun = (size == 1) & (age >= 60) & ~p["dibao"].to_numpy() & (r.random(m) < 0.4)
    mode = np.where(r.random(m) < 0.3, "集中供养", "分散供养")
    self_care = np.array(["全自理", "半失能", "全失能"])[r.choice(3, m, p=[0.6, 0.3, 0.1])]
    self_care = np.where((mode == "分散供养") & (self_care == "全失能"), "半失能", self_care)
    tekun_start = ref_m - r.integers(7, 100, m)
    # 孤儿 / 事实无人抚养儿童: some grandchildren under 17 living with grandparents.
    rel = p["relation"].to_numpy()
    ertong = np.isin(rel, ["之孙子", "之孙女"]) & (age < 17) & (r.random(m) < 0.05)
    ecat = np.array(["事实无人抚养儿童", "社会散居孤儿", "集中养育孤儿"])[r.choice(3, m, p=[0.6, 0.35, 0.05])]
    insured = in_registry | covered | tekun | ertong | has_cert | (r.random(m) < 0.15)

    p = p.with_columns(
        dibao_covered=pl.Series(covered),
        health=pl.Series(health),
        cert=pl.Series(has_cert),
        cert_cat=pl.Series(cert_cat.astype(np.int8)),
        cert_grade=pl.Series(cert_grade.astype(np.int8)),
        cert_status=pl.Series(cert_status),
        cert_issue=pl.Series(cert_issue).cast(pl.Date),
        cert_suffix=pl.Series(cert_suffix),
        cert_id_uid=pl.col("uid"),
        tekun=pl.Series(tekun),
        tekun_mode=pl.Series(mode),
        self_care=pl.Series(self_care),
        tekun_start=pl.Series(tekun_start),
        tekun_status=pl.lit("在保"),
        care_agreement=pl.lit("是"),
        ertong=pl.Series(ertong),
        ertong_category=pl.Series(ecat),
        ertong_start=pl.Series(ref_m - r.integers(7, 60, m)),
        ertong_status=pl.lit("在保"),
        insured=pl.Series(insured),
        insured_year=pl.lit(ref.year, dtype=pl.Int32),
        insured_status=pl.lit("参保"),
    ).with_columns(
        pl.date(pl.col("tekun_start") // 12 + 1970, pl.col("tekun_start") % 12 + 1, 1).alias("tekun_start"),
        pl.date(pl.col("ertong_start") // 12 + 1970, pl.col("ertong_start") % 12 + 1, 1).alias("ertong_start"),
        ertong_amount=pl.col("ertong_category").replace_strict(policy()["orphan_standard"], return_dtype=pl.Float64),
        basic_standard=pl.lit(TEKUN_BASIC),
        care_standard=pl.col("self_care").replace_strict(TEKUN_CARE, return_dtype=pl.Float64),
    )
    # carer of a 分散供养 person: the head of the next household (a neighbour).
    heads = p.filter(pl.col("pos") == 0).select(pl.col("hh_id"), pl.col("uid").alias("_head"))
    p = p.with_columns(_nb=(pl.col("hh_id") + 1) % n).join(heads.rename({"hh_id": "_nb"}), on="_nb", how="left")
    p = p.with_columns(
        carer_uid=pl.when(pl.col("tekun") & (pl.col("tekun_mode") == "分散供养")).then(pl.col("_head")),
    )
    # Anomaly / override columns the scenarios set (null = the clean derivation).
    p = p.with_columns(
        death_date=pl.lit(None, dtype=pl.Date),
        death_source=pl.lit(None, dtype=pl.Utf8),
        ghost=pl.lit(False),  # still in force in rosters after death
        living_override=pl.lit(None, dtype=pl.Float64),  # -1 = no 生活补贴
        care_override=pl.lit(None, dtype=pl.Float64),  # -1 = no 护理补贴
        liangbu_status=pl.lit("在保"),
        econ_suppress=pl.lit(False),
        adv_suppress=pl.lit(False),
        recv_dibao_override=pl.lit(None, dtype=pl.Utf8),
        subsidy_override=pl.lit(None, dtype=pl.Float64),
        second_dibao_head=pl.lit(None, dtype=pl.Int64),  # uid of another 低保 户主 listing this person too
        town_visit_skip=pl.lit(0, dtype=pl.Int8),  # month (1..3) without a 乡镇 visit
        village_visit_skip=pl.lit(0, dtype=pl.Int8),  # weeks without a 村 visit
        pay_skip=pl.lit(None, dtype=pl.Utf8),  # item with one unpaid month
        pay_delta=pl.lit(None, dtype=pl.Utf8),  # item paid a wrong amount once
        pay_dup=pl.lit(None, dtype=pl.Utf8),  # item paid twice in one month
        pay_after_death=pl.lit(False),
        pay_no_roster=pl.lit(None, dtype=pl.Utf8),  # item paid without a roster row
        siwang_listed=pl.lit(False),
        name_override_table=pl.lit(None, dtype=pl.Utf8),  # table whose row shows another name
        name_override=pl.lit(None, dtype=pl.Utf8),
        disability_override=pl.lit(None, dtype=pl.Utf8),  # registry 残疾类别 regardless of certificate  # listed in 死亡登记 even with a date after the reference date
        trap=pl.lit(""),
    ).drop("_nb", "_head", "_able", "_youngest_adult", "size", "registry", "dibao", "single_coverage", "is_sanlei", "dibao_status", "age")
    return hh, p
