"""A province's reports written county by county (each county's folder one task, from that county's
rows of the database) are the workbooks ``write_reports`` writes from the whole quarter."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from pipeline.executor import LocalExecutor
from pipeline.policy import load_policy
from pipeline.report import write_reports
from pipeline.report.by_county import COUNTY_STAGE, write_reports_on
from pipeline.run import run_quarter
from tests.province_builders import make_province


class Partitioned(LocalExecutor):
    partitions = 4

    def __init__(self) -> None:
        super().__init__()
        self.items: list = []

    def map(self, stage, fn, items):
        self.items.append((stage, [item[1] for item in items]))
        return super().map(stage, fn, items)


def _cells(root: Path) -> dict[str, list]:
    out = {}
    for path in sorted(root.rglob("*.xlsx")):
        book = openpyxl.load_workbook(path, read_only=True)
        out[str(path.relative_to(root))] = [
            (ws.title, [row for row in ws.iter_rows(values_only=True)]) for ws in book.worksheets
        ]
        book.close()
    return out


def test_county_by_county_reports_are_the_whole_quarter_reports(tmp_path):
    folder, _ = make_province(tmp_path, households=40)
    policy = load_policy()
    db = tmp_path / "province.duckdb"
    run_quarter(folder, "2026Q3", policy, db)
    whole = write_reports(db, "2026Q3", tmp_path / "whole", policy)
    executor = Partitioned()
    parts = write_reports_on(executor, db, "2026Q3", tmp_path / "parts", policy)
    assert executor.items == [(COUNTY_STAGE, ["白岩县", "石门县", "青岚县"])]  # one task per county
    assert not whole.locked and not parts.locked
    assert sorted(p.relative_to(tmp_path / "parts") for p in parts.written) == sorted(
        p.relative_to(tmp_path / "whole") for p in whole.written
    )
    a, b = _cells(tmp_path / "whole"), _cells(tmp_path / "parts")
    assert a.keys() == b.keys() and len(a) > 3
    for name in a:
        assert a[name] == b[name], name
