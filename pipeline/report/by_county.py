"""The reports of a province's quarter on a cluster: each county's folder a task of its own.

``write_reports_on(executor, ...)`` is ``write_reports`` through an executor: where the executor
cuts stages (``partitions`` > 1, a Dask cluster) and the quarter holds more than one county, every
county's workbooks are written by one ``executor.map`` task that reads only that county's rows
(``write_county_reports``: a worker holds one county), then the persons of no county, the province
summary, the departments' workbooks and the clean-up of old files once after
(``write_province_reports``).  Otherwise one stage, ``write_reports``.  The workers open the
database read-only: on a real cluster the database and the reports folder are on a shared mount.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.policy import Policy
from pipeline.report import ReportFiles, report_counties, write_county_reports, write_province_reports, write_reports

STAGE = "生成乡镇清单"
COUNTY_STAGE = "生成各县清单"
PROVINCE_STAGE = "生成全省汇总"


def write_reports_on(executor, db_path: Path, quarter: str, reports_dir: Path, policy: Policy) -> ReportFiles:
    counties = report_counties(db_path, quarter) if getattr(executor, "partitions", 1) > 1 else []
    if len(counties) <= 1:
        return executor.call(STAGE, write_reports, db_path, quarter, reports_dir, policy)
    parts = executor.map(COUNTY_STAGE, county_reports, [(db_path, county, quarter, reports_dir, policy) for county in counties])
    return executor.call(PROVINCE_STAGE, write_province_reports, db_path, quarter, reports_dir, policy, parts)


def county_reports(item: tuple) -> ReportFiles:
    """``item``: database, county (the label a progress display shows), quarter, reports folder, policy."""
    db_path, county, quarter, reports_dir, policy = item
    return write_county_reports(db_path, quarter, county, reports_dir, policy)
