"""``doudi run`` through Prefect (the session's one test server, ``prefect_harness``): the console
holds the progress and the Chinese summary and none of Prefect's lines, which are in the log file;
an expected mistake raised inside the flow arrives as the same exception type."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.ingest import list_files

ROOT = Path(__file__).resolve().parents[2]
Q3 = ROOT / "sample_data" / "county" / "2026Q3"
FULL_ID = re.compile(r"(?<!\d)\d{17}[\dX](?!\d)")
PREFECT_WORDS = ("Task run", "Flow run", "Finished in state", "prefect", "Prefect", "docs.prefect.io", "anonymous usage", "INFO")


def prefect_console_handlers() -> list:
    import prefect.main  # noqa: F401  (Prefect sets up its logging, console handlers included)
    from prefect.logging.handlers import PrefectConsoleHandler

    loggers = [logging.getLogger(), *(v for v in logging.root.manager.loggerDict.values() if isinstance(v, logging.Logger))]
    return [h for lg in loggers for h in lg.handlers if isinstance(h, PrefectConsoleHandler)]


def test_doudi_run_console_is_for_the_analyst(prefect_harness, tmp_path, capfd):
    from flows.cli import app

    # Prefect's console handlers write to the stream they were given when Prefect set up logging;
    # here they write to ``seen``, so a line they print is caught whatever stream that was.
    seen, handlers = io.StringIO(), prefect_console_handlers()
    assert handlers
    streams = [h.setStream(seen) for h in handlers]
    try:
        db, reports = tmp_path / "county.duckdb", tmp_path / "清单"
        result = CliRunner().invoke(app, ["run", "--input", str(Q3), "--db", str(db), "--reports", str(reports)], env={"COLUMNS": "80"})
    finally:
        for h, stream in zip(handlers, streams):
            h.setStream(stream)
    assert result.exit_code == 0, result.output
    out, err = capfd.readouterr()
    console = result.output + out + err + seen.getvalue()
    for words in PREFECT_WORDS:
        assert words not in console, words
    assert not re.search("[\u2800-\u28ff\r\x1b]", console)  # a piped console: no spinner frames
    # one plain line per stage, then the summary
    files = len(list_files(Q3))
    for stage in (f"读取与校验  {files}/{files}", "合并各表", "人员识别", "筛查规则", "写入数据库", "生成乡镇清单"):
        assert re.search(rf"^  {stage}  \d+\.\d 秒$", result.output, re.M), stage
    assert re.search(r"^2026Q3 比对完成（运行 \S+，用时", result.output, re.M)
    assert "各乡镇问题线索" in result.output and f"数据库：{db.resolve()}" in result.output
    # Prefect's lines went to the log file beside the database, without an ID number
    log = (tmp_path / "county.duckdb.log").read_text(encoding="utf-8")
    assert "Finished in state Completed()" in log and "读取与校验" in log
    assert not FULL_ID.search(log)


def test_a_usage_error_inside_the_flow_arrives_as_itself(prefect_harness, tmp_path):
    from flows.quarterly import quarterly
    from pipeline.errors import UsageError

    db = tmp_path / "county.duckdb"
    with pytest.raises(UsageError, match="2026Q5"):
        quarterly(str(Q3), "2026Q5", None, str(db), str(tmp_path / "reports"))
    assert not db.exists() and not (tmp_path / "reports").exists()


def test_a_folder_without_a_table_or_missing_one_is_refused_through_prefect(prefect_harness, tmp_path):
    import shutil

    from flows.cli import app

    no_table = tmp_path / "no_table" / "2026Q3"
    no_table.mkdir(parents=True)
    (no_table / "通知.csv").write_text("关于召开会议的通知\n请各乡镇准时参加\n", encoding="utf-8")
    incomplete = tmp_path / "incomplete" / "2026Q3"
    shutil.copytree(Q3, incomplete)
    for f in incomplete.glob("*临时救助*"):
        f.unlink()
    for folder in (no_table, incomplete):
        db, reports = tmp_path / folder.parent.name / "county.duckdb", tmp_path / folder.parent.name / "清单"
        result = CliRunner().invoke(app, ["run", "--input", str(folder), "--db", str(db), "--reports", str(reports)])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert not db.exists() and not reports.exists()
    assert "linshi" in result.output or "临时救助" in result.output  # the missing table is named
    db = tmp_path / "allowed.duckdb"
    allowed = CliRunner().invoke(app, ["run", "--input", str(incomplete), "--db", str(db), "--allow-missing", "linshi", "--reports", str(tmp_path / "r")])
    assert allowed.exit_code == 0, allowed.output
    assert "临时救助记录" in allowed.output and "比对完成" in allowed.output
