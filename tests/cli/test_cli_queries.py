"""``doudi sql`` prints a real table (every row up to --limit, a notice when cut, no dtype rows,
no text cut) and exports every row; ``doudi runs`` fits 80 columns and speaks Chinese."""

from __future__ import annotations

import re
import shutil

import duckdb
import openpyxl
import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from flows.cli import app


def invoke(*args):
    return CliRunner().invoke(app, list(args), prog_name="doudi", env={"COLUMNS": "80"})


def squeeze(text: str) -> str:
    """The text without spaces and line breaks: a wrapped cell reads whole again."""
    return re.sub(r"\s+", "", text)


def test_sql_shows_every_row_up_to_the_limit_without_dtypes(bundled_run):
    q = "SELECT case_id, rule_code, township FROM cases WHERE quarter = '2026Q3' ORDER BY case_id"
    cases = bundled_run.sql(q)
    result = invoke("sql", q, "--db", str(bundled_run.db), "--limit", "1000")
    assert result.exit_code == 0, result.output
    for case_id in cases["case_id"]:
        assert case_id in result.output
    assert f"共 {cases.height:,} 行" in result.output
    for polars_repr in ("shape:", "str", "i64", "…", "varchar"):
        assert polars_repr not in result.output
    assert max(cell_len(line) for line in result.output.splitlines()) <= 80


def test_sql_says_when_it_cuts(bundled_run):
    q = "SELECT case_id FROM cases WHERE quarter = '2026Q3' ORDER BY case_id"
    ids = list(bundled_run.sql(q)["case_id"])
    assert len(ids) > 5
    result = invoke("sql", q, "--db", str(bundled_run.db), "--limit", "5")
    assert result.exit_code == 0, result.output
    assert [i for i in ids if i in result.output] == ids[:5]
    assert f"共 {len(ids):,} 行，只显示了前 5 行" in result.output


def test_sql_wraps_long_text_instead_of_cutting_it(bundled_run):
    q = "SELECT township, rule_name, detail FROM cases WHERE quarter = '2026Q3' ORDER BY length(detail) DESC LIMIT 3"
    details = list(bundled_run.sql(q)["detail"])
    assert cell_len(details[0]) > 80
    result = invoke("sql", q, "--db", str(bundled_run.db))
    assert result.exit_code == 0, result.output
    for d in details:
        assert squeeze(d) in squeeze(result.output)


def test_sql_shows_a_wide_row_as_a_block(bundled_run):
    q = "SELECT * FROM cases WHERE quarter = '2026Q3' ORDER BY case_id LIMIT 2"
    row = bundled_run.sql(q).row(0, named=True)
    result = invoke("sql", q, "--db", str(bundled_run.db))
    assert result.exit_code == 0
    assert "第 1 行" in result.output and "第 2 行" in result.output and "第 3 行" not in result.output
    assert re.search(rf"^rule_code\s+{re.escape(row['rule_code'])}\s*$", result.output, re.M)
    assert max(cell_len(line) for line in result.output.splitlines()) <= 80


def test_sql_exports_every_row_to_csv_and_xlsx(bundled_run, tmp_path):
    q = "SELECT township, rule_code, amount FROM cases WHERE quarter = '2026Q3' ORDER BY case_id"
    frame = bundled_run.sql(q)
    csv, xlsx = tmp_path / "线索.csv", tmp_path / "线索.xlsx"
    result = invoke("sql", q, "--db", str(bundled_run.db), "--limit", "3", "--csv", str(csv), "--xlsx", str(xlsx))
    assert result.exit_code == 0, result.output
    lines = csv.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "township,rule_code,amount" and len(lines) == frame.height + 1
    rows = list(openpyxl.load_workbook(xlsx, read_only=True).active.iter_rows(values_only=True))
    assert rows[0] == ("township", "rule_code", "amount") and len(rows) == frame.height + 1
    assert [r[1] for r in rows[1:]] == list(frame["rule_code"])
    assert f"{frame.height:,} 行已写入 {xlsx}" in result.output


def test_sql_refuses_bad_sql_in_one_line(bundled_run):
    result = invoke("sql", "SELECT nope FROM nowhere", "--db", str(bundled_run.db))
    assert result.exit_code == 2
    assert result.output.strip().startswith("查询出错：") and len(result.output.strip().splitlines()) == 1


