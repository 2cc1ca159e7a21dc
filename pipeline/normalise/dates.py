"""Dates and months in every form the exports use.

Dates: ``2026-09-30``, ``2026/9/30``, ``2026.9.30``, ``20260930``, ``2026年9月30日``, an ISO
date-time (``2026-09-30 14:00:00``, ``2026-09-30T14:00``) and Excel serial numbers
(``46295``, ``46295.0``, ``46295.5833``: the day, time dropped).
Months: ``202609``, ``2026-09``, ``2026/9``, ``2026.09``, ``2026年9月`` (``月份`` too), any date
form above (its month) and an Excel serial (its month).  A month is the Date of its 1st.

Excel serials are the 1900 date system with its leap-year bug (serial 60 is the 1900-02-29
that never was; serials 1..59 are one day later than serials above 60 suggest).  A number is
read as a serial only inside :data:`SERIAL_RANGE` (1920-01-01 .. 2099-12-31), so a year typed
alone (``2026``) or a stray count is a problem, not a date in 1905.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from contracts.sources import Column
from pipeline.normalise.cells import Reader, folded, without_placeholders

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 61 = 1900-03-01
_EXCEL_EPOCH_BEFORE_BUG = date(1899, 12, 31)  # serial 1 = 1900-01-01


def _serial(day: date) -> int:
    return (day - _EXCEL_EPOCH).days


SERIAL_RANGE = (_serial(date(1920, 1, 1)), _serial(date(2099, 12, 31)))

_SEP = r"\s*[-/.年]\s*"
_TIME = r"(?:(?:\s+|T)\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?)?"
_YMD = rf"^(\d{{4}}){_SEP}(\d{{1,2}})\s*[-/.月]\s*(\d{{1,2}})\s*日?{_TIME}$"
_COMPACT = r"^\d{8}$"
_SERIAL = r"^(\d{1,6})(?:\.\d+)?$"
_YM = rf"^(\d{{4}}){_SEP}(\d{{1,2}})\s*(?:月份?)?$"
_YM_COMPACT = r"^(\d{4})(\d{2})$"


def _ymd(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """A Date from text parts, null when they are no calendar date (2026-02-30)."""
    text = pl.concat_str([year, pl.lit("-"), month.str.zfill(2), pl.lit("-"), day.str.zfill(2)])
    return text.str.to_date("%Y-%m-%d", strict=False)


def excel_serial(serial: pl.Expr) -> pl.Expr:
    """Date of an Excel (1900 system) serial day number; null for 60 (1900-02-29) and < 1."""
    base = (
        pl.when(serial > 60)
        .then(pl.lit(_EXCEL_EPOCH))
        .when((serial >= 1) & (serial < 60))
        .then(pl.lit(_EXCEL_EPOCH_BEFORE_BUG))
    )
    return base + pl.duration(days=serial)


def _from_serial(text: pl.Expr) -> pl.Expr:
    serial = text.str.extract(_SERIAL, 1).cast(pl.Int64, strict=False)
    low, high = SERIAL_RANGE
    return pl.when(serial.is_between(low, high)).then(excel_serial(serial))


def date_of(text: pl.Expr, column: Column | None = None) -> pl.Expr:
    """Date of the (folded) text in any date form; null when it is none."""
    parts = text.str.extract_groups(_YMD)
    return pl.coalesce(
        _ymd(parts.struct.field("1"), parts.struct.field("2"), parts.struct.field("3")),
        pl.when(text.str.contains(_COMPACT)).then(text.str.to_date("%Y%m%d", strict=False)),
        _from_serial(text),
    )


def month_of(text: pl.Expr, column: Column | None = None) -> pl.Expr:
    """The 1st of the month of the (folded) text in any month or date form; null when none."""
    ym = text.str.extract_groups(_YM)
    compact = text.str.extract_groups(_YM_COMPACT)
    first = pl.lit("1")
    return pl.coalesce(
        _ymd(compact.struct.field("1"), compact.struct.field("2"), first),
        _ymd(ym.struct.field("1"), ym.struct.field("2"), first),
        date_of(text).dt.month_start(),
    )


def _text(cell: pl.Expr) -> pl.Expr:
    return without_placeholders(folded(cell))


DATE = Reader(_text, date_of, "不是日期")
MONTH = Reader(_text, month_of, "不是月份")
