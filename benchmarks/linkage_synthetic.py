"""The synthetic linkage set: about N records of one county in the spec's dirt mix, with the truth.

Synthesizer (``synthesize``): households of four, 250 a village; each person in 1-5 of the 13
tables (3 on average); ID and name cells written with the spec's dirt (ID_DIRT, NAME_DIRT: Excel's
truncated ``…000``, Excel numbers, Excel's display form ``5.30381E+17``, one-digit slips, adjacent
transpositions, 15-digit IDs, apostrophes / full-width / inner spaces / lower-case x; traditional,
homophone and spaced names), files without region columns, twins and same-day namesakes in one
village; the cells are read by the pipeline's own normalisers. Randomness is polars hashing of row
numbers, so a size always gives the same frame. Used by ``bench_link.py --synthetic N`` (doudi alone) and
``eval_linkage.py --synthetic N`` (doudi and Splink side by side).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.normalise.ids import check_code  # noqa: E402

TABLES = ("dibao", "fupin", "yibao_canbao", "canlian", "linshi", "tekun", "laonian", "liangbu", "fafang",
          "yibao_jiesuan", "ertong", "tekun_visit", "siwang")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉萍春文辉海燕鹏飞云琴梅林荣斌宇浩凯秀兵鑫亮鹏俊帆成福德"
def _rand(col: str, seed: int, n: int) -> pl.Expr:
    return (pl.col(col).hash(seed) % n).cast(pl.Int64)


# Identity dirt per record, from the spec (inputs.md ID forms, rules.md typos, the Excel forms of
# the identity issue): kind -> share of records (per mille).  IDs and names are written as cells
# and read by the pipeline's own normalisers.
ID_DIRT = (
    ("id_excel_truncated", 30),  # 18 digits typed into Excel: 15 kept + 000
    ("id_excel_number", 10),  # an Excel number cell: 5.30381196001011E+17 (15 significant digits)
    ("id_sci_display", 10),  # a CSV Excel re-saved: 5.30381E+17
    ("id_typo_digit", 10),
    ("id_typo_transpose", 5),
    ("id_15_digit", 20),  # the old 15-digit form (born 19xx)
    ("id_text_forms", 25),  # apostrophe, full-width digits, lower-case x, an inner space
)
NAME_DIRT = (("name_traditional", 20), ("name_homophone", 10), ("name_space", 5))
NO_VILLAGE = 30  # per mille of records from a file without region columns
TWINS, NAMESAKES = 20, 5  # per mille of households: twins; two heads of one name born one day in one village
REFERENCE = dt.date(2026, 9, 30)
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")


def _bands(table: tuple, column: str) -> pl.Expr:
    """The dirt kind of each record from a 0..999 draw in ``column`` (null: clean)."""
    expr, lo = None, 0
    for kind, share in table:
        cond = (pl.col(column) >= lo) & (pl.col(column) < lo + share)
        expr = (pl.when(cond) if expr is None else expr.when(cond)).then(pl.lit(kind))
        lo += share
    return expr.otherwise(pl.lit(None, pl.Utf8))


def _persons(n_persons: int) -> pl.DataFrame:
    """Households of four (head, spouse, two children), 250 households a village; twins and
    same-day namesakes planted; valid IDs with the pipeline's check digit."""
    sur, giv = list(SURNAMES), list(GIVEN)
    p = (
        pl.DataFrame({"truth": pl.int_range(n_persons, eager=True)})
        .with_columns((pl.col("truth") // 4).alias("household"), (pl.col("truth") % 4).alias("member"))
        .with_columns(
            (pl.col("household") // 250).alias("village_no"),
            (_rand("household", 1, 20000) + pl.when(pl.col("member") >= 2).then(7300 + _rand("truth", 1, 5000))
             .otherwise(_rand("truth", 1, 1500))).alias("day"),
            pl.when(pl.col("member") == 1).then(0).when(pl.col("member") == 0).then(1).otherwise(_rand("truth", 2, 2)).alias("male"),
            # skewed surnames, one per household (the spouse's own)
            pl.when(pl.col("member") == 1).then((_rand("truth", 3, 1000) ** 2) * len(sur) // 1_000_000)
            .otherwise((_rand("household", 3, 1000) ** 2) * len(sur) // 1_000_000).alias("s"),
            _rand("truth", 4, len(giv)).alias("g"),
            pl.when(_rand("truth", 5, 10) < 7).then(_rand("truth", 6, len(giv))).alias("g2"),
            _rand("household", 7, 1000).alias("trap_draw"),
        )
    )
    twin = (pl.col("trap_draw") < TWINS) & (pl.col("member") == 3)
    p = p.with_columns(pl.when(twin).then(pl.col("day").shift(1)).otherwise(pl.col("day")).alias("day"))
    p = p.with_columns(
        pl.concat_str(
            pl.col("s").replace_strict(dict(enumerate(sur)), return_dtype=pl.Utf8),
            pl.col("g").replace_strict(dict(enumerate(giv)), return_dtype=pl.Utf8),
            pl.col("g2").replace_strict(dict(enumerate(giv)), default=None, return_dtype=pl.Utf8).fill_null(""),
        ).alias("name")
    )
    # namesakes: the head of an odd household of a chosen pair takes the even one's name and birth day
    pair_head = (pl.col("member") == 0) & (pl.col("household") % 2 == 1) & (_rand("household", 8, 1000) < NAMESAKES)
    p = p.with_columns(
        pl.when(pair_head).then(pl.col("name").shift(4)).otherwise(pl.col("name")).alias("name"),
        pl.when(pair_head).then(pl.col("day").shift(4)).otherwise(pl.col("day")).alias("day"),
        pl.when(twin | twin.shift(-1).fill_null(False)).then(pl.lit("twin"))
        .when(pair_head | pair_head.shift(-4).fill_null(False)).then(pl.lit("namesake"))
        .otherwise(pl.lit("")).alias("trap"),
    )
    p = p.with_columns((pl.lit(dt.date(1935, 1, 1)) + pl.duration(days=pl.col("day"))).alias("birth"))
    # the sequence code numbers the persons born on one day, its parity the gender
    # (from a per-day start, as a police station numbers them; never 000)
    p = p.with_columns(
        ((_rand("day", 14, 400) + pl.col("truth").rank("ordinal").over("day", "male") - 1) * 2 % 998 + 1 + pl.col("male")).alias("seq")
    )
    body = pl.concat_str(pl.lit("530381"), pl.col("birth").dt.strftime("%Y%m%d"), pl.col("seq").cast(pl.Utf8).str.zfill(3))
    return p.with_columns((body + check_code(body)).alias("true_id"))


def _id_cell(kind: pl.Expr, draw: pl.Expr) -> pl.Expr:
    """The ID cell of each record: the true ID in the form its dirt kind gives."""
    i = pl.col("true_id")
    pos = 6 + draw % 11
    digit = i.str.slice(pos, 1).cast(pl.Int64)
    typo = pl.concat_str(i.str.slice(0, pos), ((digit + 1 + draw % 9) % 10).cast(pl.Utf8), i.str.slice(pos + 1))
    tpos = 6 + draw % 10
    swap = pl.concat_str(i.str.slice(0, tpos), i.str.slice(tpos + 1, 1), i.str.slice(tpos, 1), i.str.slice(tpos + 2))
    number = i.str.slice(0, 18).cast(pl.Int64, strict=False)  # null when it ends in X (text, not a number)
    held = number.cast(pl.Float64).cast(pl.Int64)  # Excel holds the nearest double, and writes its 15 digits
    fifteen = ((held + 500) // 1000).cast(pl.Utf8).str.strip_chars_end("0")
    text_form = draw % 4
    return (
        pl.when(kind == "id_excel_truncated").then(i.str.slice(0, 15) + "000")
        .when((kind == "id_excel_number") & number.is_not_null())
        .then(pl.format("{}.{}E+17", fifteen.str.slice(0, 1), fifteen.str.slice(1)))
        .when(kind == "id_sci_display")
        .then(pl.format("{}.{}E+17", i.str.slice(0, 1), ((i.str.slice(0, 7).cast(pl.Int64) + 5) // 10).cast(pl.Utf8).str.slice(1)))
        .when(kind == "id_typo_digit").then(typo)
        .when((kind == "id_typo_transpose") & (i.str.slice(tpos, 1) != i.str.slice(tpos + 1, 1))).then(swap)
        .when((kind == "id_15_digit") & (i.str.slice(6, 2) == "19")).then(i.str.slice(0, 6) + i.str.slice(8, 9))
        .when((kind == "id_text_forms") & (text_form == 0)).then("'" + i)
        .when((kind == "id_text_forms") & (text_form == 1)).then(i.str.slice(0, 10) + " " + i.str.slice(10))
        .when((kind == "id_text_forms") & (text_form == 2)).then(i.str.replace("X", "x"))
        .when(kind == "id_text_forms").then(i.map_elements(lambda s: s.translate(FULLWIDTH), return_dtype=pl.Utf8))
        .otherwise(i)
    )


def _name_cells(records: pl.DataFrame) -> pl.Series:
    """The name cell of each record: traditional, homophone or spaced forms of the distinct names."""
    from sample_data.names import HOMOPHONES, traditional, typo, with_space

    kinds = records.select("name", "name_dirt").unique().drop_nulls("name_dirt")
    forms = {"name_traditional": traditional, "name_space": with_space, "name_homophone": lambda n: typo(n, HOMOPHONES) or n}
    changed = kinds.with_columns(
        pl.struct("name", "name_dirt").map_elements(lambda r: forms[r["name_dirt"]](r["name"]), return_dtype=pl.Utf8).alias("_cell")
    )
    cells = records.select("name", "name_dirt").join(changed, on=["name", "name_dirt"], how="left", maintain_order="left")
    return cells.select(pl.coalesce("_cell", "name").alias("name_cell"))["name_cell"]


def synthesize(n_records: int) -> pl.DataFrame:
    """About ``n_records`` records of one county (each person in 1-5 of the 13 tables, 3 on average),
    carrying ID_DIRT / NAME_DIRT, twins and same-day namesakes; the columns link() reads, read by
    the pipeline's own normalisers, plus ``truth`` (the person), ``dirt`` (kinds) and ``trap``."""
    from pipeline.normalise.ids import add_id_columns
    from pipeline.normalise.names import add_name_columns

    persons = _persons(max(4, n_records // 3))
    k = (_rand("truth", 9, 5) + 1).alias("k")
    records = (
        persons.with_columns(k)
        .with_columns(pl.int_ranges(0, pl.col("k")).alias("j"))
        .explode("j")
        .with_columns(((pl.col("truth") % 13 + pl.col("j") * 3) % 13).alias("t"))
        .with_columns(pl.col("t").replace_strict(dict(enumerate(TABLES)), return_dtype=pl.Utf8).alias("source_table"))
        .with_row_index("record_id")
        .with_columns(
            pl.col("record_id").cast(pl.Int64),
            _rand("record_id", 10, 1000).alias("_id_draw"),
            _rand("record_id", 11, 1000).alias("_name_draw"),
            _rand("record_id", 12, 1000).alias("_village_draw"),
            _rand("record_id", 13, 1000).alias("_form_draw"),
        )
        .with_columns(_bands(ID_DIRT, "_id_draw").alias("id_dirt"), _bands(NAME_DIRT, "_name_draw").alias("name_dirt"))
    )
    records = records.with_columns(
        _id_cell(pl.col("id_dirt"), pl.col("_form_draw")).alias("id_number"),
        _name_cells(records).alias("name_cell"),
    )
    records = add_id_columns(records, "id_number", REFERENCE, person=True)
    records = add_name_columns(records.drop("name").rename({"name_cell": "name"}), "name")
    head = persons.filter(pl.col("member") == 0).select("household", pl.col("true_id").alias("head_id"))
    return records.join(head, on="household", how="left", maintain_order="left").select(
        "record_id", "source_table", "name", "name_display", "name_pinyin", "name_pinyin_fuzzy",
        "id_number", pl.col("id_number_valid").alias("id_valid"), pl.col("id_number_prefix").alias("id_prefix"),
        "birth_date", "gender", pl.lit("宣威市").alias("county"),
        pl.format("第{}镇", pl.col("village_no") // 20).alias("township"),
        pl.when(pl.col("_village_draw") < NO_VILLAGE).then(None).otherwise(pl.format("第{}村", pl.col("village_no"))).alias("village"),
        pl.when(pl.col("source_table") == "dibao").then(pl.lit("dibao:") + pl.col("head_id"))
        .when(pl.col("source_table") == "fupin").then(pl.format("fupin:{}", pl.col("household")))
        .alias("household_key"),
        pl.when(pl.col("source_table").is_in(["dibao", "fupin"]))
        .then(pl.col("member").replace_strict({0: "户主", 1: "配偶", 2: "之子", 3: "之女"}, return_dtype=pl.Utf8))
        .alias("relation"),
        "id_number_raw", "truth", pl.concat_list(pl.col("id_dirt"), pl.col("name_dirt")).list.drop_nulls().alias("dirt"), "trap",
    )
