"""The console of ``doudi run``: one progress display on a terminal, plain lines when piped (no
spinner or control characters), Prefect's own lines in the log file (IDs masked), and failures
routed to one line and an exit code."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from pipeline.progress import PlainProgress, RichProgress, console_progress

ROOT = Path(__file__).resolve().parents[2]
Q3 = ROOT / "sample_data" / "county" / "2026Q3"
SPINNER = re.compile("[\u2800-\u28ff\u25cf\u2588\r\x1b]")  # braille spinner frames, carriage returns, escapes
PLANTED = "533321199001011234"  # a fictional ID


def stages(progress) -> None:
    with progress.stage("读取与校验", total=3) as advance:
        for name in ("a.csv", "b.xlsx", "c.xls"):
            advance(name)
    with progress.stage("人员识别"):
        pass
    with pytest.raises(ValueError), progress.stage("筛查规则"):
        raise ValueError("x")
    progress.close()


def test_a_piped_console_gets_plain_lines():
    out = io.StringIO()
    console = Console(file=out, width=80)
    progress = console_progress(console)
    assert isinstance(progress, PlainProgress)
    stages(progress)
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["读取与校验", "人员识别", "筛查规则"]
    assert lines[0].split()[1] == "3/3" and lines[-1].endswith("出错")
    assert not SPINNER.search(out.getvalue())
    assert set(progress.seconds) == {"读取与校验", "人员识别", "筛查规则"}


def test_a_terminal_gets_one_display_for_the_run():
    out = io.StringIO()
    console = Console(file=out, width=100, force_terminal=True)
    progress = console_progress(console)
    assert isinstance(progress, RichProgress)
    stages(progress)
    # one live display: started once, stopped once (rich hides the cursor once and shows it once)
    assert out.getvalue().count("\x1b[?25l") == 1 and out.getvalue().count("\x1b[?25h") == 1
    assert "3/3" in out.getvalue() and "完成" in out.getvalue() and "出错" in out.getvalue()


def test_prefect_console_lines_go_to_the_log_file_masked(tmp_path):
    import prefect.main  # noqa: F401  (sets up Prefect's logging, console handlers included)
    from prefect.logging.handlers import PrefectConsoleHandler

    from flows.logs import log_path, prefect_logs_to_file

    def console_handlers():
        loggers = [logging.getLogger(), *(v for v in logging.root.manager.loggerDict.values() if isinstance(v, logging.Logger))]
        return [h for lg in loggers for h in lg.handlers if isinstance(h, PrefectConsoleHandler)]

    before = console_handlers()
    assert before, "Prefect installs console handlers"
    path = log_path(tmp_path / "县" / "county.duckdb")
    assert path == tmp_path / "县" / "county.duckdb.log"
    with prefect_logs_to_file(path):
        assert console_handlers() == []
        logging.getLogger("prefect.task_runs").info("Finished in state Completed() %s", PLANTED)
        logging.getLogger("uvicorn").warning("server line")
    assert console_handlers() == before  # put back afterwards
    text = path.read_text(encoding="utf-8")
    assert "Finished in state Completed() 533321********1234" in text and PLANTED not in text
    assert "server line" in text


@pytest.fixture
def failing_flow(monkeypatch):
    """``doudi run`` with the flow replaced by one that raises ``error`` (no Prefect server)."""
    import flows.quarterly

    def use(error):
        def flow(*args, **kwargs):
            logging.getLogger("prefect.flow_runs").info("Beginning flow run 'x' for flow 'doudi-quarterly'")
            raise error

        monkeypatch.setattr(flows.quarterly, "quarterly", flow)

    return use


@pytest.mark.parametrize(
    "error, code, line",
    [
        ("IncompleteQuarter", 2, "缺少表：临时救助记录"),
        ("UsageError", 2, "目录中的文件都不含可识别的表"),
        ("DatabaseBusy", 3, "另一个运行正在使用数据库"),
    ],
)
def test_expected_errors_of_the_flow_are_one_line(failing_flow, tmp_path, error, code, line):
    from pipeline import errors

    failing_flow(getattr(errors, error)(line))
    db = tmp_path / "county.duckdb"
    result = CliRunner().invoke(app(), ["run", "--input", str(Q3), "--db", str(db), "--reports", str(tmp_path / "r")])
    assert result.exit_code == code, result.output
    assert result.output.strip().splitlines()[-1] == line
    assert "Traceback" not in result.output and "Beginning flow run" not in result.output
    assert not db.exists() and not (tmp_path / "r").exists()


def test_a_failed_run_names_the_log_file_which_holds_the_traceback(failing_flow, tmp_path):
    failing_flow(RuntimeError(f"第 3 行身份证号 {PLANTED} 出错"))
    db = tmp_path / "county.duckdb"
    result = CliRunner().invoke(app(), ["run", "--input", str(Q3), "--db", str(db)])
    assert result.exit_code == 1
    assert "运行失败：RuntimeError" in result.output and f"详情见日志 {Path(str(db) + '.log').resolve()}" in result.output
    assert "Traceback" not in result.output
    log = Path(str(db) + ".log").read_text(encoding="utf-8")
    assert "Traceback" in log and "RuntimeError" in log and "Beginning flow run" in log
    assert PLANTED not in log and "533321********1234" in log


def test_allow_missing_reaches_the_flow(monkeypatch, tmp_path):
    import flows.quarterly
    from pipeline.errors import UsageError

    seen = {}

    def flow(*args, **kwargs):
        seen.update(kwargs)
        raise UsageError("停在这里")

    monkeypatch.setattr(flows.quarterly, "quarterly", flow)
    result = CliRunner().invoke(app(), ["run", "--input", str(Q3), "--db", str(tmp_path / "d.duckdb"), "--allow-missing", "linshi,ertong"])
    assert result.exit_code == 2 and seen == {"allow_missing": ["linshi", "ertong"]}


def app():
    from flows.cli import app

    return app
