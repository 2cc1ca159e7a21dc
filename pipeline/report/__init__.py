"""Township "九过筛子" workbooks and the county summary, written from the DuckDB file.

``write_reports(db_path, quarter, reports_dir, policy)`` reads the quarter (read-only) and writes
``reports_dir/<quarter>/``:
- ``<quarter>_<乡镇>_九过筛子清单.xlsx`` per township (``workbook.py``);
- ``<quarter>_县汇总.xlsx`` (``summary.py``) and ``<quarter>_县汇总.html`` (``html.py``, inline SVG).
Call it after the run's write connection is closed (DuckDB refuses a read-only connection to a file
this process holds open for writing).
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, field
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from pipeline.policy import Policy
from pipeline.report.load import ReportData, load
from pipeline.report.towns import county_name, file_part, townships

__all__ = ["write_reports", "township_path", "summary_paths"]


TOWNSHIP_SUFFIX = "_九过筛子清单.xlsx"


def township_path(reports_dir: Path | str, quarter: str, township: str) -> Path:
    return Path(reports_dir) / quarter / f"{quarter}_{file_part(township)}{TOWNSHIP_SUFFIX}"


def summary_paths(reports_dir: Path | str, quarter: str) -> tuple[Path, Path]:
    base = Path(reports_dir) / quarter / f"{quarter}_县汇总"
    return base.with_suffix(".xlsx"), base.with_suffix(".html")


# A county this large (persons) writes its township workbooks in parallel processes; below it,
# starting the processes costs more than it saves.
PARALLEL_MIN_PERSONS = 100_000


def _write_township(job: tuple) -> Path:
    from pipeline.report.workbook import write_township

    return write_township(*job)


@dataclass
class ReportsWritten:
    written: list[Path]
    locked: list[Path] = field(default_factory=list)


def write_reports(
    db_path: Path | str, quarter: str, reports_dir: Path | str, policy: Policy, workers: int | None = None
) -> ReportsWritten:
    """Write every township workbook and the county summary; return the files written.

    ``workers``: processes for the township workbooks (default: one per core for a county of
    ``PARALLEL_MIN_PERSONS`` or more, else 1)."""
    from pipeline.report.html import write_html
    from pipeline.report.summary import write_summary
    from pipeline.report.workbook import write_township

    data: ReportData = load(db_path, quarter)
    quarter = data.quarter
    county = county_name(data)
    towns = townships(data)
    jobs = [(t, county, policy, township_path(reports_dir, quarter, t)) for t in towns]
    n = workers if workers is not None else (min(os.cpu_count() or 1, len(towns)) if data.persons.height >= PARALLEL_MIN_PERSONS else 1)
    if n > 1 and len(towns) > 1:
        # Each township's workbook in its own process (openpyxl is pure Python: one core each),
        # from that township's slice of the data; slices are cut as workers free up, in order.
        written, pending = [], deque()
        with ProcessPoolExecutor(max_workers=n, mp_context=get_context("spawn")) as pool:
            for t, *job in jobs:
                pending.append(pool.submit(_write_township, (data.for_township(t), t, *job)))
                if len(pending) > n:
                    written.append(pending.popleft().result())
            written.extend(f.result() for f in pending)
    else:
        written = [write_township(data, *job) for job in jobs]
    xlsx, html = summary_paths(reports_dir, quarter)
    written.append(write_summary(data, county, xlsx))
    written.append(write_html(data, county, html))
    # A rerun mirrors the database: a township no longer in the quarter loses its old workbook.
    for old in (Path(reports_dir) / quarter).glob(f"{quarter}_*{TOWNSHIP_SUFFIX}"):
        if old not in written:
            old.unlink()
    return ReportsWritten(written)
