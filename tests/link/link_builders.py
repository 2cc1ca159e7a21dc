"""Hand-built record frames for the link tests: the columns normalisation would give.

A stand-in for pipeline/normalise, only as much as the tests need: 繁简 via OpenCC, separators and
spaces removed, toneless pinyin via pypinyin, near-homophones folded, IDs checked with GB 11643.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
from opencc import OpenCC
from pypinyin import lazy_pinyin

_T2S = OpenCC("t2s")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_FOLDS = ((r"^zh", "z"), (r"^ch", "c"), (r"^sh", "s"), (r"^n", "l"), (r"ing$", "in"), (r"eng$", "en"), (r"ang$", "an"))


def check_digit(body17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(body17, _WEIGHTS)) % 11]


def make_id(birth: str = "19800101", seq: str = "123", region: str = "530381") -> str:
    body = region + birth + seq
    return body + check_digit(body)


def _fold(syllable: str) -> str:
    for pattern, repl in _FOLDS:
        syllable = re.sub(pattern, repl, syllable)
    return syllable


def _id_fields(raw: str | None) -> dict:
    out = {"id_number": None, "id_valid": False, "id_prefix": None, "birth_date": None, "gender": None}
    if raw is None:
        return out
    text = raw.strip().lstrip("'").upper()
    if "E+" in text:  # an ID Excel kept as a number: the significant digits survive
        mantissa = text.split("E+")[0].replace(".", "")
        out["id_prefix"] = mantissa
        digits = mantissa
    else:
        if len(text) == 15:
            body = text[:6] + "19" + text[6:]
            text = body + check_digit(body)
        out["id_number"] = text
        out["id_prefix"] = text[:17]
        out["id_valid"] = len(text) == 18 and text[:17].isdigit() and check_digit(text[:17]) == text[17]
        digits = text
    if len(digits) >= 14:
        try:
            out["birth_date"] = dt.datetime.strptime(digits[6:14], "%Y%m%d").date()
        except ValueError:
            pass
    if len(digits) >= 17 and digits[16].isdigit():
        out["gender"] = "男" if int(digits[16]) % 2 else "女"
    return out


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
        **_id_fields(id_raw),
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


def frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA)
