"""The whole run, without Prefect, on the bundled county and on a freshly generated one.

What must hold (issue 3): every input data row of every file is in exactly one of
``source_records`` / ``rejected_rows``, the counts add up per file in ``run_files``, and they agree
with the generator's truth of how many data rows each file has.
"""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipeline.link import load as load_link_settings
from pipeline.policy import load_policy
from pipeline.run import run_quarter

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "sample_data" / "county"


def _run(input_dir: Path, quarter: str, db: Path):
    return run_quarter(input_dir, quarter, load_policy(), db, reports_dir=None)


@pytest.fixture(scope="module")
def fresh_county(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("county")
    subprocess.run(
        [sys.executable, "-m", "sample_data.generate", "--households", "120", "--seed", "7", "--out", str(out), "--quarters", "2026Q3"],
        check=True,
        cwd=ROOT,
    )
    return out


@pytest.fixture(scope="module", params=["bundled", "fresh"])
def county_run(request, tmp_path_factory, fresh_county):
    """(county folder, database, 2026Q3 result): the bundled county's session run, or a fresh one."""
    if request.param == "bundled":
        bundled = request.getfixturevalue("bundled_run")
        return BUNDLED, bundled.db, bundled.q3
    db = tmp_path_factory.mktemp("db") / "d.duckdb"
    return fresh_county, db, _run(fresh_county / "2026Q3", "2026Q3", db)


def _sql(db: Path, q: str) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(q).pl()


def test_every_row_is_accepted_or_rejected_exactly_once(county_run):
    root, db, _ = county_run
    seen = _sql(
        db,
        "SELECT file_name, sheet_name, row_number, 'accepted' AS fate FROM source_records WHERE quarter = '2026Q3' "
        "UNION ALL SELECT file_name, sheet_name, row_number, 'rejected' FROM rejected_rows "
        "WHERE quarter = '2026Q3' AND row_number IS NOT NULL",
    )
    dupes = seen.group_by("file_name", "sheet_name", "row_number").len().filter(pl.col("len") > 1)
    assert dupes.height == 0, dupes
    truth = pl.read_csv(root / "truth" / "records.csv", infer_schema_length=0).filter(pl.col("quarter") == "2026Q3")
    truth = truth.with_columns(pl.col("row_number").cast(pl.Int64), pl.col("sheet_name").fill_null(""))
    missing = truth.join(seen, on=["file_name", "sheet_name", "row_number"], how="anti")
    assert missing.height == 0, missing
    fates = truth.join(seen, on=["file_name", "sheet_name", "row_number"])
    wrong = fates.filter(
        ((pl.col("expect") == "reject") & (pl.col("fate") != "rejected"))
        | ((pl.col("expect") == "accept") & (pl.col("fate") != "accepted"))
    )
    assert wrong.height == 0, wrong.select("file_name", "sheet_name", "row_number", "expect", "fate", "dirt")


def test_counts_add_up_per_file_and_match_truth(county_run):
    root, db, result = county_run
    files = _sql(db, f"SELECT * FROM run_files WHERE run_id = '{result.run_id}'")
    assert files.filter(pl.col("data_rows") != pl.col("accepted_rows") + pl.col("rejected_rows")).height == 0
    by_source = _sql(
        db,
        "SELECT file_name, sheet_name, count(*) AS n FROM (SELECT file_name, sheet_name FROM source_records "
        "WHERE quarter = '2026Q3' UNION ALL SELECT file_name, sheet_name FROM rejected_rows "
        "WHERE quarter = '2026Q3' AND row_number IS NOT NULL) GROUP BY ALL",
    )
    joined = files.join(by_source, on=["file_name", "sheet_name"], how="left").with_columns(pl.col("n").fill_null(0))
    assert joined.filter(pl.col("n") != pl.col("data_rows")).height == 0
    truth = pl.read_csv(root / "truth" / "files.csv", infer_schema_length=0).filter(pl.col("quarter") == "2026Q3")
    truth = truth.with_columns(pl.col("data_rows").cast(pl.Int64), pl.col("sheet_name").fill_null(""))
    cmp = truth.join(files, on=["file_name", "sheet_name"], how="left", suffix="_run")
    assert cmp.filter(pl.col("data_rows_run").is_null()).height == 0, "a file or sheet of the truth is missing from run_files"
    recognised = cmp.filter(pl.col("table").fill_null("") != "")
    bad = recognised.filter(pl.col("data_rows_run") != pl.col("data_rows"))
    assert bad.height == 0, bad.select("file_name", "sheet_name", "table", "data_rows", "data_rows_run")
    assert (recognised["table"] == recognised["source_table"]).all()
    # A file or sheet that is no table is reported with a message; any rows it has are rejected, not lost.
    unrecognised = cmp.filter(pl.col("table").fill_null("") == "")
    assert unrecognised["message"].is_not_null().all()
    assert (unrecognised["accepted_rows"] == 0).all()


def test_runs_records_inputs_and_counts(county_run):
    root, db, result = county_run
    run = _sql(db, f"SELECT * FROM runs WHERE run_id = '{result.run_id}'").to_dicts()[0]
    assert run["status"] == "succeeded"
    assert run["finished_at"] >= run["started_at"]
    stored = {t: _sql(db, f"SELECT count(*) AS n FROM {t} WHERE quarter = '2026Q3'")["n"][0] for t in ("source_records", "cases", "persons")}
    counts = json.loads(run["counts"])
    assert {t: counts[t] for t in stored} == stored  # the counts runs keeps are the rows the quarter holds
    files = {f["file_name"]: f for f in json.loads(run["files"])}
    run_files = _sql(db, f"SELECT file_name, any_value(sha256) AS sha256, sum(data_rows) AS n FROM run_files WHERE run_id = '{result.run_id}' GROUP BY 1")
    assert {r["file_name"]: (r["sha256"], r["n"]) for r in run_files.to_dicts()} == {k: (f["sha256"], f["data_rows"]) for k, f in files.items()}
    digest = hashlib.sha256(next((root / "2026Q3").glob("*低保花名册*")).read_bytes()).hexdigest()
    assert digest in {f["sha256"] for f in files.values()}
    assert run["policy_sha256"] == load_policy().digest()
    # the linkage settings and counts are stored with the run (settings.py promises it)
    link_counts, link_settings = json.loads(run["link_counts"]), json.loads(run["link_settings"])
    assert link_counts["persons"] == stored["persons"] and link_counts["records"] == stored["source_records"]
    assert link_settings == load_link_settings().to_dict()
    assert json.loads(run["completeness"])["missing_tables"] == []


def test_every_table_view_and_column_has_a_chinese_comment(county_run):
    _, db, _ = county_run
    missing = _sql(
        db,
        "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND schema_name = 'main' "
        "AND (comment IS NULL OR comment = '')",
    )
    assert missing.height == 0, missing
    uncommented = _sql(
        db,
        "SELECT table_name AS name FROM duckdb_tables() WHERE comment IS NULL OR comment = '' "
        "UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal AND (comment IS NULL OR comment = '')",
    )
    assert uncommented.height == 0, uncommented


def test_source_records_stored_from_beside_the_staging_rows_are_the_assembled_records(county_run, tmp_path):
    """A run writes each staging table's rows of source_records beside the staging rows, and the
    database write reads source_records from there (``store.spool_beside``): every column of every
    record is what the quarter's assembly made of it."""
    from polars.testing import assert_frame_equal

    from pipeline.prepare import combine_files, prepare_file
    from pipeline.quarter import Quarter
    from pipeline.run import _link_quarter, input_files
    from pipeline.executor import LocalExecutor

    root, db, _ = county_run
    build = tmp_path / "build"
    build.mkdir()
    parts = [prepare_file((*item, build)) for item in input_files(root / "2026Q3", Quarter.parse("2026Q3"))]
    tables, _, _ = _link_quarter(LocalExecutor(), "2026Q3", combine_files(parts, build), load_policy(), None, build)
    assembled = tables["source_records"].collect()
    stored = _sql(db, "SELECT * FROM source_records WHERE quarter = '2026Q3' ORDER BY record_id")
    assert stored.height == assembled.height > 0
    assert_frame_equal(stored, assembled.select(stored.columns))
