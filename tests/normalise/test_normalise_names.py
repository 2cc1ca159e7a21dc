"""Names: traditional -> simplified, separators, spaces, pinyin and its near-homophone folding."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.normalise.names import add_name_columns, fuzzy_syllable


def names(*cells: str | None, key: str = "name") -> list[dict]:
    return add_name_columns(pl.DataFrame({key: pl.Series(cells, dtype=pl.Utf8)}), key).to_dicts()


@pytest.mark.parametrize("cell", ["阿·木呷", "阿•木呷", "阿・木呷", "阿‧木呷", "阿∙木呷", "阿.木呷", "阿．木呷", "阿-木呷", "阿_木呷", "阿＿木呷", "阿－木呷"])
def test_minority_separators(cell):
    (row,) = names(cell)
    assert row["name"] == "阿木呷"
    assert row["name_display"] == "阿·木呷"
    assert row["name_raw"] == cell


def test_no_separator_and_spaces():
    rows = names("阿木呷", "阿 木呷", " 阿\u3000木呷 ", "阿 · 木呷")
    assert [r["name"] for r in rows] == ["阿木呷"] * 4
    assert [r["name_display"] for r in rows] == ["阿木呷", "阿木呷", "阿木呷", "阿·木呷"]


def test_traditional_to_simplified():
    rows = names("張偉", "陳麗華", "買買提·艾力", "张伟")
    assert [r["name"] for r in rows] == ["张伟", "陈丽华", "买买提艾力", "张伟"]
    assert rows[2]["name_display"] == "买买提·艾力"


def test_name_characters_kept():
    assert [r["name"] for r in names("王乾", "張乾坤", "於梅")] == ["王乾", "张乾坤", "於梅"]


def test_full_width_latin_folded():
    assert names("ＡＢＣ")[0]["name"] == "ABC"


def test_pinyin_toneless_per_character():
    (row,) = names("张伟")
    assert row["name_pinyin"] == "zhang wei"
    assert names("吕小龙")[0]["name_pinyin"] == "lv xiao long"


def test_traditional_and_simplified_share_pinyin():
    a, b = names("陳麗華", "陈丽华")
    assert a["name_pinyin"] == b["name_pinyin"] == "chen li hua"


def test_fuzzy_pinyin_folds_near_homophones():
    rows = names("刘明", "牛明", "陈成", "岑程", "张生", "臧森", "黄芳")
    fuzzy = [r["name_pinyin_fuzzy"] for r in rows]
    assert fuzzy[0] == fuzzy[1] == "liu min"
    assert fuzzy[2] == fuzzy[3] == "cen cen"
    assert fuzzy[4] == fuzzy[5] == "zan sen"
    assert fuzzy[6] == "fuan fan"


@pytest.mark.parametrize(
    ("syllable", "folded"),
    [("zhang", "zan"), ("chen", "cen"), ("shi", "si"), ("nan", "lan"), ("hu", "fu"), ("xing", "xin"), ("feng", "fen"), ("a", "a")],
)
def test_fuzzy_syllable(syllable, folded):
    assert fuzzy_syllable(syllable) == folded


def test_blank_names():
    for row in names(None, "", "  ", "·"):
        assert row["name"] is None and row["name_pinyin"] is None and row["name_display"] is None


def test_columns_for_another_name_column():
    (row,) = names("李四", key="carer_name")
    assert set(row) == {"carer_name", "carer_name_raw", "carer_name_display", "carer_name_pinyin", "carer_name_pinyin_fuzzy"}


def test_order_of_rows_is_kept():
    cells = [f"王{c}" for c in "一二三四五六七八九十"] * 3
    assert [r["name_raw"] for r in names(*cells)] == cells
