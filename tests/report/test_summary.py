"""County summary: the workbook's figures add up to ``cases``; the HTML page is self-contained."""

from __future__ import annotations

import re

import duckdb
import openpyxl
from fixture_db import QUARTER

from pipeline.report.figures import COUNTY_ROW
from pipeline.report.layout import FIRST_DATA_ROW
from pipeline.report.summary import OVERLAP_SHEET, OVERVIEW_SHEET, QUALITY_SHEET, RULES_SHEET, TOTALS_SHEET


def summary(reports, suffix):
    (path,) = [p for p in reports if p.name == f"{QUARTER}_县汇总{suffix}"]
    return path


def test_totals_sheet_matches_cases(reports, db, township_books):
    with duckdb.connect(str(db), read_only=True) as con:
        per_town = dict(con.execute("SELECT township, count(*) FROM cases WHERE quarter = ? GROUP BY 1", [QUARTER]).fetchall())
        per_sieve = dict(con.execute("SELECT sieve, count(*) FROM cases WHERE quarter = ? GROUP BY 1", [QUARTER]).fetchall())
    wb = openpyxl.load_workbook(summary(reports, ".xlsx"))
    assert wb.sheetnames == [OVERVIEW_SHEET, TOTALS_SHEET, RULES_SHEET, OVERLAP_SHEET, QUALITY_SHEET]
    ws = wb[TOTALS_SHEET]
    rows = {r[0]: r for r in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)}
    assert set(rows) == set(township_books) | {COUNTY_ROW}
    for town, n in per_town.items():
        assert rows[town][1] == n
    county = rows[COUNTY_ROW]
    assert county[1] == sum(per_town.values())
    assert list(county[-8:]) == [per_sieve.get(s, 0) for s in range(1, 9)]
    assert county[2] + county[3] == county[1] == sum(county[4:7])


def test_rules_sheet_and_overlap_sheet(reports, db):
    with duckdb.connect(str(db), read_only=True) as con:
        per_rule = dict(con.execute("SELECT rule_code, count(*) FROM cases WHERE quarter = ? GROUP BY 1", [QUARTER]).fetchall())
        county_rate = con.execute(
            "SELECT left_rate FROM overlap_rates WHERE quarter = ? AND level = '县' AND pair = '低保 x 防返贫' AND measure = 'persons'",
            [QUARTER],
        ).fetchone()[0]
    wb = openpyxl.load_workbook(summary(reports, ".xlsx"))
    rows = [r for r in wb[RULES_SHEET].iter_rows(min_row=FIRST_DATA_ROW, values_only=True)]
    assert {r[1]: r[4] for r in rows} == per_rule
    cells = [c for r in wb[OVERLAP_SHEET].iter_rows() for c in r]
    # rates are numbers shown as percentages, not text
    assert any(c.value == county_rate and c.number_format == "0.0%" for c in cells)
    assert not any(isinstance(c.value, str) and c.value.endswith("%") for c in cells)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1


def test_html_is_one_self_contained_page(reports, township_books):
    html = summary(reports, ".html").read_text(encoding="utf-8")
    assert "<svg" in html and html.count("<svg") >= 5
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html.lower() and "@import" not in html and "url(" not in html
    assert "<link" not in html.lower() and "<img" not in html.lower()
    for town in township_books:
        assert town in html
    assert "2026Q2" in html and "2026Q3" in html  # the trend covers every quarter in the database


def test_a_quarter_without_data_still_gives_a_summary(db, policy, tmp_path):
    from pipeline.report import write_reports

    written = write_reports(db, "2025Q4", tmp_path / "r", policy).written
    assert [p.name for p in written] == ["2025Q4_县汇总.xlsx", "2025Q4_县汇总.html"]
    html = written[1].read_text(encoding="utf-8")
    assert "<svg" in html and "没有本季度的重合率" in html


def test_a_rerun_removes_workbooks_of_townships_gone_from_the_quarter(db, policy, tmp_path):
    from pipeline.report import township_path, write_reports

    stale = township_path(tmp_path, QUARTER, "已撤并乡")
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    keep = stale.with_name("乡镇自填说明.docx")
    keep.write_bytes(b"not ours")
    written = write_reports(db, QUARTER, tmp_path, policy).written
    assert not stale.exists() and keep.exists()
    assert all(p.exists() for p in written)
    assert not list(stale.parent.glob(".*.tmp"))


def test_each_townships_counts_are_its_cases_counted_by_status_kind_and_sieve(db):
    # town_rows counts each dimension once with a group_by: every township's and the county's
    # figures must be what filtering its cases by each value gives.
    import polars as pl

    from pipeline.report.figures import town_rows
    from pipeline.report.load import load
    from pipeline.report.terms import KINDS, SIEVES, STATUSES
    from pipeline.report.towns import townships

    data = load(db, QUARTER)
    towns = townships(data)
    rows = town_rows(data, towns)
    assert [r.township for r in rows] == [*towns, COUNTY_ROW] and len(towns) >= 2
    for row in rows:
        cases = data.cases if row.township == COUNTY_ROW else data.cases.filter(pl.col("township") == row.township)
        count = lambda expr: cases.filter(expr).height  # noqa: E731
        assert row.total == cases.height > 0
        assert row.by_status == {s: count(pl.col("status") == s) for s in STATUSES}
        assert row.by_kind == {k: count(pl.col("kind") == k) for k in KINDS}
        assert row.by_sieve == {n: count(pl.col("sieve") == n) for n in SIEVES}
        assert row.by_sieve_kind == {(n, k): count((pl.col("sieve") == n) & (pl.col("kind") == k)) for n in SIEVES for k in KINDS}
    assert sum(rows[-1].by_status.values()) > 0 and len({v for r in rows for v in r.by_sieve_kind.values()}) > 2
