"""Township "九过筛子" workbooks and the county summary, written from the DuckDB file.

``write_reports(db_path, quarter, reports_dir, policy)`` reads the quarter (read-only) and writes
``reports_dir/<quarter>/``:
- ``<quarter>_<乡镇>_九过筛子清单.xlsx`` per township (``workbook.py``);
- ``<quarter>_居住地不详人员清单.xlsx``: the cases of persons with no township, for the county;
- ``<quarter>_县汇总.xlsx`` (``summary.py``) and ``<quarter>_县汇总.html`` (``html.py``, inline SVG).
A township is keyed by (county, township): when the quarter holds more than one county, each
county's files go to ``reports_dir/<quarter>/<县>/`` and ``<quarter>_全省汇总.xlsx`` has one line
per county (``province.py``).  Each source department gets the rows of its own exports to correct:
``reports_dir/<quarter>/部门核实/`` (``departments.py``).
A file that cannot be replaced (open in Excel or WPS) is named in ``ReportFiles.locked``; the others
are still written.  Call it after the run's write connection is closed (DuckDB refuses a
read-only connection to a file this process holds open for writing).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from pipeline.policy import Policy
from pipeline.report.departments import department_jobs
from pipeline.report.files import FileLocked
from pipeline.report.load import ReportData, load, report_counties
from pipeline.report.terms import UNKNOWN_TOWNSHIP
from pipeline.report.towns import file_part, townships

__all__ = ["write_reports", "write_county_reports", "write_province_reports", "report_counties", "ReportFiles", "township_path", "summary_paths", "unknown_path", "province_path"]


TOWNSHIP_SUFFIX = "_九过筛子清单.xlsx"
UNKNOWN_SUFFIX = "_居住地不详人员清单.xlsx"
OURS = (TOWNSHIP_SUFFIX, UNKNOWN_SUFFIX, "_县汇总.xlsx", "_县汇总.html", "_全省汇总.xlsx")


def _folder(reports_dir: Path | str, quarter: str, county: str | None) -> Path:
    base = Path(reports_dir) / quarter
    return base / file_part(county) if county else base


def township_path(reports_dir: Path | str, quarter: str, township: str, county: str | None = None) -> Path:
    """``county``: only when the quarter holds more than one county (its own folder)."""
    return _folder(reports_dir, quarter, county) / f"{quarter}_{file_part(township)}{TOWNSHIP_SUFFIX}"


def unknown_path(reports_dir: Path | str, quarter: str, county: str | None = None) -> Path:
    return _folder(reports_dir, quarter, county) / f"{quarter}{UNKNOWN_SUFFIX}"


def summary_paths(reports_dir: Path | str, quarter: str, county: str | None = None) -> tuple[Path, Path]:
    base = _folder(reports_dir, quarter, county) / f"{quarter}_县汇总"
    return base.with_suffix(".xlsx"), base.with_suffix(".html")


def province_path(reports_dir: Path | str, quarter: str) -> Path:
    return Path(reports_dir) / quarter / f"{quarter}_全省汇总.xlsx"


@dataclass
class ReportFiles:
    """What ``write_reports`` did: the files written, and those it could not replace."""

    written: list[Path] = field(default_factory=list)
    locked: list[Path] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # one per locked file: 请关闭 … 后运行 doudi report
    lines: list = field(default_factory=list)  # the counties' lines of the province summary (``province.CountyLine``)

    def attempt(self, write: Callable[[], Path]) -> None:
        try:
            self.written.append(write())
        except FileLocked as e:
            self.locked.append(e.path)
            self.messages.append(str(e))

    def __iter__(self) -> Iterator[Path]:
        return iter(self.written)

    def __len__(self) -> int:
        return len(self.written)


# A county this large (persons) writes its workbooks in parallel processes; below it, starting the
# processes costs more than it saves.
PARALLEL_MIN_PERSONS = 100_000


def _processes(data: ReportData, workers: int | None) -> int:
    """How many processes write a county's workbooks: ``workers``, else one per core for a county
    of ``PARALLEL_MIN_PERSONS`` or more, else 1 (this process)."""
    if workers is not None:
        return workers
    return (os.cpu_count() or 1) if data.persons.height >= PARALLEL_MIN_PERSONS else 1


@dataclass
class _Workers:
    """The worker processes of a county's workbooks (openpyxl is pure Python: one core each)."""

    pool: ProcessPoolExecutor
    processes: int


@contextmanager
def _workers(processes: int) -> Iterator[_Workers | None]:
    """``processes`` worker processes, or None when the workbooks are written here."""
    if processes <= 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn")) as pool:
        yield _Workers(pool, processes)


def _in_worker(job: tuple) -> Path | FileLocked:
    """Run ``job`` = (writer, *arguments) in a worker process; a locked file is handed back, not raised."""
    write, *args = job
    try:
        return write(*args)
    except FileLocked as e:
        return e


def _start(workers: _Workers | None, job: tuple) -> Callable[[], Path]:
    """``job`` = (writer, *arguments): started now in a worker (the returned call waits for its
    file), or run here when the returned call is made."""
    if workers is None:
        write, *args = job
        return lambda: write(*args)
    future = workers.pool.submit(_in_worker, job)
    return lambda: _raise_or(future.result())


