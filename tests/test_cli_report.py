"""``doudi report`` rebuilds the workbooks from the database alone, with the policy the run used."""

import json

import duckdb
import openpyxl
from typer.testing import CliRunner

from flows.cli import app

QUARTER = "2026Q3"


def _policy_row(book, key: str) -> tuple:
    """The row of sheet 9 (政策一口清) that states policy key ``key``."""
    wb = openpyxl.load_workbook(book, read_only=True)
    sheet = next(wb[name] for name in wb.sheetnames if "政策" in name)
    return next(row for row in sheet.iter_rows(values_only=True) if key in row)


def test_report_rebuilds_workbooks_with_the_policy_the_run_used(bundled_copy, tmp_path):
    # The stored run used a 低保 standard of 650 (not the default file's 600): the rebuilt sheet 9 says 650.
    with duckdb.connect(str(bundled_copy.db)) as con:
        run_id, policy = con.execute(
            "SELECT run_id, policy FROM runs WHERE quarter = ? AND status = 'succeeded' ORDER BY started_at DESC LIMIT 1", [QUARTER]
        ).fetchall()[0]
        used = json.loads(policy) | {"dibao_monthly_standard": 650}
        con.execute("UPDATE runs SET policy = ? WHERE run_id = ?", [json.dumps(used, ensure_ascii=False), run_id])
    out = tmp_path / "reports"
    result = CliRunner().invoke(app, ["report", "--db", str(bundled_copy.db), "--reports", str(out)])
    assert result.exit_code == 0, result.output
    books = sorted((out / QUARTER).glob(f"{QUARTER}_*_九过筛子清单.xlsx"))
    assert books and (out / QUARTER / f"{QUARTER}_县汇总.html").exists()
    row = _policy_row(books[0], "dibao_monthly_standard")
    assert 650 in row and 600 not in row, row
    # asked for another policy file, the sheet follows that file
    again = CliRunner().invoke(app, ["report", "--db", str(bundled_copy.db), "--reports", str(tmp_path / "r2"), "--policy",
                                     str(bundled_copy.db.parent.parent / "nope.toml")])  # fmt: skip
    assert again.exit_code == 2 and "nope.toml" in again.output


def test_report_refuses_a_database_without_the_quarter(bundled_run, tmp_path):
    result = CliRunner().invoke(app, ["report", "--db", str(bundled_run.db), "--quarter", "2025Q1", "--reports", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert not (tmp_path / "r").exists()


def test_sql_answers_the_directors_questions(bundled_run, tmp_path):
    q = (
        "SELECT township, sum(amount) AS paid_after_death FROM cases "
        "WHERE quarter = '2026Q3' AND rule_code = 'S8-3' GROUP BY township ORDER BY township"
    )
    result = CliRunner().invoke(app, ["sql", q, "--db", str(bundled_run.db), "--csv", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()
    expected = bundled_run.sql(q)
    assert text[0] == "township,paid_after_death" and len(text) == expected.height + 1 >= 2
    bad = CliRunner().invoke(app, ["sql", "SELECT nope FROM nowhere", "--db", str(bundled_run.db)])
    assert bad.exit_code == 2  # a mistake the user corrects: one line, exit 2
