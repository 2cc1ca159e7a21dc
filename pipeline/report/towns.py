"""Which townships get a workbook, in what order, and their county."""

from __future__ import annotations

import re

import polars as pl
from pypinyin import lazy_pinyin

from pipeline.report.load import ReportData
from pipeline.report.terms import UNKNOWN_RESIDENCE, UNKNOWN_TOWNSHIP


def townships(data: ReportData) -> list[str]:
    """Every township with a case, a resident or an overlap rate this quarter, in pinyin order
    (``data`` is one county's: ``ReportData.for_county``).  Persons with no residence are not a
    township: their cases go to the county's 居住地不详 list."""
    names = set(data.cases.get_column("township").drop_nulls().unique())
    names |= set(data.persons.get_column("township").drop_nulls().unique())
    names |= set(data.overlap.filter(pl.col("level") == "乡镇").get_column("unit").drop_nulls().unique())
    names.discard(UNKNOWN_TOWNSHIP)
    return sorted(names, key=lambda t: (lazy_pinyin(t), t))


def place_name(township: str) -> str:
    """How a township is named to a reader (no residence: 居住地不详)."""
    return UNKNOWN_RESIDENCE if township == UNKNOWN_TOWNSHIP else township


def file_part(name: str) -> str:
    """A township name made safe for a file name on Windows and Linux."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("._") or "未命名"
