"""A quarter with a table not exported (runs.completeness, cases.not_rechecked, added by the run):
its rules say 未筛查 on the cover and their sieve sheet, carried cases say 本季未复核, tables are
named in Chinese; on the bundled county's database with the two columns added by hand."""

from __future__ import annotations

import json

import duckdb
import openpyxl
import pytest

from pipeline.policy import load_policy
from pipeline.report import summary_paths, township_path, write_reports
from pipeline.report.summary import QUALITY_SHEET
from pipeline.report.terms import COVER_SHEET, NOT_RECHECKED, SIEVES, UNSCREENED
from pipeline.report.workbook import CASE_HEADERS

COMPLETENESS = {
    "missing_tables": ["linshi"],
    "not_exported": ["linshi"],
    "unscreened_rules": ["S2-3", "S6-2"],
    "volume_drops": [{"table": "dibao", "previous": 300, "current": 150}],
}


def text_of(ws) -> str:
    return "\n".join(str(c) for r in ws.iter_rows(values_only=True) for c in r if c is not None)


@pytest.fixture
def incomplete(bundled_copy):
    with duckdb.connect(str(bundled_copy.db)) as con:
        con.execute("ALTER TABLE runs ADD COLUMN IF NOT EXISTS completeness VARCHAR")
        con.execute("UPDATE runs SET completeness = ? WHERE quarter = '2026Q3'", [json.dumps(COMPLETENESS)])
        con.execute("ALTER TABLE cases ADD COLUMN IF NOT EXISTS not_rechecked BOOLEAN")
        con.execute("DELETE FROM cases WHERE quarter = '2026Q3' AND rule_code = 'S6-2'")
        (case_id, town) = con.execute(
            "SELECT case_id, township FROM cases WHERE quarter = '2026Q3' AND status = '延续' AND township IS NOT NULL ORDER BY case_id LIMIT 1"
        ).fetchone()
        con.execute("UPDATE cases SET not_rechecked = true WHERE quarter = '2026Q3' AND case_id = ?", [case_id])
    out = write_reports(bundled_copy.db, "2026Q3", bundled_copy.reports, load_policy())
    assert not out.locked
    return bundled_copy, case_id, town


def test_unscreened_rules_say_so_on_the_cover_and_the_sieve_sheet(incomplete):
    run, _, town = incomplete
    wb = openpyxl.load_workbook(township_path(run.reports, "2026Q3", town))
    cover = text_of(wb[COVER_SHEET])
    assert f"{UNSCREENED}：S2-3" in cover and f"{UNSCREENED}：S6-2" in cover
    assert "临时救助记录" in cover and "linshi" not in cover  # tables by their Chinese names
    assert "低保人员花名册采用行数由上季度 300 行降至 150 行" in cover
    sheet6 = text_of(wb[SIEVES[6].sheet])
    assert UNSCREENED in sheet6 and "S6-2" in sheet6
    if "本季度本乡镇未发现此类问题" in sheet6:
        pytest.fail("a sieve whose rule was not run must not say nothing was found")
    assert UNSCREENED in wb[SIEVES[2].sheet].cell(1, 1).value


def test_a_case_not_rechecked_says_so(incomplete):
    run, case_id, town = incomplete
    wb = openpyxl.load_workbook(township_path(run.reports, "2026Q3", town))
    id_col, status_col = CASE_HEADERS.index("问题编号"), CASE_HEADERS.index("状态")
    found = [r for s in SIEVES.values() for r in wb[s.sheet].iter_rows(min_row=3, values_only=True) if r[id_col] == case_id]
    assert len(found) == 1 and NOT_RECHECKED in found[0][status_col] and "延续" in found[0][status_col]


def test_the_summary_lists_what_is_missing(incomplete):
    run, _, _ = incomplete
    xlsx, html = summary_paths(run.reports, "2026Q3")
    quality = text_of(openpyxl.load_workbook(xlsx)[QUALITY_SHEET])
    assert "临时救助记录" in quality and "S2-3" in quality and UNSCREENED in quality
    page = html.read_text(encoding="utf-8")
    assert "临时救助记录" in page and "S6-2" in page
