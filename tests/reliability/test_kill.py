"""SIGKILL a real run at every stage; two runs at once on one database.

A run of a small generated county's 2026Q3 (40 households, CSV: what is shown is that the database
stays whole, not anything about size) is started in a subprocess against a database that already
holds a good 2026Q3 (built from the same folder without the 资金发放明细 file, so old and new
rows differ in number).  A hook installed by the subprocess script - never by pipeline code -
pauses the run inside a stage and prints a marker; the test then SIGKILLs the process.
After each kill: the database opens, the previous quarter is intact (same counts in every
quarter-scoped table), the ``.lock`` does not block the next run (the OS lock died with the
process), and a rerun succeeds with the full counts.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipeline import store
from pipeline.policy import load_policy
from pipeline.run import run_quarter

ROOT = Path(__file__).resolve().parents[2]
LEFT_OUT = "青岚县2026年9月资金发放明细.csv"
MARKER = "PAUSED"

# Run inside the subprocess: install the pause hook named by DOUDI_PAUSE_AT, then run the quarter.
# The hook prints "PAUSED <stage>" and waits until the file DOUDI_GO exists (never, for a kill).
SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path

    import pipeline.report.workbook
    from pipeline import store
    from pipeline.executor import LocalExecutor
    from pipeline.policy import load_policy
    from pipeline.run import run_quarter

    stage, go = os.environ.get("DOUDI_PAUSE_AT", ""), os.environ.get("DOUDI_GO", "")
    db, input_dir, reports = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    # run_quarter's stages by name: the hook sits in the executor, not in where run.py imports from.
    STAGES = {"ingest": "读取与校验", "prepare": "合并各表", "link": "人员识别", "screen": "筛查规则",
              "write": "写入数据库", "report": "生成乡镇清单"}

    def pause(where):
        print("PAUSED", where, os.getpid(), flush=True)
        while not (go and os.path.exists(go)):
            time.sleep(0.05)

    def after_calls(fn, n, where):
        calls = [0]
        def wrapped(*args, **kwargs):
            calls[0] += 1
            if calls[0] == n:
                pause(where)
            return fn(*args, **kwargs)
        return wrapped

    class Pausing(LocalExecutor):
        def map(self, name, fn, items, weights=None):  # after two files were read, before the third
            return super().map(name, after_calls(fn, 3, stage) if STAGES.get(stage) == name else fn, items, weights)

        def call(self, name, fn, *args):
            if STAGES.get(stage) == name and stage in ("prepare", "link", "screen"):
                fn = after_calls(fn, 1, stage)
            return super().call(name, fn, *args)

    if stage == "write":
        # Inside write_quarter's transaction: the quarter's rows are deleted and two tables
        # re-filled when the hook pauses before the third table's insert.
        store._insert = after_calls(store._insert, 3, stage)
    elif stage == "report":  # after the first township workbook was saved
        pipeline.report.workbook.write_township = after_calls(pipeline.report.workbook.write_township, 2, stage)

    result = run_quarter(input_dir, "2026Q3", load_policy(), Path(db), reports_dir=Path(reports), executor=Pausing())
    print("DONE", result.run_id, flush=True)
    """
)


def quarter_counts(db: Path, quarter: str = "2026Q3") -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        names = store.quarter_tables(con)
        return {n: con.sql(f'SELECT count(*) AS n FROM "{n}" WHERE quarter = ?', params=[quarter]).pl()["n"][0] for n in names}