def test_cell_values_read_as_a_person_reads_them():
    from datetime import date, datetime

    from flows.views import cell

    assert [cell(v) for v in (None, True, False, 200.01999999999998, 400.0, 7, date(2026, 9, 30))] == ["", "是", "否", "200.02", "400", "7", "2026-09-30"]
    assert cell(datetime(2026, 12, 3, 9, 30, 18, 5)) == "2026-12-03 09:30:18"
    assert cell([1, 2]) == "[1, 2]"


@pytest.fixture
def runs_db(bundled_run, tmp_path):
    """The bundled runs plus a failed run and one whose reports could not all be written."""
    db = tmp_path / "county.duckdb"
    shutil.copyfile(bundled_run.db, db)
    with duckdb.connect(str(db)) as con:
        con.execute(
            "INSERT INTO runs (run_id, quarter, status, started_at, finished_at, error) VALUES "
            "('20261201T080000-fa11ed', '2026Q3', 'failed', TIMESTAMP '2026-12-01 08:00:00', TIMESTAMP '2026-12-01 08:00:09', 'ValueError: 读取失败'), "
            "('20261202T080000-1ocked', '2026Q3', 'reports_incomplete', TIMESTAMP '2026-12-02 08:00:00', TIMESTAMP '2026-12-02 08:00:30', "
            "'报表未全部写出：2026Q3_青山镇_九过筛子清单.xlsx 正被打开')"
        )
    return db


def test_runs_fit_80_columns_in_chinese(runs_db, bundled_run):
    result = invoke("runs", "--db", str(runs_db))
    assert result.exit_code == 0, result.output
    text = result.output
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    for run_id in (bundled_run.q2.run_id, bundled_run.q3.run_id, "20261201T080000-fa11ed"):
        assert run_id.rsplit("-", 1)[1] in text
    for status in ("成功", "失败", "报表未全部写出"):
        assert status in squeeze(text)
    for english in ("succeeded", "failed", "reports_incomplete", "succeede"):
        assert english not in text
    assert "fa11ed 失败：ValueError: 读取失败" in text
    assert "2026-12-01 08:00" in text


def test_one_run_vertically_with_chinese_table_names(runs_db, bundled_run):
    run_id = bundled_run.q3.run_id
    for key in (run_id, run_id.rsplit("-", 1)[1]):
        result = invoke("runs", "--db", str(runs_db), "--run", key)
        assert result.exit_code == 0, result.output
        text = result.output
        assert re.search(rf"^运行编号\s+{run_id}", text, re.M) and re.search(r"^状态\s+成功", text, re.M)
        assert "临时救助记录" in text and "低保人员花名册" in text  # the tables by their titles
        assert re.search(r"→ 临时救助记录：数据 \d+ 行", text)
        assert max(cell_len(line) for line in text.splitlines()) <= 80 or "SHA-256" in text
    missing = invoke("runs", "--db", str(runs_db), "--run", "zzzzzz")
    assert missing.exit_code == 2 and "没有编号为 zzzzzz 的运行" in missing.output


def test_report_names_the_workbooks_left_open(bundled_copy, monkeypatch, tmp_path):
    """A workbook open in Excel/WPS cannot be replaced: ``doudi report`` names it and exits 1."""
    import pipeline.report
    from pipeline.report import ReportFiles
    from pipeline.report.files import FileLocked

    out = tmp_path / "清单"
    written = [out / "2026Q3" / "2026Q3_白水乡_九过筛子清单.xlsx"]
    locked = out / "2026Q3" / "2026Q3_青山镇_九过筛子清单.xlsx"
    message = str(FileLocked(locked, "另一个程序正在使用此文件"))
    files = ReportFiles(written=written, locked=[locked], messages=[message])
    monkeypatch.setattr(pipeline.report, "write_reports", lambda *a, **k: files)
    result = invoke("report", "--db", str(bundled_copy.db), "--reports", str(out))
    assert result.exit_code == 1, result.output
    assert "2026Q3_白水乡_九过筛子清单.xlsx" in result.output
    assert "请关闭 2026Q3_青山镇_九过筛子清单.xlsx 后运行 doudi report" in result.output.replace("\n", "")
