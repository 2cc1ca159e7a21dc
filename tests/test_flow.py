"""``doudi run`` is a Prefect flow: run it once under Prefect's test harness on the bundled data.

Prefect's temporary server costs ~15 s to start, so this is the only test that starts one.
"""

from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def prefect_harness(tmp_path_factory):
    import os

    os.environ.setdefault("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect_home")))
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_quarterly_flow_runs_stages_as_tasks(prefect_harness, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.quarterly import quarterly

    db = tmp_path / "flow.duckdb"
    state = quarterly(
        str(ROOT / "sample_data" / "county" / "2026Q3"), "2026Q3", None, str(db), str(tmp_path / "reports"), return_state=True
    )
    assert state.is_completed()
    result = state.result()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status FROM runs").fetchall() == [("succeeded",)]
        assert con.execute("SELECT count(*) FROM source_records").fetchall()[0][0] == result.counts["source_records"]

    import asyncio

    async def task_names():
        async with get_client() as client:
            runs = await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
            )
            return {r.name.rsplit("-", 1)[0] for r in runs}

    names = asyncio.run(task_names())
    for stage in ("读取文件", "规范化与校验", "人员识别", "写入数据库"):
        assert stage in names, names
