"""A generated county whose quarters hold doubtful pairs, run once per session.

The bundled county (sample_data/county) links every record by itself since identity resolution
reads Excel-damaged IDs by other evidence: it has no pair left for a person to review. The review
cycle is tested on a county the generator makes here (2,000 households, seed 6, csv forms, ~3 s;
both quarters run in ~8 s): identity resolution sends 5 pairs to review in 2026Q2 (two the same
person: names alike in shape with one 一卡通账号, a namesake tie in one village; three not: one ID on
two persons' rows, valid IDs one digit apart) and 5 in 2026Q3, one of them a 2026Q2 pair again.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOUSEHOLDS, SEED = 2000, 6


@dataclass(frozen=True)
class GeneratedRun:
    county: Path  # 2026Q2/, 2026Q3/, truth/
    db: Path
    reports: Path

    def sql(self, query: str, params=()):
        import duckdb

        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.sql(query, params=list(params)).pl()


@pytest.fixture(scope="session")
def generated_county(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated") / "county"
    cmd = [sys.executable, "-m", "sample_data.generate", "--households", str(HOUSEHOLDS), "--seed", str(SEED),
           "--forms", "csv", "--out", str(out)]  # fmt: skip
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return out


@pytest.fixture(scope="session")
def generated_run(generated_county, tmp_path_factory) -> GeneratedRun:
    """2026Q2 then 2026Q3 of the generated county into one database (no reports: the review
    export writes its own)."""
    from pipeline.policy import load_policy
    from pipeline.run import run_quarter

    out = tmp_path_factory.mktemp("generated_run")
    run = GeneratedRun(generated_county, out / "county.duckdb", out / "reports")
    for quarter in ("2026Q2", "2026Q3"):
        run_quarter(generated_county / quarter, quarter, load_policy(), run.db)
    return run


@pytest.fixture
def generated_copy(generated_run, tmp_path) -> GeneratedRun:
    """A private copy of ``generated_run``'s database for a test that writes."""
    db = tmp_path / "county.duckdb"
    shutil.copyfile(generated_run.db, db)
    return GeneratedRun(generated_run.county, db, tmp_path / "reports")
