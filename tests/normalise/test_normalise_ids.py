"""ID numbers: every form of dirt in inputs.md, and that a wrong number is kept and flagged."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalise_builders import REFERENCE, make_id
from pipeline.normalise.ids import add_id_columns, with_check

GOOD = make_id("110105", "19491231", "002")  # 11010519491231002X


def ids(*cells: str | None, person: bool = True) -> list[dict]:
    frame = pl.DataFrame({"id_number": pl.Series(cells, dtype=pl.Utf8)})
    return add_id_columns(frame, "id_number", REFERENCE, person=person).to_dicts()


def test_the_fixture_id_ends_in_x():
    assert GOOD == "11010519491231002X"


def test_clean_id_is_valid_with_birth_date_and_gender():
    (row,) = ids(GOOD)
    assert row == {
        "id_number_raw": GOOD,
        "id_number": GOOD,
        "id_number_valid": True,
        "id_number_issue": None,
        "id_number_prefix": GOOD[:17],
        "birth_date": date(1949, 12, 31),
        "gender": "女",
    }


def test_gender_from_seventeenth_digit():
    male = make_id(seq="011")
    assert ids(male)[0]["gender"] == "男"


@pytest.mark.parametrize(
    "dirty",
    [
        "11010519491231002x",  # lower-case x
        "'11010519491231002X",  # leading apostrophe (text forced in Excel)
        "‘11010519491231002X’",  # typographic quotes
        '"11010519491231002X"',
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and letter
        "１１０１０５１９４９１２３１００２ｘ",
        "110105 19491231 002X",  # inner spaces
        " 110105\u300019491231002X\t",  # ideographic space, tab
        "110105\u200b19491231002X",  # zero-width space
    ],
)
def test_dirty_forms_give_the_clean_number(dirty):
    (row,) = ids(dirty)
    assert row["id_number"] == GOOD
    assert row["id_number_valid"] is True
    assert row["id_number_issue"] is None
    assert row["id_number_raw"] == dirty  # the cell as read is kept


def test_fifteen_digit_old_id_is_widened_and_noted():
    old = GOOD[:6] + GOOD[8:17]  # 110105491231002
    (row,) = ids(old)
    assert row["id_number"] == GOOD
    assert row["id_number_valid"] is True
    assert row["id_number_issue"] == "15位旧号已升为18位"
    assert row["birth_date"] == date(1949, 12, 31)


def test_fifteen_digit_id_as_excel_number_text():
    (row,) = ids(GOOD[:6] + GOOD[8:17] + ".0")
    assert row["id_number"] == GOOD


def test_scientific_notation_15_significant_digits():
    (row,) = ids("5.33321198001011E+17")
    assert row["id_number"] is None
    assert row["id_number_valid"] is False
    assert row["id_number_prefix"] == "533321198001011"
    assert row["id_number_issue"] == "数值格式，末3位丢失"
    # the date part survives in the 15 digits kept; the sex digit does not
    assert row["birth_date"] == date(1980, 1, 1)
    assert row["gender"] is None


def test_scientific_notation_csv_resaved_by_excel():
    (row,) = ids("5.30381E+17")
    assert row["id_number"] is None
    assert row["id_number_prefix"] == "530381"
    assert row["id_number_issue"] == "数值格式，末12位丢失"
    assert row["birth_date"] is None


def test_wrong_check_digit_is_kept_and_flagged_not_corrected():
    wrong = GOOD[:17] + "1"
    (row,) = ids(wrong)
    assert row["id_number"] == wrong  # nothing silently changed
    assert row["id_number_valid"] is False
    assert row["id_number_issue"] == "校验位错误"
    assert row["id_number_prefix"] == GOOD[:17]
    assert row["birth_date"] == date(1949, 12, 31)  # the date part is still valid


def test_invalid_birth_date():
    number = with_check("11010519490231002")  # 1949-02-31
    (row,) = ids(number)
    assert row["id_number"] == number
    assert row["id_number_valid"] is False
    assert row["id_number_issue"] == "出生日期无效"
    assert row["birth_date"] is None and row["gender"] is None


def test_birth_after_reference_date_is_invalid():
    (row,) = ids(make_id(birth="20261001"))
    assert row["id_number_issue"] == "出生日期无效"
    assert ids(make_id(birth="20260930"))[0]["id_number_valid"] is True


def test_birth_before_1900_is_invalid():
    assert ids(make_id(birth="18991231"))[0]["id_number_issue"] == "出生日期无效"


def test_unknown_province_code():
    (row,) = ids(make_id(region="990101"))
    assert row["id_number_valid"] is False
    assert row["id_number_issue"] == "地区码无效"


@pytest.mark.parametrize("province", ["11", "15", "23", "37", "46", "54", "65", "71", "81", "82"])
def test_every_province_range_edge_is_real(province):
    assert ids(make_id(region=province + "0101"))[0]["id_number_valid"] is True


def test_wrong_length():
    (row,) = ids(GOOD[:17])
    assert row["id_number"] == GOOD[:17]
    assert row["id_number_valid"] is False
    assert row["id_number_issue"] == "位数错误(17位)"
    assert row["birth_date"] is None


def test_illegal_characters():
    # another script's digits are no ID's either (NFKC leaves an Arabic-Indic ٣ as it is)
    for bad in ("1101051949123100AX", "11010519491231X02X", "身份证11010519491", "1100001900011000٣0", "٣" * 15):
        (row,) = ids(bad)
        assert row["id_number"] == bad
        assert row["id_number_valid"] is False
        assert row["id_number_issue"] == "含非法字符"


@pytest.mark.parametrize("blank", [None, "", "   ", "无", "-", "／"])
def test_blank(blank):
    (row,) = ids(blank)
    assert row["id_number"] is None
    assert row["id_number_valid"] is False
    assert row["id_number_issue"] == "为空"
    assert row["id_number_raw"] == blank


def test_several_findings_are_all_said():
    number = "99010519490231002" + "0"
    (row,) = ids(number)
    assert row["id_number_issue"].split("；")[:2] == ["地区码无效", "出生日期无效"]


def test_other_id_columns_have_no_birth_date():
    frame = pl.DataFrame({"head_id_number": [GOOD]})
    out = add_id_columns(frame, "head_id_number", REFERENCE)
    assert sorted(out.columns) == [
        "head_id_number",
        "head_id_number_issue",
        "head_id_number_prefix",
        "head_id_number_raw",
        "head_id_number_valid",
    ]


def test_repeated_numbers_keep_their_rows():
    cells = [GOOD, None, "5.30381E+17", GOOD, None, GOOD.lower()]
    out = pl.DataFrame({"head_id_number": pl.Series(cells, dtype=pl.Utf8)})
    out = add_id_columns(out, "head_id_number", REFERENCE)
    assert out["head_id_number_raw"].to_list() == cells
    assert out["head_id_number"].to_list() == [GOOD, None, None, GOOD, None, GOOD]


def test_18_digits_ending_in_000_are_the_15_digits_excel_kept():
    """522622196011193000: never an ID (valid or mistyped), even when the check digit happens to fit."""
    cut = make_id("522622", "19601119", "351")[:15] + "000"
    (row,) = ids(cut)
    assert row["id_number"] is None and row["id_number_valid"] is False
    assert row["id_number_prefix"] == cut[:15]
    assert row["birth_date"] == date(1960, 11, 19) and row["gender"] is None
    assert "000" in row["id_number_issue"]
    passes = next(b + "000" for b in (f"52262219601119{d}" for d in "0123456789") if with_check(b + "00") == b + "000")
    (lucky,) = ids(passes)
    assert lucky["id_number"] is None and lucky["id_number_valid"] is False


def test_no_birth_date_from_fewer_than_14_digits():
    (row13,) = ids("5.331291980010E+17")  # 13 digits: 1980010 is no date
    assert row13["birth_date"] is None
    (row14,) = ids("5.3312919800101E+17")
    assert row14["birth_date"] == date(1980, 1, 1)


def test_id_slip_is_one_body_digit_or_one_adjacent_swap():
    from pipeline.normalise.ids import id_slip

    good = make_id()
    one = good[:10] + str((int(good[10]) + 1) % 10) + good[11:]
    swap = good[:8] + good[9] + good[8] + good[10:] if good[8] != good[9] else None
    two = good[:10] + str((int(good[10]) + 1) % 10) + str((int(good[11]) + 1) % 10) + good[12:]
    check = good[:17] + ("0" if good[17] != "0" else "1")
    pairs = [(good, one), (good, check), (good, two), (good, good)] + ([(good, swap)] if swap else [])
    frame = pl.DataFrame({"a": [a for a, _ in pairs], "b": [b for _, b in pairs]})
    got = frame.select(id_slip(pl.col("a"), pl.col("b")))["a"].to_list()
    assert got[:4] == [True, True, False, False]
    assert not swap or got[4] is True


def _by_character(a: str | None, b: str | None) -> tuple[int, bool | None]:
    """body_differences and adjacent_swap read one pair at a time, character by character."""
    if a is None or b is None:
        return 0, None
    x, y = a[:17].ljust(17), b[:17].ljust(17)
    differ = sum(p != q for p, q in zip(x, y))
    swapped = any(x[i] != y[i] and x[i] == y[i + 1] and x[i + 1] == y[i] for i in range(16))
    return differ, swapped


_ID_TEXT = st.one_of(st.none(), st.text(alphabet="0123456789X中国", min_size=0, max_size=19))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_ID_TEXT, _ID_TEXT), max_size=40))
def test_body_differences_and_adjacent_swap_read_each_character(pairs):
    from pipeline.normalise.ids import adjacent_swap, body_differences, within_one_slip

    frame = pl.DataFrame({"a": [a for a, _ in pairs], "b": [b for _, b in pairs]}, schema={"a": pl.Utf8, "b": pl.Utf8})
    a, b = pl.col("a"), pl.col("b")
    got = frame.select(body_differences(a, b).alias("d"), adjacent_swap(a, b).alias("s"), within_one_slip(a, b).alias("w"))
    want = [_by_character(a, b) for a, b in pairs]
    assert list(zip(got["d"].to_list(), got["s"].to_list())) == want
    # the two in one pass: one digit apart, or two adjacent ones swapped (a null side: 0 apart)
    assert got["w"].to_list() == [d <= 1 or (d == 2 and bool(s)) for d, s in want]


def test_check_digit_of_published_numbers():
    from pipeline.normalise.ids import check_character

    assert check_character("11010519491231002") == "X"  # GB 11643-1999's example
    assert check_character("44052418800101001") == "4"


def test_the_check_digit_for_one_value_equals_the_frame_expression():
    # check_character (per value, plain Python) and check_code (a polars expression) are one rule
    import random

    from pipeline.normalise.ids import check_character, check_code

    rng = random.Random(11643)
    bodies = ["".join(rng.choice("0123456789") for _ in range(17)) for _ in range(5000)] + ["11010519491231002"]
    frame = pl.DataFrame({"body": bodies}).select(check_code(pl.col("body")).alias("code"))
    assert frame["code"].to_list() == [check_character(b) for b in bodies]
    # anything but 17 digits has none (a null, a body with an X, a short one, a wide digit)
    odd = pl.DataFrame({"body": [None, "1101051949123100X", "1101051949", "1101051949123100２", bodies[0]]})
    assert odd.select(check_code(pl.col("body")))["body"].to_list() == [None, None, None, None, check_character(bodies[0])]
    assert pl.DataFrame({"body": []}, schema={"body": pl.Utf8}).select(check_code(pl.col("body"))).height == 0
    assert check_character("11010519491231002") == "X"  # GB 11643's own example
