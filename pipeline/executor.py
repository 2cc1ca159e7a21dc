"""How a run's stages are executed.  ``run_quarter`` names each stage and hands it to an executor:

- ``LocalExecutor`` (here): in this process, one stage after another (a weighed map's items a
  wave at a time on threads), timed by a ``Progress``;
- ``flows.quarterly.PrefectExecutor``: each stage a Prefect task (and each input file its own task,
  on Dask for a province).

An executor has two methods: ``call(stage, fn, *args)`` runs one stage, ``map(stage, fn, items)``
runs ``fn`` on each item (the per-file stage) and returns the results in order; and ``partitions``:
how many parts a stage that can be cut (identity's pair scoring, the county reports) is cut into
for ``map`` (1 here: a county run in one process is not cut).  The stages, their
order and the database writes live only in ``pipeline.run.run_quarter``.

``map(..., weights=...)``: what each item costs in memory while it runs (a file: its size,
``pipeline.ingest.weight``).  On one machine the items then run a few at a time (``waves``), never
more of them at once than there are cores nor heavier together than the heaviest alone: the
run's memory is that of its largest file, whatever the number of files, and the small files share
the cores.  A cluster's workers each hold one item anyway: there the weights are not needed.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from pipeline.progress import Progress


def waves(weights: list[float], slots: int) -> list[list[int]]:
    """The items (by index) grouped to run together, heaviest first: each group holds at most
    ``slots`` items, and no more weight than the heaviest item (which therefore runs alone unless
    items of no weight join it).  Every item is in exactly one group."""
    budget = max(weights, default=0)
    left = sorted(range(len(weights)), key=lambda i: (-weights[i], i))
    out: list[list[int]] = []
    while left:
        group, load, rest = [], 0.0, []
        for i in left:  # the heaviest that still fits, first
            if len(group) < slots and (not group or load + weights[i] <= budget):
                group.append(i)
                load += weights[i]
            else:
                rest.append(i)
        out.append(group)
        left = rest
    return out


def label(item) -> str:
    """What a progress display names an item by: a file's name (its tuple's second place)."""
    return item[1] if isinstance(item, tuple) else str(item)


class LocalExecutor:
    """Runs stages in this process, one after another, telling ``progress`` what it does; a map
    with weights runs its items in ``waves`` on up to ``slots`` threads (default: one per core)."""

    partitions = 1

    def __init__(self, progress: Progress | None = None, slots: int | None = None) -> None:
        self.progress = progress or Progress()
        self.slots = slots or os.cpu_count() or 1

    def call(self, stage: str, fn, *args):
        with self.progress.stage(stage):
            return fn(*args)

    def map(self, stage: str, fn, items: list, weights: list[float] | None = None):
        with self.progress.stage(stage, total=len(items)) as advance:
            if weights is None or self.slots == 1:
                out = []
                for item in items:
                    out.append(fn(item))
                    advance(label(item))
                return out
            results: list = [None] * len(items)
            with ThreadPoolExecutor(max_workers=self.slots) as pool:
                for group in waves(weights, self.slots):
                    for i, result in zip(group, pool.map(fn, [items[i] for i in group])):
                        results[i] = result
                        advance(label(items[i]))
            return results
