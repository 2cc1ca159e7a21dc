"""``doudi run`` is a Prefect flow; a deployment schedules it; nothing personal reaches Prefect.

The flow runs once under Prefect's test harness on the bundled data (the harness is the
session-wide ``prefect_harness`` of ``tests/conftest.py``: the only Prefect server of the test
session).  The deployment is built and inspected without a server.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "sample_data" / "county"
FULL_ID = re.compile(r"\d{17}[\dX]")
OLD_ID = re.compile(r"(?<!\d)\d{15}(?!\d)")
PLANTED = "533321199001011234"  # an ID a log line and an error message quote (fictional)


def ids_in(text: str) -> list[str]:
    return FULL_ID.findall(text) + OLD_ID.findall(text)


# ---------------------------------------------------------------------------------------------
# The deployment: built, not served.


def test_deployment_schedule_and_parameters(tmp_path):
    from prefect.deployments.runner import RunnerDeployment

    from flows.deployment import DEFAULT_CRON, build_deployment

    root = tmp_path / "exports"
    root.mkdir()
    d = build_deployment(root, db=tmp_path / "county.duckdb", reports=tmp_path / "reports")
    assert isinstance(d, RunnerDeployment)
    assert d.flow_name == "doudi-quarterly"
    (schedule,) = d.schedules
    assert schedule.active
    assert schedule.schedule.cron == DEFAULT_CRON == "0 2 15 3,6,9,12 *"
    assert schedule.schedule.timezone == "Asia/Shanghai"
    assert d.parameters == {
        "input_dir": str(root.resolve()),
        "quarter": None,  # derived when the run starts
        "policy": None,
        "db": str((tmp_path / "county.duckdb").resolve()),
        "reports": str((tmp_path / "reports").resolve()),
    }
    # the parameter schema Prefect enforces accepts exactly the flow's parameters
    assert set(d._parameter_openapi_schema.properties) == set(d.parameters)
    assert d.entrypoint == "flows.quarterly.quarterly"  # importable wherever the runner starts

    other = build_deployment(root, cron="30 1 10 * *", timezone="UTC", name="monthly-test")
    assert (other.name, other.schedules[0].schedule.cron, other.schedules[0].schedule.timezone) == ("monthly-test", "30 1 10 * *", "UTC")


def test_the_quarter_of_a_scheduled_run(tmp_path):
    from flows.quarterly import current_quarter, resolve_input

    assert current_quarter(date(2026, 9, 15)) == "2026Q3"
    assert current_quarter(date(2026, 12, 15)) == "2026Q4"
    assert current_quarter(date(2027, 3, 15)) == "2027Q1"
    (tmp_path / "2026Q3").mkdir()
    # a root of quarterly folders: the current quarter's folder
    assert resolve_input(tmp_path, None, date(2026, 9, 15)) == (tmp_path / "2026Q3", "2026Q3")
    # a quarter's own folder: its name says the quarter
    assert resolve_input(tmp_path / "2026Q3", None, date(2026, 12, 15)) == (tmp_path / "2026Q3", "2026Q3")
    # the quarter given: its folder under the root
    assert resolve_input(tmp_path, "2026q3") == (tmp_path / "2026Q3", "2026Q3")
    with pytest.raises(FileNotFoundError, match="2026Q4"):
        resolve_input(tmp_path / "missing", None, date(2026, 12, 15))


def test_deploy_command_refuses_a_missing_input(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    out = CliRunner().invoke(app, ["deploy", "--input", str(tmp_path / "nope")])
    assert out.exit_code == 2


# ---------------------------------------------------------------------------------------------
# Masking, without Prefect.


def test_ids_are_masked_in_log_lines(caplog):
    from pipeline.privacy import install, mask_ids

    assert mask_ids(f"身份证号{PLANTED}有误") == "身份证号533321********1234有误"
    assert mask_ids("53332119900101123X") == "533321********123X"
    assert mask_ids("533321900101123") == "533321*****1123"  # 15-digit ID of old
    assert mask_ids("5.33321199001011E+17") == "5.33321******E+17"
    assert mask_ids("run 20261125T123456, 2026-09-30, 7,200.00 元") == "run 20261125T123456, 2026-09-30, 7,200.00 元"
    install(["doudi.test"])
    with caplog.at_level(logging.INFO):
        logging.getLogger("doudi.test").info("核对 %s 张三", PLANTED)
        try:
            raise ValueError(f"bad {PLANTED}")
        except ValueError:
            logging.getLogger("some.library").exception("failed")
    text = caplog.text
    assert "533321********1234" in text and not ids_in(text), text


# ---------------------------------------------------------------------------------------------
# The flow under Prefect's test harness.


def _leaky_stage(n: int) -> int:
    raise ValueError(f"身份证号 {PLANTED} 校验位不对（第 {n} 行）")


def _leaky():
    """A flow whose log line and failed task quote an ID, as a careless stage might."""
    from prefect import flow, get_run_logger

    from flows.quarterly import PrefectExecutor, mask_logs

    @flow(name="doudi-leak-check", persist_result=False)
    def leak_check():
        mask_logs()
        get_run_logger().info("核对 张三 %s", PLANTED)
        logging.getLogger("doudi.stage").warning("记录 %s 有误", PLANTED)
        PrefectExecutor().call("会出错的阶段", _leaky_stage, 7)

    return leak_check


def _read_back(flow_run_ids):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterId, LogFilter, LogFilterFlowRunId

    async def read():
        async with get_client() as client:
            logs = await client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=flow_run_ids)))
            tasks = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=flow_run_ids)))
            flows = [await client.read_flow_run(i) for i in flow_run_ids]
            artifacts = await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["doudi-2026q3"])))
            return logs, tasks, flows, artifacts

    return asyncio.run(read())


def test_quarterly_flow_under_prefect_leaves_no_id(prefect_harness, tmp_path, caplog, capfd):
    from prefect.logging.handlers import APILogHandler

    from flows.quarterly import quarterly

    caplog.set_level(logging.DEBUG)
    db = tmp_path / "flow.duckdb"
    state = quarterly(str(BUNDLED / "2026Q3"), "2026Q3", None, str(db), str(tmp_path / "reports"), return_state=True)
    assert state.is_completed()
    result = state.result()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status FROM runs").fetchall() == [("succeeded",)]
        assert con.execute("SELECT count(*) FROM source_records").fetchall()[0][0] == result.counts["source_records"]
        names = {n for (n,) in con.execute("SELECT DISTINCT name FROM persons WHERE length(name) >= 3").fetchall()}
    leak = _leaky()(return_state=True)
    assert leak.is_failed()
    APILogHandler().flush()

    logs, tasks, flows, artifacts = _read_back([state.state_details.flow_run_id, leak.state_details.flow_run_id])
    # the stages ran as tasks
    names_of_tasks = {t.name.rsplit("-", 1)[0] for t in tasks}
    for stage in ("读取文件", "规范化与校验", "人员识别", "筛查规则", "写入数据库", "生成乡镇清单"):
        assert stage in names_of_tasks, names_of_tasks

    # the artifact: counts and rates, no personal data
    (artifact,) = artifacts
    md = artifact.data
    for words in ("各表行数", "source_records", "问题线索（按筛子与类别）", "七、应退尽退", "县级重合率", "低保 x 防返贫"):
        assert words in md, words
    assert f"| cases | {result.counts['cases']:,} |" in md
    assert not ids_in(md)
    assert not [n for n in names if n in md]

    # logs as the API keeps them, the failed task's state, the flow runs' states
    api_text = "\n".join(log.message for log in logs)
    assert "533321********1234" in api_text  # the planted log line arrived, masked
    states = "\n".join(str(r.state.message) for r in [*tasks, *flows] if r.state)
    assert "533321********1234" in states  # the failed task's error, masked
    # logs as captured in this process, and everything printed
    out, err = capfd.readouterr()
    local = "\n".join([caplog.text, *(r.getMessage() for r in caplog.records), out, err])
    assert "533321********1234" in local
    for where, text in (("API logs", api_text), ("states", states), ("captured logs", local)):
        assert not ids_in(text), (where, ids_in(text)[:3])
