"""The fictional county: townships, villages, households and their members (clean, vectorised)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from .names import draw_names
from .rand import Streams

PROVINCE_PREFIX = "53"  # a real province prefix; the county code under it is fictional
COUNTY_CODE = "539921"
COUNTY_NAME = "青岚县"
# Places people were born elsewhere (real prefecture codes of the same province).
OTHER_BIRTH_PREFIXES = ("530381", "532526", "530122", "533102")

TOWNSHIP_NAMES = [
    "青山镇", "白水乡", "龙潭镇", "石门乡", "河口镇", "松林乡", "云岭镇", "清溪乡", "马鞍乡", "新街镇",
    "大坪乡", "凤凰镇", "金沙乡", "桃源镇", "柳湾乡", "东岗镇", "西坝乡", "南华镇", "北川乡", "平安镇",
]
_V1 = list("石杨李柳竹梨桃枫松荷花茶麻田河岭沟湾坪坝岗塘冲营寨")
_V2 = ["桥", "林", "家", "树", "园", "溪", "山", "坡", "口", "头", "边", "脚", "营", "庄", "寨", "湾"]


def build_geography(n_households: int, county_code: str = COUNTY_CODE) -> pl.DataFrame:
    """One row per village: township and village names and the 12-digit 统计用区划代码 (under
    ``county_code``)."""
    n_town = min(60, max(3, -(-n_households // 25_000)))
    per_town = min(99, max(2, -(-n_households // (n_town * 400))))
    rows = []
    for t in range(n_town):
        tname = TOWNSHIP_NAMES[t % len(TOWNSHIP_NAMES)] + ("" if t < len(TOWNSHIP_NAMES) else str(t // 20))
        tcode = f"{100 + t:03d}"
        for v in range(per_town):
            vname = _V1[(t * 7 + v) % len(_V1)] + _V2[(t * 3 + v * 5) % len(_V2)] + ("社区" if v == 0 else "村")
            if any(r["village"] == vname and r["township"] == tname for r in rows):
                vname = vname[:-1] + str(v) + vname[-1]
            vcode = f"{(1 if v == 0 else 200 + v):03d}"
            rows.append({"township": tname, "township_code": tcode, "village": vname, "village_code": vcode})
    geo = pl.DataFrame(rows).with_row_index("village_idx")
    return geo.with_columns(
        county=pl.lit(COUNTY_NAME),
        region_code=pl.lit(county_code) + pl.col("township_code") + pl.col("village_code"),
        village_idx=pl.col("village_idx").cast(pl.Int32),
    )


def build_households(n: int, geo: pl.DataFrame, streams: Streams, ref: date, county_code: str = COUNTY_CODE) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Households and persons.  Ages are drawn at ``ref`` and turned into birth dates; most were
    born in the county (ID birthplace ``county_code``), some elsewhere in the province."""
    rng = streams("households")
    nv = geo.height
    village = np.sort(rng.integers(0, nv, n)).astype(np.int32)
    head_age = np.clip(rng.normal(55, 15, n), 20, 95).astype(np.int32)
    single = rng.random(n) < np.where(head_age >= 60, 0.4, 0.06)
    spouse = ~single & (rng.random(n) < np.where(head_age < 80, 0.85, 0.45))
    n_child = np.where(single, 0, rng.integers(0, 4, n))
    n_child = np.where(head_age < 26, np.minimum(n_child, 1), n_child)
    n_parent = np.where(single | (head_age > 60), 0, (rng.random(n) < 0.2) * rng.integers(1, 3, n))
    n_grand = np.where(single | (head_age < 50), 0, (rng.random(n) < 0.35) * rng.integers(1, 3, n))
    size = 1 + spouse + n_child + n_parent + n_grand

    hh = pl.DataFrame(
        {
            "hh_id": np.arange(n, dtype=np.int64),
            "village_idx": village,
            "size": size.astype(np.int32),
        }
    ).join(geo.select("village_idx", "county", "township", "village", "region_code"), on="village_idx", how="left")

    # Members: explode by size, then role by position within the household.
    hid = np.repeat(np.arange(n, dtype=np.int64), size)
    pos = np.arange(len(hid)) - np.repeat(np.cumsum(size) - size, size)
    sp, nc, npa = spouse[hid].astype(int), n_child[hid], n_parent[hid]
    m = len(hid)
    r = streams("members")
    u = r.random(m)
    role = np.select(
        [pos == 0, (pos == 1) & (sp == 1), pos < 1 + sp + nc, pos < 1 + sp + nc + npa],
        ["head", "spouse", "child", "parent"],
        "grand",
    )
    ha = head_age[hid]
    head_male = rng.random(n)[hid] < 0.85
    male = np.select(
        [role == "head", role == "spouse", role == "parent"],
        [head_male, ~head_male, (pos - 1 - sp - nc) == 0],
        u < 0.5,
    )
    age = np.select(
        [role == "head", role == "spouse", role == "child", role == "parent"],
        [ha, ha + r.integers(-6, 5, m), ha - r.integers(20, 36, m), ha + r.integers(20, 33, m)],
        r.integers(0, 15, m),
    )
    age = np.clip(age, 1, 101)  # nobody born inside the run's quarters
    age = np.where((role == "spouse"), np.maximum(age, 18), age)
    rel = np.select(
        [role == "head", role == "spouse", (role == "child") & male, role == "child",
         (role == "parent") & male, role == "parent", (role == "grand") & male],
        ["户主", "配偶", "之子", "之女", "之父", "之母", "之孙子"],
        "之孙女",
    )
    ref64 = np.datetime64(ref, "D")
    birth = ref64 - (np.round(age * 365.25).astype(np.int64) + r.integers(1, 365, m)).astype("timedelta64[D]")
    prefix = np.where(r.random(m) < 0.06, np.array(OTHER_BIRTH_PREFIXES)[r.integers(0, 4, m)], county_code)
    persons = pl.DataFrame(
        {
            "uid": np.arange(m, dtype=np.int64),
            "hh_id": hid,
            "pos": pos.astype(np.int32),
            "relation": rel,
            "gender": np.where(male, "男", "女"),
            "birth_date": birth,
            "id_prefix": prefix,
            "name": draw_names(streams("names"), male),
        }
    ).with_columns(pl.col("birth_date").cast(pl.Date))
    return hh, persons


def age_at(birth: pl.Expr, ref: date) -> pl.Expr:
    """Full years at ``ref`` (an 18th birthday on ``ref`` counts)."""
    return (
        pl.lit(ref.year) - birth.dt.year()
        - ((birth.dt.month() > ref.month) | ((birth.dt.month() == ref.month) & (birth.dt.day() > ref.day))).cast(pl.Int32)
    ).cast(pl.Int32)
