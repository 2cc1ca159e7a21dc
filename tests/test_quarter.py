from datetime import date

import pytest

from pipeline.quarter import Quarter


def test_quarter_dates():
    q = Quarter.parse("2026Q3")
    assert q.reference_date == date(2026, 9, 30)
    assert q.start == date(2026, 7, 1)
    assert q.months == (date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1))
    assert str(q.previous()) == "2026Q2"
    assert str(Quarter.parse("2027q1").previous()) == "2026Q4"
    assert Quarter.parse("2026Q4").reference_date == date(2026, 12, 31)


def test_bad_quarter_is_refused():
    with pytest.raises(ValueError, match="2026Q5"):
        Quarter.parse("2026Q5")
