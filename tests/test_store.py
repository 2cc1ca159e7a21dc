"""The DuckDB store: a quarter is replaced whole or not at all; a second run is refused."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import duckdb
import polars as pl
import pytest

from pipeline import store


def rejected(quarter: str, n: int, reason: str = "x") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "quarter": [quarter] * n,
            "file_name": ["a.csv"] * n,
            "sheet_name": [""] * n,
            "row_number": list(range(2, n + 2)),
            "source_table": [None] * n,
            "reason": [reason] * n,
            "raw_values": ["{}"] * n,
        },
        schema_overrides={"source_table": pl.Utf8},
    )


def count(db, sql: str):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_rerun_replaces_the_quarter_and_keeps_others(tmp_path):
    db = tmp_path / "d.duckdb"
    with store.connect(db) as con:
        store.write_quarter(con, "2026Q2", {"rejected_rows": rejected("2026Q2", 3)})
        store.write_quarter(con, "2026Q3", {"rejected_rows": rejected("2026Q3", 5)})
        store.write_quarter(con, "2026Q3", {"rejected_rows": rejected("2026Q3", 2, "y")})
    assert count(db, "SELECT quarter, count(*), min(reason) FROM rejected_rows GROUP BY 1 ORDER BY 1") == [
        ("2026Q2", 3, "x"),
        ("2026Q3", 2, "y"),
    ]


def test_tables_and_columns_carry_chinese_comments(tmp_path):
    db = tmp_path / "d.duckdb"
    with store.connect(db) as con:
        store.write_quarter(con, "2026Q3", {"stg_dibao": pl.DataFrame({"quarter": ["2026Q3"], "record_id": [1], "household_monthly_amount": [600.0]})})
    tables = dict(count(db, "SELECT table_name, comment FROM duckdb_tables() UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE NOT internal"))
    for name in ("source_records", "persons", "match_review", "rejected_rows", "runs", "run_files", "stg_dibao", "stg_dibao_fields"):
        assert tables[name] and any("\u4e00" <= ch <= "\u9fff" for ch in tables[name]), name
    missing = count(db, "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND schema_name = 'main' AND (comment IS NULL OR comment = '')")
    assert missing == []
    assert dict(count(db, "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 'stg_dibao'"))[
        "household_monthly_amount"
    ] == "户月保障金额（元）"


def test_raw_cells_are_stored_with_zstd_and_read_back_whole(tmp_path):
    """The rows' raw cells (long JSON, rarely read) are compressed with zstd, in every table that
    keeps them and in a column an older file gains; they read back as written."""
    db = tmp_path / "d.duckdb"
    frame = rejected("2026Q3", 3000).with_columns(raw_values=pl.format('{{"姓名": "张{}", "身份证号": "5301{}"}}', pl.col("row_number"), pl.col("row_number") * 7919))
    with store.connect(db) as con:
        store.write_quarter(con, "2026Q3", {"rejected_rows": frame})
        con.execute("CHECKPOINT")
    compressions = count(db, "SELECT DISTINCT compression FROM pragma_storage_info('rejected_rows') WHERE column_name = 'raw_values' AND segment_type = 'VARCHAR'")
    assert compressions == [("ZSTD",)]
    declared = dict(count(db, "SELECT table_name, sql FROM duckdb_tables()"))
    for table in ("source_records", "rejected_rows"):
        assert "raw_values VARCHAR USING COMPRESSION ZSTD" in declared[table], declared[table]
    assert count(db, "SELECT raw_values FROM rejected_rows ORDER BY row_number") == [(v,) for v in frame["raw_values"]]


def test_a_file_of_an_older_doudi_is_widened_and_keeps_its_rows(tmp_path):
    """A table that lacks a column of the contract (a file written before the column existed) gets
    it, with its comment, and keeps its rows; a file that already holds every table and comment
    is not written to at all (opening it for writing leaves it byte for byte)."""
    db = tmp_path / "d.duckdb"
    with store.connect(db) as con:
        store.write_quarter(con, "2026Q2", {"rejected_rows": rejected("2026Q2", 3), "stg_dibao": pl.DataFrame({"quarter": ["2026Q2"], "record_id": [1]})})
        con.execute("ALTER TABLE rejected_rows DROP COLUMN raw_values")
        con.execute("ALTER TABLE stg_dibao_fields DROP COLUMN household_monthly_amount")
        con.execute("COMMENT ON TABLE runs IS NULL")
    with store.connect(db) as con:
        store.write_quarter(con, "2026Q3", {"stg_dibao": pl.DataFrame({"quarter": ["2026Q3"], "record_id": [2], "household_monthly_amount": [600.0]})})
    assert count(db, "SELECT quarter, count(*), count(raw_values) FROM rejected_rows GROUP BY 1") == [("2026Q2", 3, 0)]
    assert count(db, "SELECT quarter, household_monthly_amount FROM stg_dibao ORDER BY 1") == [("2026Q2", None), ("2026Q3", 600.0)]
    assert "USING COMPRESSION ZSTD" in dict(count(db, "SELECT table_name, sql FROM duckdb_tables()"))["rejected_rows"]
    comments = dict(count(db, "SELECT table_name || '.' || column_name, comment FROM duckdb_columns()"))
    assert comments["rejected_rows.raw_values"] and comments["stg_dibao_fields.household_monthly_amount"] == "户月保障金额（元）"
    assert dict(count(db, "SELECT table_name, comment FROM duckdb_tables()"))["runs"]
    before = db.read_bytes()
    with store.connect(db):
        pass
    assert db.read_bytes() == before


def test_failure_mid_write_leaves_previous_quarter(tmp_path):
    db = tmp_path / "d.duckdb"
    with store.connect(db) as con:
        store.write_quarter(con, "2026Q3", {"rejected_rows": rejected("2026Q3", 4)})
        # rejected_rows is deleted and re-filled first; then the persons insert fails (a column
        # persons does not have): the whole quarter must roll back.
        broken = pl.DataFrame({"quarter": ["2026Q3"], "no_such_column": [1]})
        with pytest.raises(ValueError, match="persons: no column.* no_such_column"):
            store.write_quarter(con, "2026Q3", {"rejected_rows": rejected("2026Q3", 9), "persons": broken})
    assert count(db, "SELECT count(*) FROM rejected_rows WHERE quarter = '2026Q3'") == [(4,)]


def test_kill_mid_write_leaves_previous_quarter(tmp_path):
    """A real SIGKILL while a large quarter is being written: the old quarter survives."""
    db = tmp_path / "d.duckdb"
    with store.connect(db) as con:
        store.write_quarter(con, "2026Q3", {"rejected_rows": rejected("2026Q3", 7)})
    script = textwrap.dedent(
        f"""
        import sys, polars as pl
        from pipeline import store
        n = 3_000_000
        big = pl.DataFrame({{"quarter": ["2026Q3"] * n, "file_name": ["big.csv"] * n, "sheet_name": [""] * n,
                             "row_number": list(range(n)), "source_table": ["dibao"] * n,
                             "reason": ["r" * 40] * n, "raw_values": ["{{}}"] * n}})
        con = store.connect({str(db)!r})
        print("writing", flush=True)
        for i in range(50):
            store.write_quarter(con, "2026Q3", {{"rejected_rows": big}})
        print("finished", flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=os.getcwd())
    assert proc.stdout.readline().strip() == "writing"
    time.sleep(1.5)  # inside the first transaction: deleting and inserting 3M rows
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    got = count(db, "SELECT count(*), min(file_name) FROM rejected_rows WHERE quarter = '2026Q3'")[0]
    # Either the old quarter whole, or (had a commit finished) the new one whole: never a mix.
    assert got in [(7, "a.csv"), (3_000_000, "big.csv")]


