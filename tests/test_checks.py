"""Every frame of the quarter is checked against its contract before the write (pipeline/checks.py)."""

import hashlib

import polars as pl
import pytest

from pipeline import checks
from pipeline.checks import OutputContractError, check_outputs
from pipeline.run import store_quarter


def _quarter_tables(bundled, quarter="2026Q3") -> dict[str, pl.DataFrame]:
    names = ["cases", "persons", "source_records", "stg_dibao", "rejected_rows", "overlap_rates"]
    return {name: bundled.sql(f"SELECT * FROM {name} WHERE quarter = ?", [quarter]) for name in names}


def test_the_stored_quarter_passes_its_contracts(bundled_run):
    check_outputs(_quarter_tables(bundled_run))


def test_a_broken_frame_is_named_with_its_column_check_and_first_values(bundled_run):
    tables = _quarter_tables(bundled_run)
    tables["cases"] = tables["cases"].with_columns(pl.lit("maybe").alias("kind"))
    ids = tables["stg_dibao"]["record_id"]
    tables["stg_dibao"] = tables["stg_dibao"].with_columns(pl.lit(ids[0]).alias("record_id"))
    with pytest.raises(OutputContractError) as broken:
        check_outputs(tables)
    failures = broken.value.failures
    assert set(zip(failures["table"], failures["column"])) == {("cases", "kind"), ("stg_dibao", "record_id")}
    message = str(broken.value)
    assert "cases.kind" in message and "maybe" in message and "stg_dibao.record_id" in message and str(ids[0]) in message


def test_a_table_without_a_contract_is_refused():
    with pytest.raises(OutputContractError, match="stg_nosuch|nosuch"):
        check_outputs({"nosuch": pl.DataFrame({"quarter": ["2026Q3"]})})


def test_a_failing_check_stops_the_write(bundled_copy):
    before = hashlib.sha256(bundled_copy.db.read_bytes()).hexdigest()
    tables = _quarter_tables(bundled_copy)
    tables["persons"] = tables["persons"].with_columns(pl.lit(None, pl.Utf8).alias("person_key"))
    with pytest.raises(OutputContractError, match="persons.person_key"):
        store_quarter(bundled_copy.db, "no-run", "2026Q3", tables, {"run_files": pl.DataFrame()})
    assert hashlib.sha256(bundled_copy.db.read_bytes()).hexdigest() == before


def test_a_lazy_frame_is_checked_as_the_frame_it_reads_to(bundled_run, tmp_path):
    """A table waiting in the build folder: its types from its schema, its keys from their values;
    the same failures as the frame itself (a duplicate key, a wrong type, a missing column)."""
    records = _quarter_tables(bundled_run)["source_records"]
    broken = records.with_columns(
        pl.lit(records["record_id"][0]).alias("record_id"), pl.col("match_score").cast(pl.Utf8), pl.lit(1).alias("extra")
    ).drop("relation")
    broken.write_parquet(tmp_path / "source_records.parquet")
    lazy = pl.scan_parquet(tmp_path / "source_records.parquet")
    failures = {}
    for kind, frame in (("eager", broken), ("lazy", lazy)):
        with pytest.raises(OutputContractError) as caught:
            check_outputs({"source_records": frame})
        failures[kind] = caught.value.failures.sort(pl.all())
    assert {"record_id", "match_score", "relation"} <= set(failures["lazy"]["column"]) | set(failures["lazy"]["values"])
    assert failures["lazy"].equals(failures["eager"])
    records.write_parquet(tmp_path / "whole.parquet")
    check_outputs({"source_records": pl.scan_parquet(tmp_path / "whole.parquet")})


def test_a_lazy_frame_is_checked_a_slice_at_a_time(bundled_run, tmp_path, monkeypatch):
    """Read a few rows at a time, a lazy table fails as the frame does: a key repeated across
    slices, a null source_table in the last slice, a wrong type; and a sound table read so passes."""
    records = _quarter_tables(bundled_run)["source_records"]
    last = records.height - 1
    broken = records.with_columns(
        pl.when(pl.int_range(pl.len()) == last).then(pl.col("record_id").first()).otherwise(pl.col("record_id")).alias("record_id"),
        pl.when(pl.int_range(pl.len()) == last).then(None).otherwise(pl.col("source_table")).alias("source_table"),
        pl.col("match_score").cast(pl.Utf8),
    )
    broken.write_parquet(tmp_path / "broken.parquet")
    monkeypatch.setattr(checks, "CHECK_ROWS", 7)
    failures = {}
    for kind, frame in (("eager", broken), ("lazy", pl.scan_parquet(tmp_path / "broken.parquet"))):
        with pytest.raises(OutputContractError) as caught:
            check_outputs({"source_records": frame})
        failures[kind] = caught.value.failures.sort(pl.all())
    assert {"record_id", "source_table", "match_score"} <= set(failures["lazy"]["column"])
    assert failures["lazy"].equals(failures["eager"])
    records.write_parquet(tmp_path / "whole.parquet")
    check_outputs({"source_records": pl.scan_parquet(tmp_path / "whole.parquet")})
