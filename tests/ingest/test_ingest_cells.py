"""The cell -> text rule, value by value and a column at a time."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.ingest.cells import cell_text, column_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("张三", "张三"),
        (" 张三 ", " 张三 "),
        ("", None),
        (None, None),
        (12.0, "12"),
        (-3.0, "-3"),
        (12, "12"),
        (1234.5, "1234.5"),
        (0.1, "0.1"),
        (533321198001011234.0, "5.33321198001011E+17"),
        (530381198001010000, "5.3038119800101E+17"),
        (1e15, "1E+15"),
        (999999999999999.0, "999999999999999"),
        (True, "TRUE"),
        (False, "FALSE"),
        (dt.date(2026, 9, 30), "2026-09-30"),
        (dt.datetime(2026, 9, 30), "2026-09-30"),
        (dt.datetime(2026, 9, 30, 14, 0), "2026-09-30 14:00:00"),
        (dt.time(14, 5), "14:05:00"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_mixed_column_is_converted_cell_by_cell_rule():
    cells = ["a", 1.0, dt.date(2026, 1, 1), "", True, 5.3e17, None, 2.5, dt.datetime(2026, 1, 1, 8)]
    assert column_text(cells).to_list() == [cell_text(v) for v in cells]
    assert column_text(cells).to_list() == ["a", "1", "2026-01-01", None, "TRUE", "5.3E+17", None, "2.5", "2026-01-01 08:00:00"]
