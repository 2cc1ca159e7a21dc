"""Session-wide fixtures.

``bundled_run``: the bundled county run once (2026Q2 then 2026Q3, with reports); ``bundled_copy``
for a test that writes.

``prefect_harness``: Prefect's temporary API server (``prefect_test_harness``) costs ~15 s to
start, so it starts once per test session, on first use, and every test that needs Prefect's API
shares it.  Tests that only build Prefect objects (the deployment) do not use it.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    os.environ.setdefault("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect_home")))
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


# The bundled county (sample_data/county), run once per session: 2026Q2 then 2026Q3 into one
# database, with the township workbooks.  Tests read it; a test that writes makes its own copy
# (``bundled_copy``).  Running it once instead of in every file halves the suite.
ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "sample_data" / "county"


@dataclass(frozen=True)
class BundledRun:
    db: Path
    reports: Path
    q2: object  # pipeline.run.RunResult
    q3: object

    def sql(self, query: str, params=()) -> "pl.DataFrame":
        import duckdb

        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.sql(query, params=list(params)).pl()


@pytest.fixture(scope="session")
def bundled_run(tmp_path_factory) -> BundledRun:
    from pipeline.policy import load_policy
    from pipeline.run import run_quarter

    out = tmp_path_factory.mktemp("bundled")
    db, reports = out / "county.duckdb", out / "reports"
    q2 = run_quarter(BUNDLED / "2026Q2", "2026Q2", load_policy(), db, reports)
    q3 = run_quarter(BUNDLED / "2026Q3", "2026Q3", load_policy(), db, reports)
    return BundledRun(db, reports, q2, q3)


@pytest.fixture
def bundled_copy(bundled_run, tmp_path) -> BundledRun:
    """A private copy of ``bundled_run`` (database and reports) for a test that writes."""
    db, reports = tmp_path / "county.duckdb", tmp_path / "reports"
    shutil.copyfile(bundled_run.db, db)
    shutil.copytree(bundled_run.reports, reports)
    return BundledRun(db, reports, bundled_run.q2, bundled_run.q3)
