"""Micro-benchmark: rows/s of ``normalise`` on dibao-shaped rows (default 1,000,000).

    python benchmarks/bench_normalise.py [rows]

The frame looks like ingest's output: text cells, a realistic share of dirt (15-digit IDs,
scientific notation, full-width digits, traditional names, separators, mixed date forms) and
several hundred thousand distinct names (some traditional).
"""

from __future__ import annotations

import sys
import time
from datetime import date

import numpy as np
import polars as pl

from contracts.sources import TABLES
from pipeline.normalise import normalise
from pipeline.normalise.ids import WEIGHTS, CHECK_CODES

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐許馮鄧阿")
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红梅兰木呷热依文斌辉力永健世广义兴良海山仁波宁贵福生龙元全"
    "胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆"
    "磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策"
    "腾楠榕风航弘麗華強偉軍傑濤國誌紅蘭"
)


def _ids(rng: np.random.Generator, n: int) -> list[str]:
    county = rng.choice(["530381", "530302", "532621", "110105"], n)
    born = pl.date_range(date(1930, 1, 1), date(2020, 12, 31), eager=True).sample(n, with_replacement=True, seed=1)
    seq = rng.integers(0, 1000, n)
    out = []
    for c, b, s in zip(county, born.dt.strftime("%Y%m%d").to_list(), seq):
        body = f"{c}{b}{s:03d}"
        out.append(body + CHECK_CODES[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11])
    return out


def make_rows(n: int) -> pl.DataFrame:
    rng = np.random.default_rng(7)
    ids = _ids(rng, n)
    names = [
        a + b + (c if k else "") + ("·" if m else "")
        for a, b, c, k, m in zip(
            rng.choice(SURNAMES, n), rng.choice(GIVEN, n), rng.choice(GIVEN, n), rng.random(n) < 0.7, rng.random(n) < 0.01
        )
    ]
    def pick(choices: list[str | None]) -> list[str | None]:
        return [choices[i] for i in rng.integers(0, len(choices), n)]

    frame = pl.DataFrame(
        {
            "row_number": np.arange(2, n + 2),
            "name": names,
            "id_number": ids,
            "head_id_number": [ids[i - i % 3] for i in range(n)],  # households of three
            "relation": pick(["户主", "配偶", "之子", "之女"]),
            "dibao_type": pick(["农村低保", "城市低保"]),
            "category": pick(["一类", "二类", "三类", "A类", "4类"]),
            "household_monthly_amount": pick(["1,234.50", "560元", "￥800", "１２００", "450.5"]),
            "covered_persons": pick(["1", "2", "3人", "4"]),
            "start_month": pick(["202401", "2023-05", "2022年3月", "2021/7", "45292"]),
            "status": pick(["在保", "渐退", "正常", None]),
            "gradual_exit_start_month": pick([None, None, "2026-08"]),
            "single_person_coverage": pick(["是", "否", None]),
            "household_income_per_capita": pick(["3600", "4,800.00", None]),
            "region_code": pick(["530381101001", "530381102003", "530302100201"]),
        }
    )
    dirt = rng.random(n)
    id_col = pl.col("id_number")
    frame = frame.with_columns(
        pl.when(pl.lit(dirt) < 0.01)
        .then(id_col.str.slice(0, 6) + id_col.str.slice(8, 9))
        .when(pl.lit(dirt) < 0.02)
        .then(pl.lit("5.33321198001011E+17"))
        .when(pl.lit(dirt) < 0.03)
        .then(id_col.str.to_lowercase().str.replace("^", "'"))
        .otherwise(id_col)
        .alias("id_number")
    )
    return frame.with_columns(pl.lit("{}").alias("raw"))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rows = make_rows(n)
    table = TABLES["dibao"]
    normalise(table, rows.head(1000), date(2026, 9, 30))  # warm-up: dictionaries, regexes
    best, cpu = float("inf"), float("inf")
    for _ in range(3):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = normalise(table, rows, date(2026, 9, 30))
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    assert out.height == n
    print(f"normalise dibao: {n:,} rows in {best:.2f} s wall (best of 3) = {n / best:,.0f} rows/s")
    # CPU seconds summed over polars' threads: the work done, whatever else the machine runs.
    print(f"  cpu {cpu:.2f} s = {n / cpu:,.0f} rows per cpu-second")


if __name__ == "__main__":
    main()
