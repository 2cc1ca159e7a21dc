"""The quarterly Prefect flow: the stages of ``pipeline.run.run_quarter`` as Prefect tasks.

Thin on purpose: the stages, their order and the database writes live in ``pipeline/``; this
module only tells Prefect about them (one task per stage, one task per input file, retries on
file reads).  No personal data passes through Prefect's storage: results are not persisted,
parameters are paths, and nothing is cached by input.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from pipeline.policy import load_policy
from pipeline.progress import Progress
from pipeline.run import RunResult, run_quarter

FILE_READ_RETRIES = 2

# How stages show progress in this process (the CLI sets a rich one). Not a flow parameter:
# parameters are stored by Prefect and must stay plain paths.
_progress: Progress | None = None


def show_progress(progress: Progress | None) -> None:
    global _progress
    _progress = progress


class PrefectExecutor:
    """Runs each stage as a Prefect task of the current flow run."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.progress = progress or Progress()

    def call(self, stage: str, fn, *args):
        t = task(fn, name=stage, cache_policy=NO_CACHE, persist_result=False)
        with self.progress.stage(stage):
            return t(*args)

    def map(self, stage: str, fn, items: list):
        t = task(
            fn,
            name=stage,
            retries=FILE_READ_RETRIES,
            retry_delay_seconds=1,
            cache_policy=NO_CACHE,
            persist_result=False,
        )
        with self.progress.stage(stage, total=len(items)) as advance:
            futures = t.map(items)
            out = []
            for item, future in zip(items, futures):
                out.append(future.result())
                advance(item[1] if isinstance(item, tuple) else "")
            return out


@flow(name="doudi-quarterly", persist_result=False, validate_parameters=True)
def quarterly(
    input_dir: str,
    quarter: str,
    policy: str | None = None,
    db: str = "doudi.duckdb",
    reports: str | None = "reports",
) -> RunResult:
    """Reconcile one quarter's exports into the DuckDB file and write the township reports."""
    return run_quarter(
        Path(input_dir),
        quarter,
        load_policy(policy),
        Path(db),
        Path(reports) if reports else None,
        executor=PrefectExecutor(_progress),
    )
