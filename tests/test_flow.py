"""``doudi run`` is a Prefect flow; a deployment schedules it; nothing personal reaches Prefect.

The flow runs once under Prefect's test harness on the bundled data (the harness is the
session-wide ``prefect_harness`` of ``tests/conftest.py``: the only Prefect server of the test
session).  The deployment is built and inspected without a server.
"""

from __future__ import annotations

import asyncio
import io
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
        "dask_address": None,  # one machine; a province's deployment names its Dask scheduler
        "allow_missing": None,
    }
    # the parameter schema Prefect enforces accepts exactly the flow's parameters
    assert set(d._parameter_openapi_schema.properties) == set(d.parameters)
    assert d.entrypoint == "flows.quarterly.quarterly"  # importable wherever the runner starts

    province = build_deployment(root, dask_address="tcp://scheduler:8786")
    assert province.parameters["dask_address"] == "tcp://scheduler:8786"

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

    from flows.cli import app

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
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey, FlowRunFilter, FlowRunFilterId, LogFilter, LogFilterFlowRunId

    async def read():
        async with get_client() as client:
            logs = await client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=flow_run_ids)))
            tasks = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=flow_run_ids)))
            flows = [await client.read_flow_run(i) for i in flow_run_ids]
            # this test's runs only: other tests of the session may run 2026Q3 on the same server
            artifacts = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["doudi-2026q3"]), flow_run_id=ArtifactFilterFlowRunId(any_=flow_run_ids))
            )
            return logs, tasks, flows, artifacts

    return asyncio.run(read())


def test_quarterly_flow_under_prefect_leaves_no_id(prefect_harness, tmp_path, caplog, capfd, monkeypatch):
    import threading

    from prefect.logging.handlers import APILogHandler

    import pipeline.run
    from flows.quarterly import quarterly
    from pipeline.executor import TOGETHER
    from pipeline.ingest import weight

    # Prefect's thread pool would start every file at once: the flow starts them as room frees up,
    # the small ones beside the heaviest, never heavier together than TOGETHER times the heaviest.
    lock, reading, most = threading.Lock(), [0], [0]
    prepare = pipeline.run.prepare_file

    def measured(item):
        with lock:
            reading[0] += weight(item[0])
            most[0] = max(most[0], reading[0])
        try:
            return prepare(item)
        finally:
            with lock:
                reading[0] -= weight(item[0])

    monkeypatch.setattr(pipeline.run, "prepare_file", measured)
    caplog.set_level(logging.DEBUG)
    db = tmp_path / "flow.duckdb"
    state = quarterly(str(BUNDLED / "2026Q3"), "2026Q3", None, str(db), str(tmp_path / "reports"), return_state=True)
    assert state.is_completed()
    heaviest = max(weight(p) for p in (BUNDLED / "2026Q3").rglob("*") if p.is_file())
    assert heaviest < most[0] <= TOGETHER * heaviest
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
    for stage in ("读取与校验", "合并各表", "人员识别", "筛查规则", "写入数据库", "生成乡镇清单"):
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


# ---------------------------------------------------------------------------------------------
# A province on a Dask cluster: the file reads, the pair scoring of identity and the county
# workbooks fan out on two workers, and the cases, persons and overlap rates are those of the
# single-process run (tests/province_builders.py: three generated counties, persons planted across
# them).


def _table(db: Path, table: str, columns: str = "*") -> list[tuple]:
    """A table's rows, sorted (details are deterministic: every list in them is ordered)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(con.execute(f"SELECT {columns} FROM {table}").fetchall(), key=repr)


def _cases(db: Path) -> list[tuple]:
    return _table(db, "cases", "case_id, rule_code, person_key, detail")


def test_quarterly_flow_on_a_dask_cluster_gives_the_single_process_cases(prefect_harness, tmp_path):
    from distributed import Client, LocalCluster

    from rich.console import Console

    from flows.quarterly import quarterly, show_progress
    from pipeline.ingest import list_files
    from pipeline.progress import RichProgress
    from pipeline.policy import load_policy
    from pipeline.run import run_quarter
    from tests.province_builders import make_province

    folder, planted = make_province(tmp_path)
    files = list_files(folder)
    assert {name.split("/")[0] for _, name in files} == {"A", "B", "C"}

    single = run_quarter(folder, "2026Q3", load_policy(None), tmp_path / "single.duckdb", tmp_path / "single-reports")

    # Two worker processes, reached by address as a real cluster would be; the progress bars of
    # `doudi run` shown (their console must not travel to the workers with the flow).
    show_progress(RichProgress(Console(file=io.StringIO())))
    try:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
            # as a province's deployment runs it: the flow's dask_address parameter
            state = quarterly(
                str(folder), "2026Q3", None, str(tmp_path / "dask.duckdb"), str(tmp_path / "dask-reports"),
                dask_address=cluster.scheduler_address, return_state=True,
            )  # fmt: skip
            # every file was read on a worker, and both workers read some
            executed = client.run(lambda dask_worker: dask_worker.state.executed_count)
    finally:
        show_progress(None)
    assert state.is_completed(), state.message
    assert len(executed) == 2 and all(n > 0 for n in executed.values()), executed
    assert sum(executed.values()) >= len(files)

    result = state.result()
    assert result.counts == single.counts
    assert "人员比对" in result.stage_seconds  # identity's pairs were scored per partition on the workers
    dask_db, single_db = tmp_path / "dask.duckdb", tmp_path / "single.duckdb"
    cases = _cases(dask_db)
    assert cases and cases == _cases(single_db)
    for table in ("persons", "overlap_rates", "match_review"):
        assert _table(dask_db, table) == _table(single_db, table), table

    # the cross-county checks came out: the planted persons are one person across two counties
    with duckdb.connect(str(dask_db), read_only=True) as con:
        counties = dict(
            con.execute(
                "SELECT p.id_number, count(DISTINCT split_part(s.file_name, '/', 1)) FROM source_records s "
                "JOIN persons p USING (person_key) GROUP BY 1"
            ).fetchall()
        )
    assert all(counties[planted[k]] == 2 for k in ("IN_TWO", "PAID_ELSEWHERE", "SLIPPED")), planted
    assert {("S7-4", planted["IN_TWO"]), ("S7-4", planted["SLIPPED"])} <= {(rule, person) for _, rule, person, _ in cases}

    # every county's workbooks, and the province summary, as the single-process run wrote them
    def written(root: Path) -> list[str]:
        return sorted(str(p.relative_to(root)) for p in root.rglob("*.xlsx"))

    assert written(tmp_path / "dask-reports") == written(tmp_path / "single-reports")
    assert {"青岚县", "白岩县", "石门县"} <= {p.split("/")[1] for p in written(tmp_path / "dask-reports") if p.count("/") == 2}


class _Frames:
    """Stands for a stage's large result."""


def test_prefect_keeps_no_stage_result_the_run_has_let_go(prefect_harness):
    # Prefect holds a task's return value for the whole flow run: the run's memory would then be
    # every stage's results at once.  The executor hands the value over and keeps nothing.
    import gc
    import weakref

    from prefect import flow

    from flows.quarterly import PrefectExecutor

    @flow(persist_result=False)
    def stage_then_let_go() -> tuple[bool, bool]:
        executor = PrefectExecutor()
        called = executor.call("合并各表", _Frames)
        (mapped,) = executor.map("读取与校验", lambda item: _Frames(), [("x", "x.csv")], weights=[1])
        refs = [weakref.ref(called), weakref.ref(mapped)]
        del called, mapped
        gc.collect()
        return tuple(ref() is None for ref in refs)

    assert stage_then_let_go() == (True, True)
