"""Hand-built record frames for the link tests: the columns normalisation would give.

A stand-in for pipeline/normalise, only as much as the tests need: 繁简 via OpenCC, separators and
spaces removed, toneless pinyin via pypinyin, near-homophones folded; IDs read by the pipeline's
own reader.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
from opencc import OpenCC
from pypinyin import lazy_pinyin

from pipeline.normalise.ids import add_id_columns, check_character

_T2S = OpenCC("t2s")
_FOLDS = ((r"^zh", "z"), (r"^ch", "c"), (r"^sh", "s"), (r"^n", "l"), (r"ing$", "in"), (r"eng$", "en"), (r"ang$", "an"))


def check_digit(body17: str) -> str:
    return check_character(body17)


def make_id(birth: str = "19800101", seq: str = "123", region: str = "530381") -> str:
    body = region + birth + seq
    return body + check_digit(body)


def _fold(syllable: str) -> str:
    for pattern, repl in _FOLDS:
        syllable = re.sub(pattern, repl, syllable)
    return syllable


def record(record_id: int, source_table: str, name: str | None, id_raw: str | None, village: str | None = "新村",
           township: str | None = "城关镇", county: str | None = "宣威市", household_key: str | None = None,
           relation: str | None = None) -> dict:
    matching = None if name is None else re.sub(r"[\s·•・.．]", "", _T2S.convert(name))
    pinyin = None if matching is None else " ".join(lazy_pinyin(matching))
    return {
        "record_id": record_id,
        "source_table": source_table,
        "name": matching,
        "name_display": name,
        "name_pinyin": pinyin,
        "name_pinyin_fuzzy": None if pinyin is None else " ".join(_fold(s) for s in pinyin.split()),
        "county": county,
        "township": township,
        "village": village,
        "household_key": household_key,
        "relation": relation,
        "id_number_raw": id_raw,
    }


SCHEMA = {
    "record_id": pl.Int64, "source_table": pl.Utf8, "name": pl.Utf8, "name_display": pl.Utf8,
    "name_pinyin": pl.Utf8, "name_pinyin_fuzzy": pl.Utf8, "id_number": pl.Utf8, "id_valid": pl.Boolean,
    "id_prefix": pl.Utf8, "birth_date": pl.Date, "gender": pl.Utf8, "county": pl.Utf8, "township": pl.Utf8,
    "village": pl.Utf8, "household_key": pl.Utf8, "relation": pl.Utf8, "id_number_raw": pl.Utf8,
}


REFERENCE = dt.date(2026, 9, 30)


_ID_COLUMNS = ("id_number", "id_valid", "id_prefix", "birth_date", "gender")


def frame(rows: list[dict]) -> pl.DataFrame:
    """The records, their ID columns read by the pipeline's own ID reader (pipeline/normalise/ids.py)."""
    base = pl.DataFrame(rows, schema={k: v for k, v in SCHEMA.items() if k not in _ID_COLUMNS})
    read = add_id_columns(base.select(pl.col("id_number_raw").alias("id_number")), "id_number", REFERENCE, person=True)
    ids = read.select(
        "id_number", pl.col("id_number_valid").alias("id_valid"), pl.col("id_number_prefix").alias("id_prefix"),
        "birth_date", "gender",
    )
    return base.hstack(ids.get_columns()).select(list(SCHEMA))
