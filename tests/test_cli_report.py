"""``doudi report`` rebuilds the workbooks from the database alone, with the policy the run used."""

from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from flows.cli import app
from pipeline.policy import load_policy
from pipeline.run import run_quarter

ROOT = Path(__file__).resolve().parent.parent


def test_report_rebuilds_workbooks_without_rerunning(tmp_path):
    db = tmp_path / "d.duckdb"
    run_quarter(ROOT / "sample_data" / "county" / "2026Q3", "2026Q3", load_policy(), db, reports_dir=None)
    out = tmp_path / "reports"
    result = CliRunner().invoke(app, ["report", "--db", str(db), "--reports", str(out)])
    assert result.exit_code == 0, result.output
    books = sorted((out / "2026Q3").glob("2026Q3_*_九过筛子清单.xlsx"))
    assert books and (out / "2026Q3" / "2026Q3_县汇总.html").exists()
    wb = openpyxl.load_workbook(books[0], read_only=True)
    assert any("政策" in name for name in wb.sheetnames)


def test_report_refuses_a_database_without_the_quarter(tmp_path):
    db = tmp_path / "d.duckdb"
    run_quarter(ROOT / "sample_data" / "county" / "2026Q3", "2026Q3", load_policy(), db, reports_dir=None)
    result = CliRunner().invoke(app, ["report", "--db", str(db), "--quarter", "2025Q1", "--reports", str(tmp_path / "r")])
    assert result.exit_code == 2


def test_sql_answers_the_directors_questions(tmp_path):
    db = tmp_path / "d.duckdb"
    run_quarter(ROOT / "sample_data" / "county" / "2026Q3", "2026Q3", load_policy(), db, reports_dir=None)
    q = (
        "SELECT township, sum(amount) AS paid_after_death FROM cases "
        "WHERE quarter = '2026Q3' AND rule_code = 'S8-3' GROUP BY township"
    )
    result = CliRunner().invoke(app, ["sql", q, "--db", str(db), "--csv", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "township,paid_after_death" and len(text.splitlines()) >= 2
    bad = CliRunner().invoke(app, ["sql", "SELECT nope FROM nowhere", "--db", str(db)])
    assert bad.exit_code == 2  # a mistake the user corrects: one line, exit 2
