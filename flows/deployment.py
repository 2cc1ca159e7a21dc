"""The quarterly deployment: the ``quarterly`` flow on a cron schedule, served by ``doudi deploy``.

By default it runs at 02:00 on the 15th of the third month of each quarter (Asia/Shanghai), when
the quarter's exports are in: ``input_dir`` is the root of the quarterly folders
(``<root>/2026Q3/…``) and the quarter is left out, so each run takes the current quarter
(``flows.quarterly.resolve_input``).  ``build_deployment`` only builds the object (no server is
contacted); ``serve`` registers it with the Prefect API at ``PREFECT_API_URL`` and runs its
scheduled runs in this process until stopped.
"""

from __future__ import annotations

from pathlib import Path

from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron

from flows.quarterly import TIMEZONE, quarterly

DEPLOYMENT_NAME = "doudi-quarterly"
# minute hour day-of-month month day-of-week: 02:00 on 15 March, June, September, December.
DEFAULT_CRON = "0 2 15 3,6,9,12 *"


def _absolute(path: str | Path | None) -> str | None:
    return None if path is None else str(Path(path).expanduser().resolve())


def build_deployment(
    input_root: str | Path,
    db: str | Path = "doudi.duckdb",
    reports: str | Path | None = "reports",
    policy: str | Path | None = None,
    quarter: str | None = None,
    cron: str = DEFAULT_CRON,
    timezone: str = TIMEZONE,
    name: str = DEPLOYMENT_NAME,
    dask_address: str | None = None,
) -> RunnerDeployment:
    """The deployment object; paths become absolute (a served run does not share our cwd).
    ``dask_address``: each run fans its files out on that Dask scheduler (a province)."""
    parameters = {
        "input_dir": _absolute(input_root),
        "quarter": quarter,
        "policy": _absolute(policy),
        "db": _absolute(db),
        "reports": _absolute(reports),
        "dask_address": dask_address,
        "allow_missing": None,  # a county that never exports a table says so in the policy (tables_not_exported)
    }
    return quarterly.to_deployment(
        name=name,
        schedules=[Cron(cron, timezone=timezone)],
        parameters=parameters,
        description="县民政局兜底保障季度比对：读取本季度导出文件，写入 DuckDB 与乡镇“九过筛子”清单",
        tags=["doudi", "quarterly"],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def serve(deployment: RunnerDeployment) -> None:  # pragma: no cover - blocks until stopped
    from prefect import serve as prefect_serve

    prefect_serve(deployment)
