"""What township staff type into the 整改台账 columns, read (or refused) cell by cell."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pipeline.feedback import parse
from pipeline.quarter import Quarter

Q3 = Quarter.parse("2026Q3")


@pytest.mark.parametrize(
    "typed, result, reason",
    [
        ("属实", "属实", None),
        (" 属 实 ", "属实", None),
        ("属　实", "属实", None),  # a full-width space
        ("情况属实", "属实", None),
        ("是", "属实", None),
        ("属实。", "属实", None),
        ("不属实", "不属实", None),
        ("不实", "不属实", None),
        ("情况不属实", "不属实", None),
        ("不属实，系同名同姓，非本人", "不属实", "系同名同姓，非本人"),
        ("不属实（已核实死亡人员为同名）", "不属实", "已核实死亡人员为同名"),
        ("部分属实", "部分属实", None),
        ("部份属实", "部分属实", None),
    ],
)
def test_answers(typed, result, reason):
    a = parse.answer(typed)
    assert (a.result, a.reason) == (result, reason)


def test_blank_answer_is_no_answer():
    assert parse.answer(None) is None and parse.answer("   ") is None


@pytest.mark.parametrize("typed", ["待查", "核查中", "属实?", "不清楚", "A", "属实不属实"])
def test_unknown_answers_are_refused_not_guessed(typed):
    with pytest.raises(parse.Unreadable, match="不是可识别的核查结果"):
        parse.answer(typed)


def test_an_answer_that_says_it_was_put_right():
    assert parse.answer("已整改") == parse.Answer("属实", True, None)
    assert parse.answer("属实，已纳入低保") == parse.Answer("属实", True, "已纳入低保")


@pytest.mark.parametrize(
    "typed",
    ["2026.10.8", "2026年10月8日", "2026年10月8号", "2026-10-08", "2026/10/8", "26.10.8", "２０２６．１０．８",
     " 2026 - 10 - 08 ", "20261008", 20261008, "10月8日", "10.8", datetime(2026, 10, 8, 0, 0), date(2026, 10, 8),
     46303, 46303.0, "46303"],
)
def test_dates_in_any_form(typed):
    assert parse.a_date(typed, Q3) == date(2026, 10, 8)


def test_a_date_without_its_year_follows_the_quarter():
    assert parse.a_date("1月5日", Q3) == date(2027, 1, 5)  # answered after the list went out
    assert parse.a_date("8月1日", Q3) == date(2026, 8, 1)


@pytest.mark.parametrize("typed", ["十月上旬", "2026.2.30", "2026.13.1", "1999-12-31", "下周", 12.5])
def test_unreadable_dates(typed):
    with pytest.raises(parse.Unreadable):
        parse.a_date(typed, Q3)


@pytest.mark.parametrize(
    "typed, when, note",
    [
        ("2026-12-31", date(2026, 12, 31), None),
        ("12月底", date(2026, 12, 31), None),
        ("2026年底", date(2026, 12, 31), None),
        ("年底", date(2026, 12, 31), None),
        ("2027年3月底", date(2027, 3, 31), None),
        ("长期坚持", None, "长期坚持"),
        ("立行立改", None, "立行立改"),
    ],
)
def test_deadlines(typed, when, note):
    assert parse.deadline(typed, Q3) == parse.Deadline(when, note)


def test_free_text_is_kept_as_typed_but_trimmed():
    assert parse.text("  已纳入低保，　停发  ") == "已纳入低保， 停发"
    assert parse.text("   ") is None