def run_statuses(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql("SELECT status FROM runs ORDER BY started_at").pl()["status"].to_list()


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    """The quarter every run of this module reads: a small generated county's 2026Q3."""
    from sample_data.generate import generate

    out = tmp_path_factory.mktemp("kill_county")
    generate(40, 3, out, quarters=["2026Q3"], forms="csv", quiet=True)
    return out / "2026Q3"


@pytest.fixture(scope="module")
def databases(county, tmp_path_factory):
    """(baseline db: 2026Q3 without the payments file, counts of it, counts of the full run)."""
    root = tmp_path_factory.mktemp("kill")
    partial = root / "partial" / "2026Q3"
    shutil.copytree(county, partial)
    (partial / LEFT_OUT).unlink()
    baseline = root / "baseline.duckdb"
    run_quarter(partial, "2026Q3", load_policy(), baseline, reports_dir=None, allow_missing=["fafang"])
    full = root / "full.duckdb"
    run_quarter(county, "2026Q3", load_policy(), full, reports_dir=None)
    before, after = quarter_counts(baseline), quarter_counts(full)
    assert before != after and before["source_records"] < after["source_records"]
    return baseline, before, after


def start(db: Path, county: Path, reports: Path, stage: str = "", go: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "DOUDI_PAUSE_AT": stage, "DOUDI_GO": str(go or "")}
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(db), str(county), str(reports)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def wait_for_marker(proc: subprocess.Popen, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith(MARKER):
            return line.strip()
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError(f"no {MARKER} marker; exit {proc.poll()}\n{proc.stderr.read()[-3000:]}")


@pytest.mark.parametrize(
    "stage",
    ["ingest", pytest.param("prepare", marks=pytest.mark.slow), "link", pytest.param("screen", marks=pytest.mark.slow), "write", "report"],
)
def test_kill_at_any_stage_leaves_the_database_whole(county, databases, tmp_path, stage):
    baseline, before, after = databases
    db = tmp_path / "d.duckdb"
    shutil.copy(baseline, db)
    reports = tmp_path / "reports"
    proc = start(db, county, reports, stage)
    try:
        assert wait_for_marker(proc).startswith(f"{MARKER} {stage}")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    # The database opens read-only (an analyst) and holds the old quarter whole - or, killed after
    # the commit (while writing reports), the new one whole.
    expected = after if stage == "report" else before
    assert quarter_counts(db) == expected
    # The killed run's row: reading the files, nothing is written yet (no row); after that, until the
    # commit, it never got to say how it ended (running); while writing the reports, the quarter and
    # its record were already committed (`doudi report` rebuilds the reports).
    killed = {"ingest": None, "prepare": None, "report": "succeeded"}.get(stage, "running")
    assert run_statuses(db) == ["succeeded", *([killed] if killed else [])]
    if stage == "report":
        # The workbook being written is never left half-written: saved whole or not at all.
        assert list((reports / "2026Q3").glob("*_九过筛子清单.xlsx"))  # the first was saved before the kill
        for path in (reports / "2026Q3").glob("*.xlsx"):
            openpyxl.load_workbook(path, read_only=True).close()

    # The lock died with the process: the next run is not refused.
    assert Path(f"{db}.lock").exists()
    with store.run_lock(db):
        pass
    result = run_quarter(county, "2026Q3", load_policy(), db, reports_dir=None)
    assert quarter_counts(db) == after
    # the next run under the lock marks a killed run that was still running as interrupted
    marked = {"running": "interrupted"}.get(killed, killed)
    assert run_statuses(db) == ["succeeded", *([marked] if marked else []), "succeeded"]
    assert result.counts["source_records"] == after["source_records"]
    with duckdb.connect(str(db)) as con:  # and a writer can open it too
        con.sql("CHECKPOINT")


def test_two_runs_at_once_the_second_is_refused(county, databases, tmp_path):
    baseline, before, after = databases
    db = tmp_path / "d.duckdb"
    shutil.copy(baseline, db)
    go = tmp_path / "go"
    first = start(db, county, tmp_path / "r1", "ingest", go)
    try:
        marker = wait_for_marker(first)
        holder = marker.split()[-1]
        second = start(db, county, tmp_path / "r2")
        out, err = second.communicate(timeout=120)
        assert second.returncode not in (0, None), out
        assert "DatabaseBusy" in err and "另一次运行" in err and f"进程 {holder}" in err, err[-2000:]
        assert "DONE" not in out
        # The refused run touched nothing: the first run's row is the only new one.
        go.touch()
        out, err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, err[-3000:]
    assert "DONE" in out
    assert quarter_counts(db) == after
    assert run_statuses(db) == ["succeeded", "succeeded"]
