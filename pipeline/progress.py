"""Progress of a run's stages: timed always, shown on the console when one is given.

- ``Progress``: times each stage (``seconds``), shows nothing (tests, benchmarks, a deployment);
- ``RichProgress``: one live display for the whole run on a terminal, a line per stage (a
  spinner while it runs, then 完成 and its seconds, or 出错; the file stage counts its files);
- ``PlainProgress``: one plain line per finished stage, for a console that is not a terminal
  (piped into a log file, a scheduler's output): no spinner or control characters.

``console_progress(console)`` picks the one that fits; call ``close()`` when the run ends.
"""

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

    def close(self) -> None:
        """The run is over: stop showing progress."""


class PlainProgress(Progress):
    """One line per finished stage: ``  读取与校验  14/14  1.2 秒``."""

    def __init__(self, console) -> None:
        super().__init__()
        self.console = console

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Callable[[str], None]]:
        done, ok, started = 0, False, time.perf_counter()

        def advance(item: str = "") -> None:
            nonlocal done
            done += 1

        try:
            yield advance
            ok = True
        finally:
            self.seconds[name] = round(time.perf_counter() - started, 3)
            count = f"  {done}/{total}" if total is not None else ""
            line = f"  {name}{count}  {self.seconds[name]:.1f} 秒{'' if ok else '  出错'}"
            self.console.print(line, markup=False, highlight=False)


class RichProgress(Progress):
    """One rich progress display for the whole run (a line per stage), on a terminal."""

    def __init__(self, console=None) -> None:
        super().__init__()
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self._bar = None

    def _display(self):
        if self._bar is None:
            from rich.progress import BarColumn, Progress as Bar, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._bar = Bar(
                SpinnerColumn(finished_text=" "),
                TextColumn("[bold]{task.description}"),
                BarColumn(bar_width=24),
                TextColumn("{task.fields[count]}"),
                TimeElapsedColumn(),
                TextColumn("{task.fields[item]}", markup=False),
                console=self.console,
                transient=False,
            )
            self._bar.start()
        return self._bar

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Callable[[str], None]]:
        bar = self._display()
        steps = total if total is not None else 1
        task = bar.add_task(name, total=steps, item="", count=f"0/{total}" if total is not None else "")
        done = 0

        def advance(item: str = "") -> None:
            nonlocal done
            done += 1
            bar.update(task, advance=1, item=item, count=f"{done}/{total}" if total is not None else "")

        ok, started = False, time.perf_counter()
        try:
            yield advance
            ok = True
        finally:
            self.seconds[name] = round(time.perf_counter() - started, 3)
            bar.update(task, completed=steps, item=f"完成 {self.seconds[name]:.1f} 秒" if ok else "出错")
            bar.stop_task(task)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def console_progress(console) -> Progress:
    """A live display on a terminal, plain lines otherwise."""
    return RichProgress(console) if console.is_terminal else PlainProgress(console)
