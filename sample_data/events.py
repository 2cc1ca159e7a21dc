"""Dated events of the background: hospital settlements, 临时救助 and deaths (vectorised draws)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl

from .county import age_at
from .policy import policy
from .quarters import Q

HOSPITALS = ["县人民医院", "县中医医院", "州第一人民医院", "省第二人民医院", "乡镇卫生院"]
BENIGN = ["肺炎", "高血压", "2型糖尿病", "骨折", "冠心病", "慢性阻塞性肺疾病", "脑梗死", "胆囊结石", "白内障"]


def background_deaths(P: pl.DataFrame, reserved: np.ndarray, quarters: list[Q], rng: np.random.Generator, rate=0.006) -> pl.DataFrame:
    """Old people (75+, not a 户主, not covered by 低保) dying in each quarter of the run."""
    elig = (
        (age_at(pl.col("birth_date"), quarters[-1].ref) >= 75) & (pl.col("pos") > 0) & ~pl.col("dibao_covered")
        & ~pl.col("hh_id").is_in(reserved) & pl.col("death_date").is_null()
    )
    mask = P.select(elig.alias("m"))["m"].to_numpy()
    u = rng.random(P.height)
    which = rng.integers(0, len(quarters), P.height)
    day = rng.integers(0, 90, P.height)
    starts = np.array([q.start for q in quarters], dtype="datetime64[D]")
    dd = starts[which] + day.astype("timedelta64[D]")
    die = mask & (u < rate * len(quarters))
    src = np.array(["火化", "公安", "卫健"])[rng.integers(0, 3, P.height)]
    return P.with_columns(
        death_date=pl.when(pl.Series(die)).then(pl.Series(dd).cast(pl.Date)).otherwise(pl.col("death_date")),
        death_source=pl.when(pl.Series(die)).then(pl.Series(src)).otherwise(pl.col("death_source")),
    )


def background_settlements(X: pl.DataFrame, reserved: np.ndarray, first: Q, last: Q, rng: np.random.Generator, rate=0.04) -> pl.DataFrame:
    """Ordinary stays: benign diagnoses, 医疗救助 by the identity's ratio (rounded up), so no rule fires."""
    cand = X.filter(pl.col("insured") & ~pl.col("hh_id").is_in(reserved) & pl.col("death_date").is_null())
    n = cand.height
    pick = rng.random(n) < rate
    c = cand.filter(pl.Series(pick))
    m = c.height
    lo = np.datetime64(last.ref - timedelta(days=365 + 60), "D")
    days = rng.integers(0, (np.datetime64(last.ref, "D") - lo).astype(int), m)
    total = rng.uniform(2_000, 12_000, m).round(2)
    basic = (total * rng.uniform(0.55, 0.7, m)).round(2)
    remain = total - basic
    ratio = c.select(
        pl.when(pl.col("tekun") | pl.col("ertong") | (pl.col("dibao") & pl.col("dibao_covered"))).then(policy()["aid_ratio_key"])
        .when(pl.col("is_sanlei")).then(policy()["aid_ratio_low_income"]).otherwise(0.0).alias("r"))["r"].to_numpy()
    aid = np.ceil(remain * ratio * 100) / 100
    return pl.DataFrame({
        "uid": c["uid"], "settlement_date": pl.Series(lo + days.astype("timedelta64[D]")).cast(pl.Date),
        "hospital": np.array(HOSPITALS)[rng.integers(0, len(HOSPITALS), m)],
        "diagnosis": np.array(BENIGN)[rng.integers(0, len(BENIGN), m)],
        "major_illness": pl.Series(np.where(rng.random(m) < 0.5, "否", "")).replace("", None),
        "total_cost": total, "basic_fund": basic, "critical_illness_fund": np.zeros(m),
        "medical_aid": aid, "out_of_pocket": (remain - aid).round(2),
    })


def background_linshi(X: pl.DataFrame, reserved: np.ndarray, q: Q, rng: np.random.Generator, rate=0.01) -> pl.DataFrame:
    cand = X.filter(pl.col("insured") & ~pl.col("hh_id").is_in(reserved) & ~pl.col("dead"))
    pick = rng.random(cand.height) < rate
    if pick.sum() < 3 and cand.height:  # a small county still has a few
        pick[rng.permutation(cand.height)[:3]] = True
    c = cand.filter(pl.Series(pick))
    m = c.height
    return pl.DataFrame({
        "uid": c["uid"],
        "relief_date": pl.Series(np.datetime64(q.start, "D") + rng.integers(0, 90, m).astype("timedelta64[D]")).cast(pl.Date),
        "amount": (rng.integers(5, 40, m) * 100).astype(float),
        "relief_type": np.where(rng.random(m) < 0.5, "急难型", "支出型"),
        "reason": np.where(rng.random(m) < 0.5, "因病", "因灾"),
    })


SETTLEMENT_SCHEMA = {"uid": pl.Int64, "settlement_date": pl.Date, "hospital": pl.Utf8, "diagnosis": pl.Utf8, "major_illness": pl.Utf8,
                     "total_cost": pl.Float64, "basic_fund": pl.Float64, "critical_illness_fund": pl.Float64,
                     "medical_aid": pl.Float64, "out_of_pocket": pl.Float64}
LINSHI_SCHEMA = {"uid": pl.Int64, "relief_date": pl.Date, "amount": pl.Float64, "relief_type": pl.Utf8, "reason": pl.Utf8}


def frame(rows: list[dict], schema: dict) -> pl.DataFrame:
    if not rows:
        return pl.DataFrame(schema=schema)
    full = [{k: r.get(k, "县人民医院" if k == "hospital" else None) for k in schema} for r in rows]
    return pl.DataFrame(full, schema=schema, orient="row")
