"""How a run's stages are executed.  ``run_quarter`` names each stage and hands it to an executor:

- ``LocalExecutor`` (here): in this process, one stage after another (a weighed map's items a
  few at a time on threads, ``admitted``), timed by a ``Progress``;
- ``flows.quarterly.PrefectExecutor``: each stage a Prefect task (and each input file its own task,
  on Dask for a province).

An executor has two methods: ``call(stage, fn, *args)`` runs one stage, ``map(stage, fn, items)``
runs ``fn`` on each item (the per-file stage) and returns the results in order; and ``partitions``:
how many parts a stage that can be cut (identity's pair scoring, the county reports) is cut into
for ``map`` (1 here: a county run in one process is not cut).  The stages, their
order and the database writes live only in ``pipeline.run.run_quarter``.

``map(..., weights=...)``: what each item costs in memory while it runs (a file: its size,
``pipeline.ingest.weight``).  On one machine the items then start heaviest first as room frees up
(``Admission``): never more of them at once than there are cores, nor heavier together than
``TOGETHER`` times the heaviest alone - the run's memory is about that of its largest file,
whatever the number of files, and the small files are read beside it on the core it leaves idle.
A cluster's workers each hold one item anyway: there the weights are not needed.
"""

from __future__ import annotations

import os
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from pipeline.progress import Progress


# How much heavier than the heaviest item the items running at once may be together.  Reading one
# file keeps about 1.3 of two cores busy (1,000,000 households: the 227 MB 防返贫监测 file 12.9 s
# wall, 16.4 s CPU): beside the heaviest, the files of up to a quarter of its weight are read on
# the idle core, one after another, instead of waiting for it.
TOGETHER = 1.25


class Admission:
    """Which items start next: the heaviest waiting first, then the heaviest that still fit - at
    most ``slots`` running, weighing together no more than ``TOGETHER`` times the heaviest item (an
    item starts alone when nothing runs, whatever it weighs).  ``start()`` admits what fits now,
    ``done(i)`` frees an item's room; true while an item waits or runs."""

    def __init__(self, weights: list[float], slots: int) -> None:
        self.weights, self.slots = weights, slots
        self.budget = TOGETHER * max(weights, default=0)
        self.waiting = sorted(range(len(weights)), key=lambda i: (-weights[i], i))
        self.running: set[int] = set()

    def start(self) -> list[int]:
        started, load = [], sum(self.weights[i] for i in self.running)
        for i in list(self.waiting):
            if len(self.running) >= self.slots:
                break
            if not self.running or load + self.weights[i] <= self.budget:
                self.waiting.remove(i)
                self.running.add(i)
                started.append(i)
                load += self.weights[i]
        return started

    def done(self, i: int) -> None:
        self.running.discard(i)

    def __bool__(self) -> bool:
        return bool(self.waiting or self.running)


def admitted(weights: list[float], slots: int, submit, finished):
    """Run items as ``Admission`` lets them: ``submit(i)`` starts item ``i`` and returns its future,
    ``finished(futures)`` waits until at least one of them is done and returns those done.
    Yields (index, done future) as items finish - on threads here, as Prefect tasks in a flow."""
    admission, running = Admission(weights, slots), {}
    while admission:
        for i in admission.start():
            running[submit(i)] = i
        for future in finished(list(running)):
            i = running.pop(future)
            admission.done(i)
            yield i, future


def _first_done(futures: list) -> set:
    return wait(futures, return_when=FIRST_COMPLETED).done


def label(item) -> str:
    """What a progress display names an item by: a file's name (its tuple's second place)."""
    return item[1] if isinstance(item, tuple) else str(item)


class LocalExecutor:
    """Runs stages in this process, one after another, telling ``progress`` what it does; a map
    with weights runs its items as ``Admission`` lets them on up to ``slots`` threads (default: one per core)."""

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
                for i, future in admitted(weights, self.slots, lambda i: pool.submit(fn, items[i]), _first_done):
                    results[i] = future.result()
                    advance(label(items[i]))
            return results
