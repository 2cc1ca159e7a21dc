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


def test_the_province_summary_adds_the_county_lines_and_the_cases_of_no_county(tmp_path):
    """The summary's lines are made by the counties' own tasks and its 合计 is their sum: each line
    must be the county's 全县 figures and 合计 the whole quarter's, a case of no county included."""
    import duckdb

    from pipeline.report import province_path
    from pipeline.report.figures import progress
    from pipeline.report.load import load

    folder, _ = make_province(tmp_path, households=40)
    policy = load_policy()
    db = tmp_path / "province.duckdb"
    run_quarter(folder, "2026Q3", policy, db)
    with duckdb.connect(str(db)) as con:  # one case's person of no known county
        con.execute("UPDATE cases SET county = NULL, township = NULL WHERE case_id = (SELECT min(case_id) FROM cases WHERE quarter = '2026Q3')")
    parts = write_reports_on(Partitioned(), db, "2026Q3", tmp_path / "parts", policy)
    assert not parts.locked
    rows = list(openpyxl.load_workbook(province_path(tmp_path / "parts", "2026Q3"), read_only=True).worksheets[0].iter_rows(values_only=True))
    by_name = {r[0]: r for r in rows if r and r[0]}
    whole = load(db, "2026Q3")
    nowhere = whole.for_county("未知")
    assert nowhere.cases.height == 1
    for county in whole.counties():
        assert by_name[county][2] == progress(whole.for_county(county), [])[-1].total
    everyone = progress(whole, [])[-1]
    assert by_name["合计"][2] == everyone.total == sum(by_name[c][2] for c in whole.counties()) + 1
    assert by_name["合计"][13:16] == (everyone.recover, everyone.overpaid, everyone.underpaid)
