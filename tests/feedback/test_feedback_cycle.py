"""The townships' answers coming back: fill a 2026Q2 workbook as a township would, import it, run
2026Q3, and find the answers carried, the 不属实 cases listed apart and the 整改未到位 flags."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
from filler import CASE_SHEETS, case_rows, fill, headers
from typer.testing import CliRunner

from flows.cli import app
from pipeline.feedback import import_feedback, read_workbook
from pipeline.policy import load_policy
from pipeline.report import township_path
from pipeline.report.terms import DISPUTED_SHEET, SIEVES
from pipeline.run import run_quarter
from pipeline.store import quarter_tables

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "sample_data" / "county"


def _sql(db: Path, q: str, params=()) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(q, params=list(params)).pl()


@pytest.fixture(scope="module")
def cycle(bundled_run, tmp_path_factory):
    """2026Q2 run (a copy of the session's ``bundled_run``) -> the busiest township's workbook
    filled in and imported (by the command) -> 2026Q3 run (replacing the copy's 2026Q3)."""
    tmp = tmp_path_factory.mktemp("feedback")
    db, reports = tmp / "county.duckdb", tmp / "reports"
    policy = load_policy()
    shutil.copyfile(bundled_run.db, db)
    shutil.copytree(bundled_run.reports, reports)
    town = _sql(db, "SELECT township, count(*) n FROM cases WHERE quarter = '2026Q2' AND township IS NOT NULL GROUP BY 1 ORDER BY n DESC, 1").item(0, 0)
    filled = tmp / "returned" / f"{town}反馈（已填）.xlsx"  # renamed by the township
    filled.parent.mkdir()
    written = fill(township_path(reports, "2026Q2", town), filled)
    cli = CliRunner().invoke(app, ["feedback", "import", str(filled), "--db", str(db)], env={"COLUMNS": "200"})
    feedback_q2 = _sql(db, "SELECT * FROM case_feedback")
    run_quarter(BUNDLED / "2026Q3", "2026Q3", policy, db, reports)
    return {"db": db, "reports": reports, "town": town, "file": filled, "written": written, "cli": cli, "feedback": feedback_q2}


def test_the_workbook_carries_each_case_id(cycle):
    db, town = cycle["db"], cycle["town"]
    wb = openpyxl.load_workbook(township_path(cycle["reports"], "2026Q2", town))
    ids = []
    for name in CASE_SHEETS:
        ws = wb[name]
        col = headers(ws)
        ids += [ws.cell(r, col["问题编号"]).value for r in case_rows(ws)]
    expected = _sql(db, "SELECT case_id FROM cases WHERE quarter = '2026Q2' AND township = ?", [town])["case_id"]
    assert sorted(ids) == sorted(expected)


def test_import_stores_the_answers_read(cycle):
    fb, written = cycle["feedback"], cycle["written"]
    answers = written["answers"]
    assert fb.height == len(answers) > 0
    assert set(fb["quarter"]) == {"2026Q2"} and set(fb["township"]) == {cycle["town"]}
    assert set(fb["source_file"]) == {cycle["file"].name}
    for r in fb.iter_rows(named=True):
        want = answers[r["case_id"]]
        assert r["check_result"] == want["result"]
        assert r["rectified"] == want["rectified"]
        assert (r["closed_date"] and r["closed_date"].isoformat()) == want["closed"]  # every sloppy form read
        if want["result"] == "属实":
            assert r["rectification"] == "已纳入低保，停发" and r["responsible"] == "王五"
        if want["result"] == "不属实":
            assert "同名同姓" in (r["rectification"] or "") + (r["remark"] or "")
        if "deadline" in want:
            assert r["deadline"] == date.fromisoformat(want["deadline"])
    # the unreadable cells: not guessed, not imported
    bad_ids = {b["case_id"] for b in written["bad"]}
    assert not bad_ids & set(fb["case_id"])


def test_unknown_answers_are_reported_with_file_sheet_row_and_column(cycle):
    cli = cycle["cli"]
    assert cli.exit_code == 1, cli.output  # some rows were not imported
    out = read_workbook(cycle["file"])
    assert out.quarter == "2026Q2"  # from the workbook's properties, whatever its file name
    found = {(i.sheet, i.row, i.column.split("（")[1].rstrip("）"), i.value) for i in out.issues}
    for b in cycle["written"]["bad"]:
        assert (b["sheet"], b["row"], b["column"], b["value"]) in found
        assert b["value"] in cli.output and b["sheet"] in cli.output
    assert all(i.file == cycle["file"].name and not i.imported for i in out.issues)
    assert "待查" in cli.output and "不是可识别的核查结果" in cli.output


def test_importing_again_replaces_not_duplicates(cycle, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(cycle["db"], db)
    before = _sql(db, "SELECT count(*) FROM case_feedback").item()
    result = import_feedback([cycle["file"]], db)
    assert result.imported == before
    assert _sql(db, "SELECT count(*) n, count(DISTINCT (quarter, case_id)) d FROM case_feedback").row(0) == (before, before)


def test_feedback_is_history_a_rerun_keeps_it(cycle):
    with duckdb.connect(str(cycle["db"]), read_only=True) as con:
        assert "case_feedback" not in quarter_tables(con)
    assert _sql(cycle["db"], "SELECT count(*) FROM case_feedback").item() == cycle["feedback"].height


def test_next_quarter_carries_the_last_answer(cycle):
    db, answers = cycle["db"], cycle["written"]["answers"]
    q3 = _sql(db, "SELECT * FROM cases WHERE quarter = '2026Q3'")
    carried = q3.filter(pl.col("feedback_quarter").is_not_null())
    assert carried.height > 0
    assert set(carried["case_id"]) == set(answers) & set(q3["case_id"])
    for r in carried.iter_rows(named=True):
        want = answers[r["case_id"]]
        assert r["feedback_quarter"] == "2026Q2"
        assert r["last_check_result"] == want["result"]
        assert r["false_report"] == (want["result"] == "不属实")
        assert r["rectification_failed"] == want["rectified"]  # 属实 + 销号日期, and it fired again
        assert r["status"] == "延续"
    assert carried["false_report"].sum() > 0 and carried["rectification_failed"].sum() > 0
    others = q3.filter(pl.col("feedback_quarter").is_null())
    assert not others["false_report"].any() and not others["rectification_failed"].any()
    disputed = _sql(db, "SELECT case_id FROM disputed_cases WHERE quarter = '2026Q3'")
    assert set(disputed["case_id"]) == set(carried.filter("false_report")["case_id"])


def test_next_workbook_lists_the_disputed_apart_and_flags_failed_rectification(cycle):
    db, town = cycle["db"], cycle["town"]
    q3 = _sql(db, "SELECT * FROM cases WHERE quarter = '2026Q3' AND township = ?", [town])
    wb = openpyxl.load_workbook(township_path(cycle["reports"], "2026Q3", town))
    listed: dict[str, list[tuple]] = {}
    for name in CASE_SHEETS:
        ws = wb[name]
        col = headers(ws)
        listed[name] = [(ws.cell(r, col["问题编号"]).value, ws.cell(r, col["上次反馈"]).value) for r in case_rows(ws)]
    disputed = set(q3.filter("false_report")["case_id"])
    assert disputed and {c for c, _ in listed[DISPUTED_SHEET]} == disputed
    in_sieves = [c for s in SIEVES.values() for c, _ in listed[s.sheet]]
    assert not disputed & set(in_sieves)  # listed apart, not twice
    assert sorted(in_sieves + [c for c, _ in listed[DISPUTED_SHEET]]) == sorted(q3["case_id"])  # none dropped
    words = {c: w for rows in listed.values() for c, w in rows}
    for r in q3.iter_rows(named=True):
        text = words[r["case_id"]] or ""
        assert ("整改未到位" in text) == r["rectification_failed"], (r["case_id"], text)
        if r["false_report"]:
            assert "不属实" in text and "同名同姓" in text  # the township's reason travels with it
