"""Tiny input files built in tmp_path, as the government systems and Excel write them.

Helpers are fixtures (no imports between test modules): ``roster`` (a minimal 低保 header and
two members of one household), ``write_xlsx``, ``write_csv`` and ``raw`` (a row's raw JSON).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

DIBAO_HEADER = ["姓名", "身份证号", "户主身份证号", "与户主关系", "分类施保类别", "户月保障金额（元）", "最初享受月份"]
DIBAO_ROWS = [
    ["张三", "530381198001011234", "530381198001011234", "户主", "一类", "1200", "202001"],
    ["李四", "530381198203021226", "530381198001011234", "配偶", "一类", "1200", "202001"],
]


@pytest.fixture
def roster():
    return SimpleNamespace(header=list(DIBAO_HEADER), rows=[list(r) for r in DIBAO_ROWS])


@pytest.fixture
def dibao_rows(roster):
    return [roster.header, *roster.rows]


def _write_xlsx(path: Path, sheets: dict[str, list[list[object]]], setup=None) -> Path:
    """One worksheet per entry (rows from A1); ``setup(workbook)`` adds merges, hiding ..."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    if setup:
        setup(wb)
    wb.save(path)
    return path


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with open(path, "w", newline="", encoding=encoding) as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


@pytest.fixture
def write_xlsx():
    return _write_xlsx


@pytest.fixture
def write_csv():
    return _write_csv


@pytest.fixture
def raw():
    return lambda frame, i=0: json.loads(frame["raw"][i])
