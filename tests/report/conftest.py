"""Fixtures: a small fixture database and the reports written from it (once per module)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixture_db import QUARTER, make_db  # noqa: E402

from pipeline.policy import load_policy  # noqa: E402
from pipeline.report import write_reports  # noqa: E402



@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return make_db(tmp_path_factory.mktemp("db") / "fixture.duckdb", persons_per_township=30, cases_per_township=24)


@pytest.fixture(scope="module")
def policy():
    return load_policy()


@pytest.fixture(scope="module")
def reports(db, policy, tmp_path_factory) -> list[Path]:
    return write_reports(db, QUARTER, tmp_path_factory.mktemp("reports"), policy).written


@pytest.fixture(scope="module")
def township_books(reports) -> dict[str, Path]:
    """Township name -> its workbook."""
    return {p.stem.split("_")[1]: p for p in reports if p.name.endswith("_九过筛子清单.xlsx")}
