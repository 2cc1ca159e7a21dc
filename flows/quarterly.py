"""The quarterly Prefect flow: the stages of ``pipeline.run.run_quarter`` as Prefect tasks.

Thin on purpose: the stages, their order and the database writes live in ``pipeline/``; this
module only tells Prefect about them (one task per stage, one task per input file, retries on
file reads) and leaves a summary artifact.  No personal data passes through Prefect:

- results are not persisted (flow and tasks: ``persist_result=False``) and nothing is cached by
  input (``NO_CACHE``); parameters are paths and a quarter;
- every log line is masked (``pipeline.privacy``: ID numbers keep their first 6 and last 4
  characters) on Prefect's loggers, their handlers and ours, and so are the exception messages
  Prefect keeps in a failed task's or flow's state;
- the run's artifact (``doudi-2026q3``) holds counts and rates only (``flows/summary.py``).

``quarter`` may be left out (a scheduled run): it is then the quarter of ``input_dir``'s name
(``…/2026Q3``), else the current quarter in Asia/Shanghai; when ``input_dir`` holds a folder named
after the quarter, that folder is read (a deployment points at the root of the quarterly exports).

A province on a Dask cluster (``quarterly_on_dask``, ``doudi run --dask``): the same flow with
Prefect's ``DaskTaskRunner`` (the ``dask`` extra); the executor then cuts the stages that can be cut
(``cluster_partitions``: ``PARTITIONS_PER_WORKER`` per worker) and maps the parts on the workers:

- ``读取与校验``: the input folder holds one sub-folder per county, every file one task;
- ``人员比对``: identity's candidate pairs found and scored per hash partition of the blocking keys
  (``pipeline.link.partitioned``; more partitions than the executor's when the records need them,
  about a county each): a person in two counties, a payment in one county to another county's
  roster, an ID slipped across counties meet in the partition of the key they share;
- ``生成各县清单``: each county's workbooks a task reading that county's rows, returning its line of
  the province summary (``pipeline.report.by_county``).

The flow's process keeps what needs the whole quarter at once: combining the
files' tables; anchors, profiles and persons, a cut at a time (``pipeline.link.cuts``: a cut's
records and the quarter's narrow counts in memory); clustering; the rules (重复享受 across counties
reads every county's rosters), the database write (one transaction for the quarter), the province
summary from the counties' lines (docs/decisions.md says why).  The result is that of a single-process run.  The workers read
the files, the database and write the reports themselves: on a real cluster ``input_dir``, the
database and the reports folder must be the same path on every worker (a shared mount).  Frames
travel between the workers and the flow's process over Dask's connections: on a real cluster use
``tls://`` (personal data).
"""

from __future__ import annotations

import functools
import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import as_completed

from flows.preflight import quarter_folder
from pipeline import privacy
from pipeline.executor import admitted, label
from pipeline.policy import load_policy
from pipeline.progress import Progress
from pipeline.quarter import Quarter
from pipeline.run import RunResult, run_quarter

FILE_READ_RETRIES = 2
# The Dask scheduler a `doudi run --dask` without an address uses when set (tcp://host:8786).
DASK_ADDRESS_ENV = "DOUDI_DASK_ADDRESS"
LOCAL_DASK_WORKERS = 2
# Identity's pair scoring on a Dask cluster: partitions per worker (smaller parts, a worker that
# finishes early takes the next one).
PARTITIONS_PER_WORKER = 4
TIMEZONE = "Asia/Shanghai"
# Loggers Prefect writes to (flow and task run loggers send to its API), masked on install.
PREFECT_LOGGERS = (
    "prefect",
    "prefect.flow_runs",
    "prefect.task_runs",
    "prefect.extra",
    "prefect._internal",
    "prefect.server",
    "prefect.client",
    "uvicorn",
    "fastapi",
)

# How stages show progress in this process (the CLI sets a rich one). Not a flow parameter:
# parameters are stored by Prefect and must stay plain paths.
_progress: Progress | None = None


def show_progress(progress: Progress | None) -> None:
    global _progress
    _progress = progress


def current_progress() -> Progress | None:
    """The progress ``show_progress`` set.  The flow asks for it rather than naming the global:
    on a Dask task runner the flow's function is pickled with the globals it names, and a rich
    progress (a console, its locks) does not pickle."""
    return _progress


def mask_logs() -> None:
    """Install the ID mask on Prefect's loggers and handlers (idempotent; Prefect may set up
    logging again, so the flow calls it at each start)."""
    privacy.install(PREFECT_LOGGERS)


mask_logs()


class Handed:
    """A task's return value, taken out by the flow (``take``) and then no longer held here.

    Prefect keeps what a task returns for as long as the flow runs (its task-run engine holds the
    result): a stage's frames would outlive the stage that let them go (``run_quarter`` drops each
    stage's inputs once the next has its own).  The task returns this box instead; the flow empties it."""

    def __init__(self, value) -> None:
        self.value = value

    def take(self):
        value, self.value = self.value, None
        return value


