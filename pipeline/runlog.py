"""The run log: every statement on ``runs`` and ``run_files`` (history, never replaced by a rerun).

A run is recorded when it starts writing (``status = running``), and finished as ``succeeded``,
``reports_incomplete`` (the quarter is stored, a report file could not be replaced) or ``failed``
(with the error).  A run killed before it could say so stays ``running`` until the next run on
the database takes the lock and marks it ``interrupted``.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

import duckdb
import polars as pl

from pipeline import store
from pipeline.policy import Policy

STATUS_WORDS = {
    "running": "运行中",
    "succeeded": "成功",
    "reports_incomplete": "报表未全部写出",
    "failed": "失败",
    "interrupted": "被中断",
}
INTERRUPTED = "运行被中断（进程被终止），本季度数据保持中断前的状态"


def new_run_id() -> str:
    return datetime.now().strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]


def code_version() -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=Path(__file__).parent, capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except Exception:  # no git on a county machine: the package version says enough
        sha = ""
    return f"doudi {version('doudi')}" + (f" ({sha})" if sha else "")


def _json(value: object) -> object:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, quarter: str, input_dir: Path, policy: Policy, started_at: datetime) -> None:
    """Record a run as running (the caller holds the run lock: a run still running was killed)."""
    con.execute("UPDATE runs SET status = 'interrupted', error = coalesce(error, ?) WHERE status = 'running'", [INTERRUPTED])
    row = {
        "run_id": run_id,
        "quarter": quarter,
        "status": "running",
        "started_at": started_at,
        "input_dir": str(input_dir),
        "policy_path": policy.source,
        "policy": policy.to_json(),
        "policy_sha256": policy.digest(),
        "code_version": code_version(),
    }
    store.append(con, "runs", pl.DataFrame([row]))


def update_run(con: duckdb.DuckDBPyConnection, run_id: str, **values: object) -> None:
    """Set columns of one run (dicts and lists are stored as JSON)."""
    sets = ", ".join(f'"{k}" = ?' for k in values)
    con.execute(f"UPDATE runs SET {sets} WHERE run_id = ?", [*(_json(v) for v in values.values()), run_id])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, **values: object) -> None:
    update_run(con, run_id, status=status, finished_at=datetime.now(), **values)


def record_files(con: duckdb.DuckDBPyConnection, run_id: str, quarter: str, run_files: pl.DataFrame) -> None:
    """One ``run_files`` row per file and sheet of the run, with its row accounting."""
    store.append(con, "run_files", run_files.with_columns(pl.lit(run_id).alias("run_id"), pl.lit(quarter).alias("quarter")))


def files_summary(run_files: pl.DataFrame) -> list[dict]:
    """Per input file: digest, form, sheets, tables and row counts (``runs.files``)."""
    by_file = run_files.group_by("file_name", maintain_order=True).agg(
        pl.col("sha256").first(),
        pl.col("form").first(),
        pl.col("sheet_name"),
        pl.col("source_table"),
        pl.col("data_rows").sum(),
        pl.col("accepted_rows").sum(),
        pl.col("rejected_rows").sum(),
    )
    return json.loads(by_file.write_json())
