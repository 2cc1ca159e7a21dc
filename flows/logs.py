"""Where log lines go during ``doudi run``: a log file beside the database, not the console.

The console of ``doudi run`` is for the analyst (one progress display, then the summary).
Prefect's own lines (its temporary server, ``Task run '读取与校验-1d0' - Finished in state
Completed()`` ...), warnings, and the traceback of a failed run go to ``<db>.log``
(``doudi.duckdb`` -> ``doudi.duckdb.log``), appended run after run; Prefect's API keeps its run
logs too.  Every line is masked by ``pipeline.privacy`` (ID numbers keep 6 + 4 characters).

``quiet_prefect_console`` must run before Prefect is imported: Prefect reads its logging settings
then, and the processes it starts (the temporary server, Dask workers) inherit them.
``prefect_logs_to_file`` then moves the console handlers Prefect installed in this process to
the file, and puts them back afterwards.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from pipeline import privacy

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s%(run)s: %(message)s"
# Prefect's console handlers (``console`` and ``debug`` of its logging.yml) stay for CRITICAL only
# in the processes Prefect starts; in this process they are taken off.
_QUIET = {"PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "CRITICAL", "PREFECT_LOGGING_HANDLERS_DEBUG_LEVEL": "CRITICAL"}
# Our own lines (the run's start and end, a failed run's traceback) come from this logger.
log = logging.getLogger("doudi.run")


def log_path(db: Path) -> Path:
    """The log file of a database: ``<db>.log`` in the database's folder."""
    db = Path(db)
    return db.with_name(db.name + ".log")


def quiet_prefect_console() -> None:
    for key, value in _QUIET.items():
        os.environ.setdefault(key, value)


class RunFormatter(logging.Formatter):
    """Names the Prefect task or flow run a record comes from: ``prefect.task_runs '读取与校验-1d0': …``."""

    def format(self, record: logging.LogRecord) -> str:
        run = getattr(record, "task_run_name", None) or getattr(record, "flow_run_name", None)
        record.run = f" '{run}'" if run else ""
        return super().format(record)


class LogFile(logging.FileHandler):
    """UTF-8, appended, created (with its folder) at the first line written, IDs masked."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, mode="a", encoding="utf-8", delay=True)
        self.setFormatter(RunFormatter(LOG_FORMAT))
        self.addFilter(privacy.MaskIDs(""))

    def _open(self):
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


def _is_prefect_console(handler: logging.Handler) -> bool:
    from prefect.logging.handlers import PrefectConsoleHandler

    return isinstance(handler, PrefectConsoleHandler) or type(handler).__name__ == "_SafeStreamHandler"


@contextmanager
def prefect_logs_to_file(path: Path) -> Iterator[LogFile]:
    """Within the block, what Prefect would print goes to ``path`` (see the module doc)."""
    handler = LogFile(path)
    moved: list[tuple[logging.Logger, logging.Handler]] = []
    targets = [logging.getLogger()]
    for name in list(logging.root.manager.loggerDict):
        logger = logging.root.manager.loggerDict[name]
        if isinstance(logger, logging.Logger) and any(_is_prefect_console(h) for h in logger.handlers):
            targets.append(logger)
    for logger in targets:
        for h in [h for h in logger.handlers if _is_prefect_console(h)]:
            logger.removeHandler(h)
            moved.append((logger, h))
        logger.addHandler(handler)
    ours, level = logging.getLogger(privacy.DOUDI_LOGGER), logging.getLogger(privacy.DOUDI_LOGGER).level
    ours.setLevel(logging.INFO)
    logging.captureWarnings(True)
    log.info("==== doudi run %s ====", datetime.now().isoformat(timespec="seconds"))
    try:
        yield handler
    finally:
        logging.captureWarnings(False)
        ours.setLevel(level)
        for logger in targets:
            logger.removeHandler(handler)
        for logger, h in moved:
            logger.addHandler(h)
        handler.close()