def test_second_run_is_refused_while_first_holds_the_lock(tmp_path):
    db = tmp_path / "d.duckdb"
    with store.run_lock(db):
        with pytest.raises(store.DatabaseBusy, match="另一次运行"):
            with store.run_lock(db):
                pass
    with store.run_lock(db):  # released afterwards
        pass


def _record(quarter: str, record_id: int, name: str) -> pl.DataFrame:
    return pl.DataFrame(
        {"quarter": [quarter], "record_id": [record_id], "source_table": ["dibao"], "file_name": ["低保.csv"],
         "sheet_name": [""], "row_number": [record_id + 1], "person_key": [f"P{record_id}"], "name": [name]}
    )  # fmt: skip


def test_staging_rows_are_stored_once_and_read_whole_through_the_view(tmp_path):
    """``stg_<table>`` is a view: its own columns from ``stg_<table>_fields``, the provenance, ID,
    name and region from ``source_records`` (stored once); the fields table holds none of those."""
    from contracts.sources import TABLES
    from contracts.staging import kept_in_source_records, staging_columns

    db = tmp_path / "d.duckdb"
    staged = pl.DataFrame({"quarter": ["2026Q3"], "record_id": [7], "person_key": ["P7"], "name": ["张三"], "household_monthly_amount": [600.0]})
    with store.connect(db) as con:
        store.write_quarter(con, "2026Q3", {"source_records": _record("2026Q3", 7, "张三"), "stg_dibao": staged})
    assert count(db, "SELECT view_name FROM duckdb_views() WHERE view_name = 'stg_dibao'") == [("stg_dibao",)]
    fields = {c for (c,) in count(db, "SELECT column_name FROM duckdb_columns() WHERE table_name = 'stg_dibao_fields'")}
    assert fields and not (fields - {"quarter", "record_id"}) & set(kept_in_source_records())
    view = [c for (c,) in count(db, "SELECT column_name FROM duckdb_columns() WHERE table_name = 'stg_dibao' ORDER BY column_index")]
    assert view == [c.name for c in staging_columns(TABLES["dibao"])]
    assert count(db, "SELECT record_id, person_key, name, file_name, row_number, household_monthly_amount FROM stg_dibao") == [
        (7, "P7", "张三", "低保.csv", 8, 600.0)
    ]


