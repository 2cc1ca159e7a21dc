"""How a run's stages are executed.  ``run_quarter`` names each stage and hands it to an executor:

- ``LocalExecutor`` (here): in this process, one after another, timed by a ``Progress``;
- ``flows.quarterly.PrefectExecutor``: each stage a Prefect task (and each input file its own task,
  on Dask for a province).

An executor has two methods: ``call(stage, fn, *args)`` runs one stage, ``map(stage, fn, items)``
runs ``fn`` on each item (the per-file stage) and returns the results in order; and ``partitions``:
how many parts a stage that can be cut (identity's pair scoring, the county reports) is cut into
for ``map`` (1 here: a county run in one process is not cut).  The stages, their
order and the database writes live only in ``pipeline.run.run_quarter``.
"""

from __future__ import annotations

from pipeline.progress import Progress


class LocalExecutor:
    """Runs stages in this process, one after another, telling ``progress`` what it does."""

    partitions = 1

    def __init__(self, progress: Progress | None = None) -> None:
        self.progress = progress or Progress()

    def call(self, stage: str, fn, *args):
        with self.progress.stage(stage):
            return fn(*args)

    def map(self, stage: str, fn, items: list):
        with self.progress.stage(stage, total=len(items)) as advance:
            out = []
            for item in items:
                out.append(fn(item))
                advance(item[1] if isinstance(item, tuple) else str(item))
            return out
