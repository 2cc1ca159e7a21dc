"""Dates and months in every form of inputs.md; unreadable cells become problems."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from contracts.sources import TABLES
from normalise_builders import read
from pipeline.normalise.dates import SERIAL_RANGE, excel_serial

DEATH = TABLES["siwang"].column("death_date")  # 死亡日期
PAY_MONTH = TABLES["fafang"].column("pay_month")  # 发放月份


@pytest.mark.parametrize(
    "cell",
    [
        "2026-09-30",
        "2026/9/30",
        "2026/09/30",
        "2026.9.30",
        "20260930",
        "2026年9月30日",
        "2026年09月30日",
        "2026-09-30 14:00:00",
        "2026-09-30T14:00:00",
        "2026/9/30 0:00",
        "46295",  # Excel serial
        "46295.0",
        "46295.5833",  # serial with a time of day
        "２０２６－０９－３０",  # full width
        " 2026-09-30 ",
    ],
)
def test_date_forms(cell):
    values, problems = read(DEATH, [cell])
    assert values == [date(2026, 9, 30)]
    assert problems == [None]


@pytest.mark.parametrize("cell", ["2026-02-30", "2026年13月1日", "明天", "2026", "20261301", "123", "9999999"])
def test_unreadable_dates_are_problems(cell):
    values, problems = read(DEATH, [cell])
    assert values == [None]
    assert problems == [f'死亡日期："{cell}" 不是日期']


@pytest.mark.parametrize("cell", [None, "", "  ", "-", "无"])
def test_blank_dates_are_null_without_problem(cell):
    assert read(DEATH, [cell]) == ([None], [None])


def test_excel_serial_1900_system_with_the_leap_year_bug():
    frame = pl.DataFrame({"s": [1, 59, 60, 61, 46295]})
    got = frame.select(excel_serial(pl.col("s"))).to_series().to_list()
    assert got == [date(1900, 1, 1), date(1900, 2, 28), None, date(1900, 3, 1), date(2026, 9, 30)]


def test_serials_outside_the_sane_range_are_not_dates():
    low, high = SERIAL_RANGE
    values, _ = read(DEATH, [str(low - 1), str(low), str(high), str(high + 1)])
    assert values == [None, date(1920, 1, 1), date(2099, 12, 31), None]


@pytest.mark.parametrize(
    "cell",
    [
        "202609",
        "2026-09",
        "2026-9",
        "2026/9",
        "2026/09",
        "2026.09",
        "2026.9",
        "2026年9月",
        "2026年09月",
        "2026年9月份",
        "2026-09-30",  # a full date: its month
        "2026-09-15 08:00:00",
        "2026年9月30日",
        "20260930",
        "46295",  # an Excel serial: its month
        "２０２６０９",
    ],
)
def test_month_forms(cell):
    values, problems = read(PAY_MONTH, [cell])
    assert values == [date(2026, 9, 1)]
    assert problems == [None]


@pytest.mark.parametrize("cell", ["202613", "2026-13", "九月", "2026", "26-09"])
def test_unreadable_months_are_problems(cell):
    values, problems = read(PAY_MONTH, [cell])
    assert values == [None]
    assert problems == [f'发放月份："{cell}" 不是月份']