def test_an_older_files_staging_table_becomes_the_view_and_keeps_its_quarters(tmp_path):
    """A file where ``stg_dibao`` is a table of every column (doudi before the staging rows were
    stored once): the next write moves its rows' own columns to ``stg_dibao_fields`` and puts the
    view in its place; the old quarter reads as before, the new one beside it."""
    from contracts.sources import TABLES
    from contracts.staging import staging_columns

    db = tmp_path / "d.duckdb"
    with store.connect(db) as con:
        store.write_quarter(con, "2026Q2", {"source_records": _record("2026Q2", 1, "李四")})
        columns = ", ".join(f'"{c.name}" {store.duck_type(c.dtype)}' for c in staging_columns(TABLES["dibao"]))
        con.execute(f"CREATE TABLE stg_dibao ({columns})")
        con.execute("INSERT INTO stg_dibao (quarter, record_id, person_key, name, household_monthly_amount) VALUES ('2026Q2', 1, 'P1', '李四', 450.0)")
    staged = pl.DataFrame({"quarter": ["2026Q3"], "record_id": [7], "person_key": ["P7"], "name": ["张三"], "household_monthly_amount": [600.0]})
    with store.connect(db) as con:
        store.write_quarter(con, "2026Q3", {"source_records": _record("2026Q3", 7, "张三"), "stg_dibao": staged})
    assert count(db, "SELECT table_type FROM information_schema.tables WHERE table_name = 'stg_dibao'") == [("VIEW",)]
    assert count(db, "SELECT quarter, record_id, name, household_monthly_amount FROM stg_dibao ORDER BY quarter") == [
        ("2026Q2", 1, "李四", 450.0), ("2026Q3", 7, "张三", 600.0)
    ]  # fmt: skip
    assert count(db, "SELECT quarter, household_monthly_amount FROM stg_dibao_fields ORDER BY quarter") == [("2026Q2", 450.0), ("2026Q3", 600.0)]


def test_a_staging_column_nobody_declared_is_refused_not_dropped(tmp_path):
    staged = pl.DataFrame({"quarter": ["2026Q3"], "record_id": [7], "household_monthly_amout": [600.0]})
    with store.connect(tmp_path / "d.duckdb") as con, pytest.raises(ValueError, match="household_monthly_amout"):
        store.write_quarter(con, "2026Q3", {"stg_dibao": staged})


