"""A province's reports written county by county (each county's folder one task, from that county's
rows of the database) are the workbooks ``write_reports`` writes from the whole quarter."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest

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

    def map(self, stage, fn, items, weights=None):
        self.items.append((stage, [item[1] for item in items]))
        return super().map(stage, fn, items, weights)


def _cells(root: Path) -> dict[str, list]:
    out = {}
    for path in sorted(root.rglob("*.xlsx")):
        book = openpyxl.load_workbook(path, read_only=True)
        out[str(path.relative_to(root))] = [
            (ws.title, [row for row in ws.iter_rows(values_only=True)]) for ws in book.worksheets
        ]
        book.close()
    return out


@pytest.fixture(scope="module")
def province_db(tmp_path_factory) -> Path:
    """A three-county province's quarter, run (tests that change it copy it)."""
    tmp = tmp_path_factory.mktemp("province")
    folder, _ = make_province(tmp, households=40)
    db = tmp / "province.duckdb"
    run_quarter(folder, "2026Q3", load_policy(), db)
    return db


def test_county_by_county_reports_are_the_whole_quarter_reports(province_db, tmp_path):
    policy, db = load_policy(), province_db
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


def test_the_province_summary_adds_the_county_lines_and_the_cases_of_no_county(province_db, tmp_path):
    """The summary's lines are made by the counties' own tasks and its 合计 is their sum: each line
    must be the county's 全县 figures and 合计 the whole quarter's, a case of no county included."""
    import duckdb

    from pipeline.report import province_path
    from pipeline.report.figures import progress
    from pipeline.report.load import load

    policy, db = load_policy(), tmp_path / "province.duckdb"
    shutil.copy(province_db, db)
    with duckdb.connect(str(db)) as con:  # one more case, of a person of no known county
        con.execute("UPDATE cases SET county = NULL, township = NULL WHERE case_id = (SELECT min(case_id) FROM cases WHERE quarter = '2026Q3' AND county IS NOT NULL)")
    parts = write_reports_on(Partitioned(), db, "2026Q3", tmp_path / "parts", policy)
    assert not parts.locked
    rows = list(openpyxl.load_workbook(province_path(tmp_path / "parts", "2026Q3"), read_only=True).worksheets[0].iter_rows(values_only=True))
    by_name = {r[0]: r for r in rows if r and r[0]}
    whole = load(db, "2026Q3")
    nowhere = whole.for_county("未知").cases.height
    assert nowhere >= 1
    for county in whole.counties():
        assert by_name[county][2] == progress(whole.for_county(county), [])[-1].total
    everyone = progress(whole, [])[-1]
    assert by_name["合计"][2] == everyone.total == sum(by_name[c][2] for c in whole.counties()) + nowhere
    assert by_name["合计"][13:16] == (everyone.recover, everyone.overpaid, everyone.underpaid)


def test_the_list_of_no_county_is_written_from_the_persons_its_cases_name(province_db, tmp_path):
    """The province stage reads only the persons the cases of no county name, and the 低保 户主 of
    their households (not every person of no county): the same workbook as from all of them."""
    from pipeline.report.load import load
    from pipeline.report.terms import UNKNOWN_TOWNSHIP
    from pipeline.report.workbook import write_township

    import duckdb

    policy, db = load_policy(), tmp_path / "province.duckdb"
    shutil.copy(province_db, db)
    with duckdb.connect(str(db)) as con:  # a 低保 household with a case, and its 户主, moved to no county
        con.execute("""
            CREATE TEMP TABLE moved AS
            WITH hh AS (SELECT f.dibao_household FROM cases c JOIN person_facts f USING (quarter, person_key)
                        WHERE c.quarter = '2026Q3' AND f.dibao_household IS NOT NULL ORDER BY c.case_id LIMIT 1)
            SELECT person_key FROM person_facts WHERE quarter = '2026Q3' AND dibao_household IN (SELECT * FROM hh)
            UNION SELECT person_key FROM persons WHERE quarter = '2026Q3' AND id_number IN (SELECT * FROM hh)""")
        for table in ("persons", "cases"):
            con.execute(f"UPDATE {table} SET county = NULL, township = NULL WHERE person_key IN (SELECT person_key FROM moved)")
    everyone = load(db, "2026Q3", UNKNOWN_TOWNSHIP).for_county(UNKNOWN_TOWNSHIP)
    named = load(db, "2026Q3", UNKNOWN_TOWNSHIP, named=True).for_county(UNKNOWN_TOWNSHIP)
    assert named.cases.height and named.cases.equals(everyone.cases)
    assert named.persons.height < everyone.persons.height  # residents no case names are not read
    households = named.cases.join(named.facts, on="person_key").filter(pl.col("dibao_household").is_not_null())
    assert households.height  # a case of a 低保 household: its 户主 is named from the persons read
    for data, name in ((everyone, "everyone"), (named, "named")):
        write_township(data, UNKNOWN_TOWNSHIP, "", policy, tmp_path / name / "list.xlsx")
    a, b = _cells(tmp_path / "everyone"), _cells(tmp_path / "named")
    assert a == b and a
