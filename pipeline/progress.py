"""Progress of a run's stages: timed always, shown on the terminal when a console is given."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Progress:
    """Times each stage (``seconds``); subclasses show it.  The default shows nothing."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Callable[[str], None]]:
        started = time.perf_counter()
        try:
            yield lambda item="": None
        finally:
            self.seconds[name] = round(time.perf_counter() - started, 3)


class RichProgress(Progress):
    """A rich progress bar per stage, for ``doudi run`` on a terminal."""

    def __init__(self, console=None) -> None:
        super().__init__()
        from rich.console import Console

        self.console = console or Console(stderr=True)

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Callable[[str], None]]:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, SpinnerColumn, TextColumn, TimeElapsedColumn

        columns = [SpinnerColumn(), TextColumn("[bold]{task.description}")]
        if total is not None:
            columns += [BarColumn(), MofNCompleteColumn()]
        columns += [TimeElapsedColumn(), TextColumn("{task.fields[item]}")]
        started = time.perf_counter()
        with Bar(*columns, console=self.console, transient=False) as bar:
            task = bar.add_task(name, total=total, item="")

            def advance(item: str = "") -> None:
                bar.update(task, advance=1, item=item)

            try:
                yield advance
            finally:
                self.seconds[name] = round(time.perf_counter() - started, 3)
                bar.update(task, item=f"{self.seconds[name]:.1f}s")