def _townships(data: ReportData, county: str, folder_county: str | None, policy: Policy, reports_dir, workers, out: ReportFiles) -> None:
    from pipeline.report.workbook import write_township

    towns = townships(data)
    jobs = [(t, county, policy, township_path(reports_dir, data.quarter, t, folder_county)) for t in towns]
    if data.cases.filter(data.cases["township"] == UNKNOWN_TOWNSHIP).height:  # the list of the persons of no township
        jobs.insert(0, (UNKNOWN_TOWNSHIP, county, policy, unknown_path(reports_dir, data.quarter, folder_county)))
    if workers is not None and len(jobs) > 1:
        # Each township's workbook in a worker, from that township's slice of the data; slices are
        # cut as workers free up, in order (no more than one per worker waiting).
        pending: deque[Callable[[], Path]] = deque()
        for t, *job in jobs:
            pending.append(_start(workers, (write_township, data.for_township(t), t, *job)))
            if len(pending) > workers.processes:
                out.attempt(pending.popleft())
        for wait in pending:
            out.attempt(wait)
    else:
        for job in jobs:
            out.attempt(lambda job=job: write_township(data, *job))


def _raise_or(result: Path | FileLocked) -> Path:
    if isinstance(result, FileLocked):
        raise result
    return result


def _county(data: ReportData, county: str, folder_county: str | None, policy: Policy, reports_dir, workers, out: ReportFiles) -> None:
    from pipeline.report.html import write_html
    from pipeline.report.province import county_line
    from pipeline.report.summary import write_summary

    # The summaries first: here, while the workers (if any) are busy with their first workbooks.
    xlsx, html = summary_paths(reports_dir, data.quarter, folder_county)
    out.attempt(lambda: write_summary(data, county, xlsx))
    out.attempt(lambda: write_html(data, county, html))
    out.lines.append(county_line(data, county))
    _townships(data, county, folder_county, policy, reports_dir, workers, out)


def write_reports(
    db_path: Path | str, quarter: str, reports_dir: Path | str, policy: Policy, workers: int | None = None
) -> ReportFiles:
    """Write every township workbook and the summaries (see the module doc).  A quarter of more than
    one county is written a county at a time (``write_county_reports``, then
    ``write_province_reports``): no more of the province is held at once than one county.

    ``workers``: processes for the workbooks (``_processes``).  With more than one, the departments'
    workbooks (each from its own reading of the database) start first in the workers, and the
    township workbooks follow them there; this process writes the summaries meanwhile."""
    counties = report_counties(db_path, quarter)
    if len(counties) > 1:
        parts = [write_county_reports(db_path, quarter, county, reports_dir, policy, workers) for county in counties]
        return write_province_reports(db_path, quarter, reports_dir, policy, parts)
    data: ReportData = load(db_path, quarter)
    out = ReportFiles()
    with _workers(_processes(data, workers)) as workers:
        departments = [_start(workers, job) for job in department_jobs(db_path, quarter, reports_dir)]
        _county(data, counties[0] if counties else "", None, policy, reports_dir, workers, out)
        for wait in departments:  # each department's own errors
            out.attempt(wait)
    return _remove_leftovers(data.quarter, reports_dir, out)


def write_county_reports(
    db_path: Path | str, quarter: str, county: str, reports_dir: Path | str, policy: Policy, workers: int | None = 1
) -> ReportFiles:
    """One county's folder of a province's quarter (its township workbooks, its summaries, its line
    of the province summary in ``lines``), from its own rows of the database.  ``workers``: as
    ``write_reports``'s; 1 by default (a cluster's worker starts no processes of its own)."""
    data = load(db_path, quarter, county).for_county(county)
    out = ReportFiles()
    with _workers(_processes(data, workers)) as workers:
        _county(data, county, county, policy, reports_dir, workers, out)
    return out


def write_province_reports(db_path: Path | str, quarter: str, reports_dir: Path | str, policy: Policy, counties: list[ReportFiles]) -> ReportFiles:
    """After ``write_county_reports`` of every county (``counties``: what each did, in the
    province summary's order): the persons of no county, the province summary (from the counties'
    lines: no county's rows are read again), the departments' workbooks, old files no longer made
    removed."""
    nowhere = load(db_path, quarter, UNKNOWN_TOWNSHIP, named=True).for_county(UNKNOWN_TOWNSHIP)
    out = ReportFiles()
    for part in counties:
        out.written.extend(part.written)
        out.locked.extend(part.locked)
        out.messages.extend(part.messages)
        out.lines.extend(part.lines)
    _province(nowhere, policy, reports_dir, out)
    for job in department_jobs(db_path, nowhere.quarter, reports_dir):  # each department's own errors
        out.attempt(_start(None, job))
    return _remove_leftovers(nowhere.quarter, reports_dir, out)


def _province(nowhere: ReportData, policy: Policy, reports_dir, out: ReportFiles) -> None:
    """The list of the persons of no county (``nowhere``: their part of the quarter), and the
    province summary of the counties' lines (``out.lines``)."""
    from pipeline.report.province import write_province
    from pipeline.report.workbook import write_township

    if nowhere.cases.height:
        path = unknown_path(reports_dir, nowhere.quarter)
        out.attempt(lambda: write_township(nowhere, UNKNOWN_TOWNSHIP, "", policy, path))
    out.attempt(lambda: write_province(nowhere.quarter, out.lines, nowhere, province_path(reports_dir, nowhere.quarter)))


def _remove_leftovers(quarter: str, reports_dir, out: ReportFiles) -> ReportFiles:
    """A rerun mirrors the database: a report no longer made (a township gone, a county's files now
    in their own folder) loses its old file; a locked one is left alone."""
    keep = set(out.written) | set(out.locked)
    for old in (Path(reports_dir) / quarter).rglob(f"{quarter}_*"):
        if old.is_file() and old.name.endswith(OURS) and old not in keep:
            old.unlink()
    return out