def _masking(fn):
    """``fn`` whose exceptions carry masked messages (Prefect keeps them in the task's state), and
    whose process masks its log lines: on a Dask worker the task runs in another process, whose
    Prefect loggers get the mask here, before the task logs anything.  It returns its value in a
    ``Handed`` box."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        mask_logs()  # idempotent; the worker's own loggers and handlers
        try:
            return Handed(fn(*args, **kwargs))
        except BaseException as e:
            raise privacy.mask_exception(e)

    return wrapper


class PrefectExecutor:
    """Runs each stage as a Prefect task of the current flow run; ``partitions``: see
    ``pipeline.executor`` (``cluster_partitions``: more than 1 on a Dask cluster)."""

    def __init__(self, progress: Progress | None = None, partitions: int = 1) -> None:
        self.progress = progress or Progress()
        self.partitions = partitions

    def call(self, stage: str, fn, *args):
        t = task(_masking(fn), name=stage, cache_policy=NO_CACHE, persist_result=False)
        with self.progress.stage(stage):
            return t(*args).take()

    def map(self, stage: str, fn, items: list, weights: list[float] | None = None):
        """Every item a task: on a cluster all mapped at once (each worker holds one); on one
        machine, with ``weights``, started as room frees up (``pipeline.executor.admitted``:
        Prefect's thread pool alone would start every file at once, and hold them all)."""
        t = task(
            _masking(fn),
            name=stage,
            retries=FILE_READ_RETRIES,
            retry_delay_seconds=1,
            cache_policy=NO_CACHE,
            persist_result=False,
        )
        results: list = [None] * len(items)
        with self.progress.stage(stage, total=len(items)) as advance:
            if weights is None or self.partitions > 1:
                done = enumerate(t.map(items))
            else:
                done = admitted(weights, os.cpu_count() or 1, lambda i: t.submit(items[i]), lambda fs: [next(as_completed(fs))])
            for i, future in done:
                results[i] = future.result().take()
                advance(label(items[i]))
            return results


def cluster_partitions(task_runner) -> int:
    """How many parts a stage that can be cut is cut into on ``task_runner``: ``PARTITIONS_PER_WORKER``
    per worker of a Dask cluster (``DaskTaskRunner``: it has a ``client``), else 1 (one machine)."""
    client = getattr(task_runner, "client", None)
    if client is None:
        return 1
    return PARTITIONS_PER_WORKER * max(1, len(client.scheduler_info()["workers"]))


def current_quarter(today: date | None = None) -> str:
    """The quarter of ``today`` (default: now in Asia/Shanghai)."""
    today = today or datetime.now(ZoneInfo(TIMEZONE)).date()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def resolve_input(input_dir: str | Path, quarter: str | None, today: date | None = None) -> tuple[Path, str]:
    """(folder to read, quarter) for a run: see the module doc."""
    root = Path(input_dir)
    if quarter is None:
        try:
            quarter = str(Quarter.parse(root.name))
        except ValueError:
            quarter = current_quarter(today)
    quarter = str(Quarter.parse(quarter))
    folder = quarter_folder(root, quarter)
    if not folder.is_dir():
        raise FileNotFoundError(f"{quarter} 的输入目录 {folder} 不存在")
    return folder, quarter


def artifact_key(quarter: str) -> str:
    """``2026Q3`` -> ``doudi-2026q3`` (keys: lower-case letters, digits and dashes)."""
    return f"doudi-{quarter.lower()}"


@flow(name="doudi-quarterly", persist_result=False, validate_parameters=True)
def quarterly(
    input_dir: str,
    quarter: str | None = None,
    policy: str | None = None,
    db: str = "doudi.duckdb",
    reports: str | None = "reports",
    dask_address: str | None = None,
    allow_missing: list[str] | None = None,
) -> RunResult:
    """Reconcile one quarter's exports into the DuckDB file and write the township reports.

    ``allow_missing``: input tables (``linshi`` ...) the county does not export this quarter; the
    run goes on without them (``doudi run --allow-missing``; the policy's ``tables_not_exported``
    says the same for every quarter).

    ``dask_address`` (``tcp://scheduler:8786``): run as a subflow on that Dask cluster
    (``quarterly_on_dask``): how a province's scheduled deployment fans out.
    """
    from flows.summary import summary_markdown

    if dask_address:
        return quarterly_on_dask(dask_address)(input_dir, quarter, policy, db, reports, allow_missing=allow_missing)

    mask_logs()
    try:
        folder, quarter = resolve_input(input_dir, quarter)
        result = run_quarter(
            folder,
            quarter,
            load_policy(policy),
            Path(db),
            Path(reports) if reports else None,
            executor=PrefectExecutor(current_progress(), cluster_partitions(FlowRunContext.get().task_runner)),
            allow_missing=list(allow_missing or ()),
        )
        create_markdown_artifact(
            markdown=privacy.mask_ids(summary_markdown(Path(db), result)),
            key=artifact_key(result.quarter),
            description=f"doudi {result.quarter} 比对结果（仅计数与比率，无个人信息）",
        )
    except BaseException as e:
        raise privacy.mask_exception(e)
    return result


def dask_task_runner(address: str | None = None, n_workers: int = LOCAL_DASK_WORKERS, processes: bool = True):
    """Prefect's Dask task runner: the scheduler at ``address`` (``tcp://scheduler:8786``), else
    ``$DOUDI_DASK_ADDRESS``, else a local cluster of ``n_workers`` single-threaded workers (worker
    processes unless ``processes=False``) started for the run and closed after it."""
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as e:  # pragma: no cover - the extra is missing
        raise RuntimeError('在 Dask 集群上运行需要 dask 扩展：pip install "doudi[dask]"') from e

    address = address or os.environ.get(DASK_ADDRESS_ENV) or None
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_kwargs={"n_workers": n_workers, "threads_per_worker": 1, "processes": processes, "dashboard_address": None}
    )


def quarterly_on_dask(address: str | None = None, n_workers: int = LOCAL_DASK_WORKERS, processes: bool = True):
    """The ``quarterly`` flow with its file reads fanned out on Dask (see the module doc); called
    like ``quarterly``."""
    return quarterly.with_options(task_runner=dask_task_runner(address, n_workers, processes))
