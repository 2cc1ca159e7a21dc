"""Usage mistakes get one line of Chinese, exit code 2, and change nothing: the database and the
reports folder stay byte for byte as they were, and a database that did not exist is not created.

Each mistake is caught before Prefect starts (``flows.preflight``), so these tests start no server.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app

ROOT = Path(__file__).resolve().parents[2]
Q3 = ROOT / "sample_data" / "county" / "2026Q3"


def snapshot(*paths: Path) -> dict[str, str]:
    """Every file under ``paths`` (and the paths themselves) -> its SHA-256."""
    out = {}
    for p in paths:
        files = [p] if p.is_file() else sorted(x for x in p.rglob("*") if x.is_file()) if p.exists() else []
        out.update({str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files})
    return out


def folder(tmp_path: Path, name: str, files: dict[str, bytes]) -> Path:
    d = tmp_path / name
    d.mkdir(parents=True)
    for n, data in files.items():
        (d / n).write_bytes(data)
    return d


def policy_in_gbk(tmp_path: Path) -> Path:
    """A county's policy saved by Notepad as "ANSI" (GBK), with a standard it mistyped as negative:
    GBK is read (pipeline/policy.py), the value is the mistake."""
    p = tmp_path / "政策.toml"
    text = (ROOT / "pipeline" / "policy_default.toml").read_text(encoding="utf-8")
    text = text.replace("dibao_monthly_standard = 600", "dibao_monthly_standard = -600")
    p.write_bytes(("# 本县政策\n" + text).encode("gbk", errors="replace"))
    return p


MISTAKES = {
    # name: (arguments after --db/--reports, the words the message must hold)
    "no such folder": (lambda t: ["--input", str(t / "没有这个目录")], "不存在"),
    "no such folder, no quarter either": (lambda t: ["--input", str(t / "nope")], "输入目录"),
    "an empty folder": (lambda t: ["--input", str(folder(t, "2026Q3", {}))], "是空的"),
    "a folder of PDFs": (lambda t: ["--input", str(folder(t, "2026Q3", {"低保.pdf": b"%PDF-1.4", "说明.docx": b"PK"}))], "没有 Excel 或 CSV"),
    "a folder that is no quarter": (lambda t: ["--input", str(folder(t, "导出", {"a.csv": b"x,y\n"}))], "--quarter"),
    "quarter 2026Q5": (lambda t: ["--input", str(Q3), "--quarter", "2026Q5"], "2026Q5"),
    "quarter 2026-3": (lambda t: ["--input", str(Q3), "--quarter", "2026-3"], "2026-3"),
    "quarter 2026q3x": (lambda t: ["--input", str(Q3), "--quarter", "2026q3x"], "2026q3x"),
    "a policy saved in GBK with a negative standard": (
        lambda t: ["--input", str(Q3), "--policy", str(policy_in_gbk(t))], "dibao_monthly_standard = -600"
    ),
    "a policy that is no TOML": (lambda t: ["--input", str(Q3), "--policy", str(folder(t, "p", {"p.toml": b"x = = 1"}) / "p.toml")], "TOML"),
    "a missing policy": (lambda t: ["--input", str(Q3), "--policy", str(t / "无.toml")], "不存在"),
    "an unknown table to allow missing": (lambda t: ["--input", str(Q3), "--allow-missing", "linshi,dibo"], "dibo"),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
@pytest.mark.parametrize("database", ["existing", "new"])
def test_a_usage_mistake_is_one_line_exit_2_and_writes_nothing(mistake, database, bundled_run, tmp_path):
    args, words = MISTAKES[mistake]
    if database == "existing":
        db, reports = tmp_path / "county.duckdb", tmp_path / "reports"
        shutil.copyfile(bundled_run.db, db)
        shutil.copytree(bundled_run.reports, reports)
    else:
        db, reports = tmp_path / "new" / "county.duckdb", tmp_path / "new" / "reports"
    before = snapshot(db, reports)
    result = CliRunner().invoke(app, ["run", "--db", str(db), "--reports", str(reports), *args(tmp_path)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.output
    assert "Traceback" not in result.output and "Error" not in result.output
    assert snapshot(db, reports) == before
    assert not Path(str(db) + ".log").exists()  # not even the log file
    if database == "new":
        assert not (tmp_path / "new").exists()


def test_the_missing_folder_is_named_before_the_quarter(tmp_path):
    """Without --quarter a folder that does not exist is reported as such, not as a bad quarter."""
    result = CliRunner().invoke(app, ["run", "--input", str(tmp_path / "exports"), "--db", str(tmp_path / "d.duckdb")])
    assert result.exit_code == 2
    assert result.output.strip() == f"输入目录 {tmp_path / 'exports'} 不存在"


def test_allow_missing_takes_table_names_of_the_inputs():
    from flows.preflight import check_allow_missing
    from pipeline.errors import UsageError

    assert check_allow_missing("linshi, ertong") == ["linshi", "ertong"]
    assert check_allow_missing("linshi，ertong") == ["linshi", "ertong"]  # a Chinese comma
    assert check_allow_missing(None) == []
    with pytest.raises(UsageError, match="临时救助记录"):  # the message lists the names with their titles
        check_allow_missing("临时救助")


def test_other_commands_refuse_a_missing_database_in_one_line(tmp_path):
    db = tmp_path / "无.duckdb"
    for args in (["sql", "SELECT 1"], ["runs"], ["report"], ["runs", "--run", "abc"]):
        result = CliRunner().invoke(app, [*args, "--db", str(db)])
        assert result.exit_code == 2, (args, result.output)
        assert result.output.strip().splitlines() == [f"数据库 {db} 不存在：先运行 doudi run，或用 --db 指明数据库文件"]
    assert not db.exists()


def test_report_refuses_a_bad_quarter_in_one_line(bundled_run, tmp_path):
    result = CliRunner().invoke(app, ["report", "--db", str(bundled_run.db), "--quarter", "2026Q5", "--reports", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert result.output.strip() == "季度“2026Q5”格式不对，应如 2026Q3（年份加 Q1-Q4）"
    assert not (tmp_path / "r").exists()
