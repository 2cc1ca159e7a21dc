"""Benchmark of pipeline/link at county sizes, on generated counties where that is affordable.

    python benchmarks/bench_link.py                       # 10k and 100k households (generator), 1M persons (synthetic)
    python benchmarks/bench_link.py 10000 100000          # households, from the generator
    python benchmarks/bench_link.py --synthetic 1000000   # persons, from the built-in synthesizer
    python benchmarks/bench_link.py --cache DIR ...       # keep generated counties in DIR (reused when present)

Generator (``sample_data.generate --forms csv``, one quarter, cached): the records are what the real
stages make of the files (ingest -> combine -> link_records), scored against ``truth/records.csv``
as benchmarks/eval_linkage.py does. Sizes above ``--max-generated`` households (default 100,000;
a million takes minutes and ~15 GB to generate and far longer to ingest) use the synthesizer.

Synthesizer: each person appears in 1-5 of the 13 tables (3 on average) in households of about
four; a few per cent of records carry dirt: one-digit ID typos, adjacent transpositions,
Excel-number IDs (15 digits kept), E+17 IDs, homophone name typos, missing villages. Randomness is
polars hashing of the row number, so a size always gives the same frame.

Prints the wall time and the process peak RSS after each stage of ``link``, and the pairwise
precision / recall against the truth.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
from pypinyin import lazy_pinyin

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.link import link, peak_memory_mb  # noqa: E402
from pipeline.normalise.ids import check_code  # noqa: E402

TABLES = ("dibao", "fupin", "yibao_canbao", "canlian", "linshi", "tekun", "laonian", "liangbu", "fafang",
          "yibao_jiesuan", "ertong", "tekun_visit", "siwang")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉萍春文辉海燕鹏飞云琴梅林荣斌宇浩凯秀兵鑫亮鹏俊帆成福德"
FOLDS = (("zh", "z"), ("ch", "c"), ("sh", "s"))


def _fold(s: str) -> str:
    for a, b in FOLDS:
        if s.startswith(a):
            s = b + s[len(a):]
    if s.startswith("n"):
        s = "l" + s[1:]
    for a, b in (("ing", "in"), ("eng", "en"), ("ang", "an")):
        if s.endswith(a):
            s = s[: -len(a)] + b
    return s


def _rand(col: str, seed: int, n: int) -> pl.Expr:
    return (pl.col(col).hash(seed) % n).cast(pl.Int64)


def synthesize(n_persons: int) -> pl.DataFrame:
    """One row per record: the columns link() reads, plus truth (the person) for scoring."""
    sur = pl.DataFrame({"s": range(len(SURNAMES)), "sc": list(SURNAMES), "sp": lazy_pinyin(list(SURNAMES))})
    giv = pl.DataFrame({"g": range(len(GIVEN)), "gc": list(GIVEN), "gp": lazy_pinyin(list(GIVEN))})
    persons = (
        pl.DataFrame({"truth": pl.int_range(n_persons, eager=True)})
        .with_columns((pl.col("truth") // 4).alias("household"))
        .with_columns(
            (pl.col("truth") % 4).alias("member"),
            # heads and spouses born 1935-1989, children 20-33 years after their household's head
            (
                _rand("household", 1, 20000)
                + pl.when(pl.col("truth") % 4 >= 2).then(7300 + _rand("truth", 1, 5000)).otherwise(_rand("truth", 1, 1500))
            ).alias("day"),
            _rand("truth", 2, 2).alias("male"),
            # skewed surnames: the square of a uniform number favours the first ones
            ((_rand("truth", 3, 1000) ** 2) * len(SURNAMES) // 1_000_000).alias("s"),
            _rand("truth", 4, len(GIVEN)).alias("g"),
            pl.when(_rand("truth", 5, 3) > 0).then(_rand("truth", 6, len(GIVEN))).alias("g2"),
        )
        .with_columns((pl.col("household") // 250).alias("village_no"))
        .join(sur, on="s")
        .join(giv, on="g")
        .join(giv.rename({"g": "g2", "gc": "gc2", "gp": "gp2"}), on="g2", how="left")
    )
    persons = persons.with_columns(
        pl.concat_str("sc", "gc", pl.col("gc2").fill_null("")).alias("name"),
        pl.concat_str("sp", "gp", "gp2", separator=" ", ignore_nulls=True).alias("name_pinyin"),
        (pl.lit(dt.date(1935, 1, 1)) + pl.duration(days=pl.col("day"))).alias("birth_date"),
    ).with_columns(
        pl.col("name_pinyin").map_elements(lambda p: " ".join(_fold(s) for s in p.split()), return_dtype=pl.Utf8)
        .alias("name_pinyin_fuzzy"),
        # unique IDs: the sequence code numbers the persons born on one day, its parity the gender
        (pl.col("truth").rank("ordinal").over("day") * 2 - 1 - (1 - pl.col("male"))).alias("seq"),
    )
    body = pl.concat_str(pl.lit("530381"), pl.col("birth_date").dt.strftime("%Y%m%d"),
                         pl.col("seq").cast(pl.Utf8).str.zfill(3))
    persons = persons.with_columns(body.alias("body")).with_columns(
        (pl.col("body") + check_code(pl.col("body"))).alias("true_id"),
        pl.when(pl.col("male") == 1).then(pl.lit("男")).otherwise(pl.lit("女")).alias("gender"),
    )
    head = persons.filter(pl.col("member") == 0).select("household", pl.col("true_id").alias("head_id"))
    persons = persons.join(head, on="household", how="left")

    # records: each person in 1-5 tables; table j of person p = (p + j * step) mod 13, distinct
    k = (_rand("truth", 7, 5) + 1).alias("k")
    records = (
        persons.with_columns(k)
        .with_columns(pl.int_ranges(0, pl.col("k")).alias("j"))
        .explode("j")
        .with_columns(((pl.col("truth") % 13 + pl.col("j") * 3) % 13).alias("t"))
        .with_columns(pl.col("t").replace_strict(dict(enumerate(TABLES)), return_dtype=pl.Utf8).alias("source_table"))
        .with_row_index("record_id")
        .with_columns(pl.col("record_id").cast(pl.Int64), _rand("record_id", 8, 1000).alias("dirt"))
    )
    pos, digit = 14, pl.col("true_id").str.slice(14, 1).cast(pl.Int64)
    typo = pl.concat_str(pl.col("true_id").str.slice(0, pos), ((digit + 1) % 10).cast(pl.Utf8),
                         pl.col("true_id").str.slice(pos + 1))
    swap = pl.concat_str(pl.col("true_id").str.slice(0, 12), pl.col("true_id").str.slice(13, 1),
                         pl.col("true_id").str.slice(12, 1), pl.col("true_id").str.slice(14))
    d = pl.col("dirt")
    is_typo, is_swap = d < 15, (d >= 15) & (d < 20) & (pl.col("true_id").str.slice(12, 1) != pl.col("true_id").str.slice(13, 1))
    is_excel, is_e17 = (d >= 20) & (d < 30), (d >= 30) & (d < 35)
    is_homophone, no_village = (d >= 35) & (d < 45), (d >= 45) & (d < 50)
    id_number = pl.when(is_typo).then(typo).when(is_swap).then(swap).when(is_excel | is_e17).then(None).otherwise(pl.col("true_id"))
    records = records.with_columns(
        id_number.alias("id_number"),
        pl.when(is_excel).then(pl.col("true_id").str.slice(0, 15)).when(is_e17).then(pl.lit("530381"))
        .when(is_typo).then(typo.str.slice(0, 17)).when(is_swap).then(swap.str.slice(0, 17))
        .otherwise(pl.col("true_id").str.slice(0, 17)).alias("id_prefix"),
        pl.when(is_homophone).then(pl.col("name") + "㐂").otherwise(pl.col("name")).alias("name_m"),
    ).with_columns(
        (pl.col("id_number") == pl.col("true_id")).fill_null(False).alias("id_valid"),
        pl.when(is_e17).then(None).otherwise(pl.col("birth_date")).alias("birth_date"),
        pl.when(is_e17 | is_excel).then(None).otherwise(pl.col("gender")).alias("gender"),
        pl.lit("宣威市").alias("county"),
        pl.format("第{}镇", pl.col("village_no") // 20).alias("township"),
        pl.when(no_village).then(None).otherwise(pl.format("第{}村", pl.col("village_no"))).alias("village"),
        pl.when(pl.col("source_table") == "dibao").then(pl.lit("dibao:") + pl.col("head_id"))
        .when(pl.col("source_table") == "fupin").then(pl.format("fupin:{}", pl.col("household")))
        .alias("household_key"),
        pl.when(pl.col("source_table").is_in(["dibao", "fupin"]))
        .then(pl.col("member").replace_strict({0: "户主", 1: "配偶", 2: "之子", 3: "之女"}, return_dtype=pl.Utf8))
        .alias("relation"),
    )
    return records.select(
        "record_id", "source_table", pl.col("name_m").alias("name"), pl.col("name_m").alias("name_display"),
        "name_pinyin", "name_pinyin_fuzzy", "id_number", "id_valid", "id_prefix", "birth_date", "gender",
        "county", "township", "village", "household_key", "relation", "truth",
    )


def pairwise(assignments: pl.DataFrame, records: pl.DataFrame) -> dict:
    """Pairwise precision / recall / F1 of the person keys against the truth."""
    j = assignments.join(records.select("record_id", "truth"), on="record_id")

    def pairs(*by: str) -> int:
        return int(j.group_by(*by).len().select((pl.col("len") * (pl.col("len") - 1) // 2).sum()).item())

    predicted, true, both = pairs("person_key"), pairs("truth"), pairs("person_key", "truth")
    p = both / predicted if predicted else 1.0
    r = both / true if true else 1.0
    return {"precision": round(p, 5), "recall": round(r, 5), "f1": round(2 * p * r / (p + r), 5) if p + r else 0.0}


PRECEDENCE = ["dibao", "tekun", "ertong", "fupin", "canlian", "yibao_canbao"]


def generated(households: int, seed: int, cache: Path) -> tuple[pl.DataFrame, float]:
    """Records of a generated CSV county (the real stages) with ``truth`` = the true person."""
    import eval_linkage as ev

    out = cache / f"county-{households}-{seed}"
    t0 = time.perf_counter()
    if not (out / "truth" / "records.csv").exists():
        ev.generate(households, seed, out, forms="csv")
    records = ev.county_records(out / ev.QUARTER)
    truth = ev.truth_frame(out, records).select("record_id", pl.col("person_uid").alias("truth"))
    return records.join(truth, on="record_id", how="left"), time.perf_counter() - t0


def run(records: pl.DataFrame, label: str, seconds: float) -> None:
    rss = peak_memory_mb()
    print(f"\n== {label}, {records.height:,} records (made in {seconds:.1f} s, peak {rss:.0f} MB)", flush=True)
    t0 = time.perf_counter()
    result = link(records.drop("truth"), None, PRECEDENCE)
    wall = time.perf_counter() - t0
    for stage, (sec, peak) in result.stages.items():
        print(f"  {stage:<10} {sec:8.2f} s   peak RSS {peak:6d} MB")
    print(f"  {'link':<10} {wall:8.2f} s   counts {result.counts}")
    print(f"  truth      {pairwise(result.assignments, records.filter(pl.col('truth').is_not_null()))}", flush=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="pipeline/link at county sizes")
    ap.add_argument("sizes", nargs="*", type=int, help="households (generator) or persons (--synthetic / too big)")
    ap.add_argument("--synthetic", action="store_true", help="always use the built-in synthesizer (sizes = persons)")
    ap.add_argument("--max-generated", type=int, default=100_000, help="largest county generated (households)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache", type=Path, help="folder for generated counties (default: a temporary one)")
    args = ap.parse_args(argv)
    plan = [(n, args.synthetic or n > args.max_generated) for n in args.sizes] or [
        (10_000, False), (100_000, False), (1_000_000, True)
    ]
    tmp = None
    cache = args.cache
    if cache is None and not all(synth for _, synth in plan):
        tmp = tempfile.TemporaryDirectory(prefix="doudi-bench-")
        cache = Path(tmp.name)
    for n, synth in plan:
        if synth:
            t0 = time.perf_counter()
            records = synthesize(n)
            run(records, f"{n:,} persons (synthetic)", time.perf_counter() - t0)
        else:
            records, seconds = generated(n, args.seed, cache)
            run(records, f"{n:,} households (generated, seed {args.seed}, csv, ingest -> combine -> link_records)", seconds)
        del records
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