def test_a_staging_view_whose_comment_differs_from_the_declaration_is_written_again(tmp_path):
    db = tmp_path / "d.duckdb"
    staged = pl.DataFrame({"quarter": ["2026Q3"], "record_id": [7], "household_monthly_amount": [600.0]})
    with store.connect(db) as con:
        store.write_quarter(con, "2026Q3", {"source_records": _record("2026Q3", 7, "张三"), "stg_dibao": staged})
        con.execute("COMMENT ON COLUMN stg_dibao.household_monthly_amount IS 'old words'")
        store.write_quarter(con, "2026Q3", {"source_records": _record("2026Q3", 7, "张三"), "stg_dibao": staged})
    comments = dict(count(db, "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 'stg_dibao'"))
    assert comments["household_monthly_amount"] == "户月保障金额（元）"



def _staged_rows(n: int) -> tuple[pl.DataFrame, pl.LazyFrame]:
    """n 低保 staging rows, and their rows of source_records as a run writes them beside them."""
    staged = pl.DataFrame({
        "quarter": ["2026Q3"] * n, "record_id": list(range(n)), "person_key": [f"P{i}" for i in range(n)],
        "source_table": ["dibao"] * n, "file_name": ["低保.csv"] * n, "sheet_name": [""] * n,
        "row_number": [i + 2 for i in range(n)], "name": [f"名{i}" for i in range(n)], "id_number_valid": [i % 2 == 0 for i in range(n)],
        "household_monthly_amount": [600.0 + i for i in range(n)],
    })  # fmt: skip
    beside = pl.LazyFrame({
        store.BESIDE_RECORD_ID: list(range(n)), "raw_values": [f'{{"姓名": "名{i}"}}' for i in range(n)],
        "match_method": ["exact_id"] * n, "match_score": [1.0] * n,
    })  # fmt: skip
    return staged, beside


def test_the_record_tables_are_stored_whole_in_any_order_and_the_others_in_order(tmp_path):
    """source_records waits in the build folder beside the staging rows (``store.spool_beside``)
    and is inserted from there in parallel, in no set row order (``store.STORED_IN_ANY_ORDER``):
    every row and value kept, the shared columns under source_records' names; the staging view
    reads them back; the connection keeps insertion order for the tables after it."""
    build = tmp_path / "d.duckdb.build"
    build.mkdir()
    staged, beside = _staged_rows(10)
    read_back = store.spool_beside(build, "stg_dibao", staged, beside)
    assert read_back.collect().equals(staged)  # the rules see the staging columns only
    db = tmp_path / "d.duckdb"
    setting = "SELECT current_setting('preserve_insertion_order')"
    with store.connect(db) as con:
        with store._row_order(con, "source_records"), store._row_order(con, "stg_dibao"):
            assert con.execute(setting).fetchall() == [(False,)]  # inserted in parallel
        with store._row_order(con, "persons"):
            assert con.execute(setting).fetchall() == [(True,)]
        spooled = ["source_records", "stg_dibao"]
        store.write_quarter(con, "2026Q3", {"rejected_rows": rejected("2026Q3", 3)}, build=build, spooled=spooled)
        assert con.execute(setting).fetchall() == [(True,)]
    stored = count(db, "SELECT record_id, name, person_key, id_valid, raw_values, match_method FROM source_records ORDER BY record_id")
    assert stored == [(i, f"名{i}", f"P{i}", i % 2 == 0, f'{{"姓名": "名{i}"}}', "exact_id") for i in range(10)]
    view = count(db, "SELECT record_id, name, id_number_valid, household_monthly_amount FROM stg_dibao ORDER BY record_id")
    assert view == [(i, f"名{i}", i % 2 == 0, 600.0 + i) for i in range(10)]


def test_rows_written_beside_other_rows_are_refused(tmp_path):
    staged, beside = _staged_rows(4)
    with pytest.raises(AssertionError, match="2 row"):  # two rows swapped
        store.spool_beside(tmp_path, "stg_dibao", staged, beside.with_columns(pl.Series(store.BESIDE_RECORD_ID, [0, 2, 1, 3])))
    with pytest.raises(AssertionError, match="differ in number"):  # one row short
        store.spool_beside(tmp_path, "stg_dibao", staged, beside.head(3))
