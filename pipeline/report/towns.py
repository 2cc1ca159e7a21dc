"""Which townships get a workbook, in what order, and their county."""

from __future__ import annotations

import re

import polars as pl
from pypinyin import lazy_pinyin

from pipeline.report.load import ReportData


def townships(data: ReportData) -> list[str]:
    """Every township with a case, a resident or an overlap rate this quarter, in pinyin order."""
    names = set(data.cases.get_column("township").drop_nulls())
    names |= set(data.persons.get_column("township").drop_nulls())
    names |= set(data.overlap.filter(pl.col("level") == "乡镇").get_column("unit").drop_nulls())
    return sorted(names, key=lambda t: (lazy_pinyin(t), t))


def county_name(data: ReportData) -> str:
    """The county named most often in cases and persons ('' when none is)."""
    counties = pl.concat([data.cases.select("county"), data.persons.select("county")]).drop_nulls()
    if counties.is_empty():
        return ""
    return counties.group_by("county").len().sort(["len", "county"], descending=[True, False]).item(0, "county")


def file_part(name: str) -> str:
    """A township name made safe for a file name on Windows and Linux."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("._") or "未命名"
