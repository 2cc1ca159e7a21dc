"""Where report files go and what happens when one cannot be replaced: two counties with a 城关镇
each get two workbooks (one folder per county, a province summary); a workbook left open
(``os.replace`` refused) is named and the other files are still written."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import openpyxl
import pytest
from fixture_db import QUARTER, make_db

from pipeline.report import province_path, summary_paths, township_path, write_reports
from pipeline.report.province import PROVINCE_ROW, PROVINCE_SHEET
from pipeline.report.terms import COVER_SHEET, SIEVES

TABLES = ("cases", "overlap_rates", "persons", "person_facts")


@pytest.fixture(scope="module")
def two_counties(tmp_path_factory) -> Path:
    """One database holding two counties that both have a 城关镇 (the runs of the first)."""
    base = tmp_path_factory.mktemp("two")
    a = make_db(base / "a.duckdb", townships=("城关镇", "石桥乡"), county="宣威市", persons_per_township=20, cases_per_township=12, seed=1)
    b = make_db(base / "b.duckdb", townships=("城关镇", "龙泉镇"), county="会泽县", persons_per_township=20, cases_per_township=12, seed=2)
    with duckdb.connect(str(a)) as con:
        con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
        for t in TABLES:
            con.execute(f"INSERT INTO {t} BY NAME SELECT * FROM b.{t}")
    return a


def test_two_counties_with_a_chengguanzhen_get_two_workbooks(two_counties, policy, tmp_path):
    out = write_reports(two_counties, QUARTER, tmp_path, policy)
    assert not out.locked
    books = {}
    for county in ("宣威市", "会泽县"):
        path = township_path(tmp_path, QUARTER, "城关镇", county)
        assert path in out.written and path.parent.name == county
        books[county] = openpyxl.load_workbook(path)
        assert all(p.exists() for p in summary_paths(tmp_path, QUARTER, county))
    with duckdb.connect(str(two_counties), read_only=True) as con:
        per = dict(con.execute(
            "SELECT county, count(*) FROM cases WHERE quarter = ? AND township = '城关镇' GROUP BY 1", [QUARTER]
        ).fetchall())
    for county, wb in books.items():
        assert county in wb[COVER_SHEET].cell(1, 1).value  # each its own cover
        listed = sum(1 for s in SIEVES.values() for r in wb[s.sheet].iter_rows(min_row=3, values_only=True) if isinstance(r[0], int))
        assert listed == per[county]
    assert not (tmp_path / QUARTER / f"{QUARTER}_城关镇_九过筛子清单.xlsx").exists()
    province = openpyxl.load_workbook(province_path(tmp_path, QUARTER))[PROVINCE_SHEET]
    lines = {r[0]: r for r in province.iter_rows(min_row=3, values_only=True) if r[0]}
    with duckdb.connect(str(two_counties), read_only=True) as con:
        totals = dict(con.execute("SELECT county, count(*) FROM cases WHERE quarter = ? GROUP BY 1", [QUARTER]).fetchall())
    assert {k: v[2] for k, v in lines.items() if k != PROVINCE_ROW} == totals
    assert lines[PROVINCE_ROW][2] == sum(totals.values())
    assert lines["宣威市"][1] == 2  # townships


def test_one_county_keeps_the_flat_layout(db, reports):
    assert all(p.parent.name == QUARTER for p in reports)


def test_a_workbook_open_elsewhere_is_named_and_the_rest_written(db, policy, tmp_path, monkeypatch):
    first = write_reports(db, QUARTER, tmp_path, policy)
    locked = next(p for p in first.written if p.name.endswith("_九过筛子清单.xlsx"))
    before = locked.read_bytes()
    real = os.replace

    def refuse(src, dst, *a, **k):
        if Path(dst) == locked:
            raise PermissionError(13, "另一个程序正在使用此文件")
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", refuse)
    out = write_reports(db, QUARTER, tmp_path, policy)
    assert out.locked == [locked]
    assert len(out.messages) == 1 and f"请关闭 {locked.name} 后运行 doudi report" in out.messages[0]
    assert set(out.written) == set(first.written) - {locked}
    assert locked.read_bytes() == before  # left as it was, not deleted as stale
    assert not list(locked.parent.glob(".*.tmp"))


def test_report_command_names_the_locked_file_and_exits_1(bundled_copy, monkeypatch):
    from typer.testing import CliRunner

    from flows.cli import app

    target = township_path(bundled_copy.reports, "2026Q3", "白水乡")
    assert target.exists()
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda s, d, *a, **k: (_ for _ in ()).throw(PermissionError(13, "locked")) if Path(d) == target else real(s, d, *a, **k))
    result = CliRunner().invoke(app, ["report", "--quarter", "2026Q3", "--db", str(bundled_copy.db), "--reports", str(bundled_copy.reports)])
    assert result.exit_code == 1, result.output
    assert f"请关闭{target.name}后运行doudireport" in "".join(result.output.split())  # (the console wraps lines)


def test_a_locked_file_is_told_from_a_worker_process():
    import pickle

    from pipeline.report.files import FileLocked

    e = pickle.loads(pickle.dumps(FileLocked(Path("r") / "甲镇.xlsx", "locked")))
    assert e.path == Path("r") / "甲镇.xlsx" and "请关闭 甲镇.xlsx 后运行 doudi report" in str(e)
