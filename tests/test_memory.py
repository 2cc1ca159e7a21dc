"""What keeps a province's run within memory (docs/decisions.md, "Memory"), each shown to hold
the results it must: position-based joins equal real joins, record ids run in order, frames leave
memory as they are written, DuckDB is capped.  (The figures themselves: benchmarks/bench_run.py.)"""

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipeline import limits, store
from pipeline.frames import beside, with_lookup
from pipeline.assemble import assemble_quarter, records_for_linking
from pipeline.prepare import combine_files, prepare_file
from tests.test_store import rejected

BUNDLED = Path(__file__).resolve().parent.parent / "sample_data" / "county" / "2026Q3"


def test_with_lookup_equals_a_left_join_in_row_order():
    frame = pl.DataFrame({"k": ["b", None, "a", "c", "b"], "v": [1, 2, 3, 4, 5]})
    lookup = pl.DataFrame({"k": ["a", "b", "z"], "x": [10.0, 20.0, 30.0], "y": ["A", "B", "Z"]})
    expected = frame.join(lookup, on="k", how="left", maintain_order="left")
    assert_frame_equal(with_lookup(frame, lookup, "k"), expected)
    with_null = pl.concat([lookup, pl.DataFrame({"k": [None], "x": [0.0], "y": ["空"]}, schema=lookup.schema)])
    expected = frame.join(with_null, on="k", how="left", maintain_order="left", nulls_equal=True)
    assert_frame_equal(with_lookup(frame, with_null, "k", nulls_equal=True), expected)
    assert with_lookup(frame, with_null, "k", nulls_equal=True)["y"].to_list() == ["B", "空", "A", None, "B"]


def test_beside_replaces_columns_row_for_row_in_the_frames_order_eager_and_lazy():
    frame = pl.DataFrame({"a": [1, 2, 3], "town": ["x", None, "z"], "b": ["p", "q", "r"], "village": [None, "v", None]})
    filled = pl.DataFrame({"village": ["V1", "v", "V3"], "town": ["x", "y", "z"]})
    expected = frame.with_columns(filled.get_columns())
    assert_frame_equal(beside(frame, filled), expected)
    assert_frame_equal(beside(frame.lazy(), filled.lazy()).collect(), expected)


@pytest.fixture(scope="module")
def prepared():
    from pipeline.ingest import list_files

    return combine_files([prepare_file((path, name, date(2026, 9, 30))) for path, name in list_files(BUNDLED)])


def test_record_ids_run_in_table_file_sheet_row_order(prepared):
    ids = pl.concat([f.get_column("record_id") for f in prepared.tables.values()])
    assert ids.to_list() == list(range(len(ids)))
    assert list(prepared.tables) == sorted(prepared.tables)
    for frame in prepared.tables.values():
        order = frame.select("file_name", "sheet_name", "row_number")
        assert_frame_equal(order, order.sort("file_name", "sheet_name", "row_number"))


def test_combined_in_a_build_folder_the_tables_equal_the_ones_in_memory_and_only_regions_are_written(prepared, tmp_path):
    """With a build folder ``combine`` writes only the filled region columns; each table is the
    sheets' files beside them, and reads back equal to the table combined in memory."""
    from pipeline.ingest import list_files

    build = tmp_path / "b"
    parts = [prepare_file((path, name, date(2026, 9, 30), build)) for path, name in list_files(BUNDLED)]
    sheets = {p.name for p in (build / "sheets").iterdir()}
    on_disk = combine_files(parts, build)
    assert {p.name for p in build.iterdir() if p.is_file()} == {f"regions_{name}.parquet" for name in on_disk.tables}
    assert {p.name for p in (build / "sheets").iterdir()} == sheets
    for name, frame in on_disk.tables.items():
        assert isinstance(frame, pl.LazyFrame)
        assert_frame_equal(frame.collect(), prepared.tables[name])


@pytest.mark.parametrize("in_build_folder", [False, True])
def test_outputs_add_person_keys_by_position_as_a_join_would(prepared, tmp_path, in_build_folder):
    """In a run's build folder the person keys wait there too: every table reads them from the file."""
    from pipeline.assemble import ASSIGNMENTS
    from pipeline.store import spool_path
    from pipeline.link import link

    records = records_for_linking(prepared)  # lazy: identity reads it into memory
    linkage = link(records)
    out = assemble_quarter("2026Q3", prepared, records, linkage, tmp_path if in_build_folder else None)
    records = records.collect()
    keys = linkage.assignments.select("record_id", "person_key")
    for name, frame in prepared.tables.items():
        joined = frame.select("record_id").join(keys, on="record_id", how="left", maintain_order="left")
        staged = out[f"stg_{name}"]
        assert isinstance(staged, pl.LazyFrame) == in_build_folder
        assert_frame_equal(staged.lazy().select("record_id", "person_key").collect(), joined)
    if in_build_folder:
        plan = out["source_records"].explain() + out["stg_dibao"].explain()
        assert plan.count(spool_path(tmp_path, ASSIGNMENTS).name) >= 2, "the person keys are read from the build folder, not held"
    by_join = records.join(linkage.assignments, on="record_id", how="left", maintain_order="left")
    assert linkage.assignments.schema["match_method"] == pl.Categorical  # codes in identity, words in source_records
    by_join = by_join.with_columns(pl.col("match_method").cast(pl.Utf8))
    source_records = out["source_records"].collect()  # lazy: it waits in the build folder in a run
    assert_frame_equal(
        source_records.select("record_id", "person_key", "match_method", "match_score"),
        by_join.select("record_id", "person_key", "match_method", "match_score"),
    )
    raw = pl.concat([f.select("record_id", "raw") for f in prepared.tables.values()])
    assert source_records.get_column("raw_values").equals(raw.get_column("raw"), check_names=False)
    # read back from the prepared tables, not held in memory while identity is resolved
    for column, source in {"file_name": "file_name", "sheet_name": "sheet_name", "id_issue": "id_number_issue", "name_raw": "name_raw"}.items():
        assert column not in records.columns
        expected = pl.concat([f.select(pl.col(source).alias(column)) for f in prepared.tables.values() if source in f.columns])
        assert_frame_equal(source_records.filter(pl.col("record_id").is_in(
            pl.concat([f.select("record_id") for f in prepared.tables.values() if source in f.columns])["record_id"].implode()
        )).select(column), expected)


def test_outputs_refuse_assignments_that_do_not_cover_every_record(prepared):
    from pipeline.link import link

    records = records_for_linking(prepared)
    linkage = link(records)
    linkage.assignments = linkage.assignments.head(-1)
    with pytest.raises(AssertionError, match="every record exactly once"):
        assemble_quarter("2026Q3", prepared, records, linkage)


def test_write_quarter_release_lets_each_frame_go_and_commits_all(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "INSERT_BATCH_ROWS", 3)  # several slices per table
    tables = {"rejected_rows": rejected("2026Q3", 10)}
    with store.connect(tmp_path / "d.duckdb") as con:
        store.write_quarter(con, "2026Q3", tables, release=True)
        assert tables == {}
        rows = con.execute("SELECT row_number FROM rejected_rows ORDER BY row_number").fetchall()
    assert [r[0] for r in rows] == list(range(2, 12))


def test_duckdb_memory_is_capped_and_configurable(tmp_path, monkeypatch):
    monkeypatch.delenv(limits.ENV, raising=False)
    cap = min(limits._machine_bytes() // limits.SHARE_OF_MACHINE, 2 * 2**30)  # an eighth, 2 GB at most
    assert limits.memory_limit() == f"{cap // 2**20}MiB"
    with store.connect(tmp_path / "d.duckdb") as con:
        (limit,) = con.execute("SELECT current_setting('memory_limit')").fetchone()
    value, unit = limit.split()
    assert abs(float(value) * {"MiB": 2**20, "GiB": 2**30}[unit] - cap) < 0.05 * cap
    monkeypatch.setenv(limits.ENV, "1GB")
    with store.connect(tmp_path / "d.duckdb") as con:
        (limit,) = con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert limit == "953.6 MiB"  # DuckDB's 1GB is 10^9 bytes
    con = duckdb.connect(config=limits.duckdb_config(in_memory=True))
    try:
        (spill,) = con.execute("SELECT current_setting('temp_directory')").fetchone()
    finally:
        con.close()
    assert "doudi_spill_" in spill


def _screening_inputs(bundled_run, quarter="2026Q3") -> dict[str, pl.DataFrame]:
    names = [r[0] for r in bundled_run.sql("SELECT view_name FROM duckdb_views() WHERE view_name LIKE 'stg_%'").iter_rows()]
    tables = {name: bundled_run.sql(f'SELECT * FROM "{name}" WHERE quarter = ? ORDER BY record_id', [quarter]) for name in names}
    tables["persons"] = bundled_run.sql("SELECT * FROM persons WHERE quarter = ?", [quarter])
    return tables


def test_rules_in_a_build_folder_equal_the_rules_in_memory_and_let_the_frames_go(bundled_run, tmp_path):
    from pipeline.policy import load_policy
    from pipeline.rules import run_rules

    previous = bundled_run.sql("SELECT * FROM cases WHERE quarter = '2026Q2'")
    in_memory = run_rules(_screening_inputs(bundled_run), load_policy(), "2026Q3", previous)
    inputs = _screening_inputs(bundled_run)
    staged = sorted(name for name in inputs if name.startswith("stg_"))
    on_disk = run_rules(inputs, load_policy(), "2026Q3", previous, build=tmp_path, release=True)
    assert inputs == {}  # every frame left the caller's hands once it was on disk
    assert {p.name for p in tmp_path.glob("stg_*.parquet")} >= {f"{name}.parquet" for name in staged}
    assert in_memory["cases"].height > 0

    def settled(frame: pl.DataFrame) -> pl.DataFrame:  # list(DISTINCT ...) gives its items in no set order
        return frame.with_columns(pl.col(pl.List(pl.Utf8)).list.sort())

    # the large outputs are written there by DuckDB, never held in this process
    assert {name for name, frame in on_disk.items() if isinstance(frame, pl.LazyFrame)} == {"person_facts", "rule_hits"}
    assert {"person_facts.parquet", "rule_hits.parquet"} <= {p.name for p in tmp_path.glob("*.parquet")}
    for name, frame in in_memory.items():
        read = on_disk[name].collect() if isinstance(on_disk[name], pl.LazyFrame) else on_disk[name]
        assert_frame_equal(settled(read), settled(frame), check_row_order=name != "rule_hits")


def test_persons_gain_a_row_for_a_key_only_the_staging_rows_use(tmp_path):
    from pipeline.policy import load_policy
    from pipeline.rules import connect

    stg = pl.DataFrame({
        "record_id": [3, 1, 2], "person_key": ["P2", "P2", "P1"], "id_number": [None, "X", "Y"],
        "name": ["后", None, "甲"], "township": ["乙镇", "甲镇", None], "birth_date": [None, date(1950, 1, 2), None],
    })  # fmt: skip
    persons = pl.DataFrame({"person_key": ["P1"], "name": ["甲"]})
    for build in (None, tmp_path):
        con, _ = connect({"stg_dibao": stg, "persons": persons}, load_policy(), "2026Q3", build=build)
        try:
            rows = con.sql("SELECT person_key, id_number, name, township, birth_date FROM persons").fetchall()
            (spill,) = con.execute("SELECT current_setting('temp_directory')").fetchone()
        finally:
            con.close()
        # P2 from its records in record order: the first non-null value of each column.
        assert rows == [("P1", None, "甲", None, None), ("P2", "X", "后", "甲镇", date(1950, 1, 2))]
        assert (build is None) != spill.startswith(str(tmp_path))  # a run's database spills into its build folder


def test_write_quarter_copies_the_spooled_tables_in_the_same_transaction(tmp_path):
    tables = {"rejected_rows": rejected("2026Q3", 4)}
    store.spool(tmp_path, tables)
    assert tables == {} and store.spool_path(tmp_path, "rejected_rows").is_file()
    with store.connect(tmp_path / "d.duckdb") as con:
        store.write_quarter(con, "2026Q3", {}, build=tmp_path, spooled=["rejected_rows"])
        assert con.execute("SELECT count(*) FROM rejected_rows WHERE quarter = '2026Q3'").fetchone() == (4,)
        store.spool(tmp_path, {"rejected_rows": rejected("2026Q4", 2)})
        with pytest.raises(ValueError, match="quarter = 2026Q3"):
            store.write_quarter(con, "2026Q3", {}, build=tmp_path, spooled=["rejected_rows"])
        assert con.execute("SELECT count(*) FROM rejected_rows WHERE quarter = '2026Q3'").fetchone() == (4,)


def test_the_build_folder_is_removed_however_the_run_ends(tmp_path, bundled_run):
    db = tmp_path / "d.duckdb"
    with pytest.raises(RuntimeError):
        with store.build_folder(db) as build:
            (build / "stg_dibao.parquet").write_bytes(b"x")
            raise RuntimeError("stopped")
    assert not build.exists()
    assert not Path(f"{bundled_run.db}.build").exists()


def test_importing_the_pipeline_sets_the_allocator_to_release_freed_memory_unless_set():
    import os
    import subprocess
    import sys

    show = "import os, sys, pipeline; print(os.environ.get(pipeline.limits.ALLOCATOR_ENV), 'polars' in sys.modules)"
    env = {k: v for k, v in os.environ.items() if k != limits.ALLOCATOR_ENV}
    out = subprocess.run([sys.executable, "-c", show], env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out == [limits.ALLOCATOR_SETTINGS, "False"]  # set before polars is loaded
    env[limits.ALLOCATOR_ENV] = "dirty_decay_ms:5000"
    out = subprocess.run([sys.executable, "-c", show], env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "dirty_decay_ms:5000"


def test_decide_takes_the_rows_a_sort_of_whole_rows_would():
    """``link.scoring.decide`` sorts only its keys and takes the chosen rows whole: the same rows,
    columns and order as sorting every column of the record pairs."""
    from pipeline.link.scoring import decide
    from pipeline.link.settings import load

    settings = load()
    scored = pl.DataFrame({
        "entity_l": [2, 1, 1, 1, 2, 3], "entity_r": [5, 4, 4, 4, 5, 6],
        "record_id_l": [7, 1, 2, 3, 8, 9], "record_id_r": [17, 11, 12, 13, 18, 19],
        "refused": [None, "姓名不一致", None, None, None, None], "score": [0.5, 0.99, 0.97, 0.97, 0.5, 0.1],
        "name_level": ["exact"] * 6, "other": list("abcdef"),
    })  # fmt: skip
    linkable = pl.col("refused").is_null() & (pl.col("score") >= settings.link_score)
    whole = (
        scored.with_columns(linkable.alias("_linkable"))
        .sort(["entity_l", "entity_r", "_linkable", "score", "record_id_l", "record_id_r"], descending=[False, False, True, True, False, False])
        .group_by("entity_l", "entity_r", maintain_order=True)
        .first()
    )
    decided = decide(scored, settings)
    assert_frame_equal(decided.drop("decision"), whole.drop("_linkable"))
    assert decided["record_id_l"].to_list() == [2, 7, 9]


def _text_held(frame: pl.DataFrame) -> int:
    """Bytes of the text buffers ``frame``'s string columns point into (shared ones whole)."""
    return sum(
        frame[c].to_arrow(compat_level=pl.CompatLevel.newest()).get_total_buffer_size()
        for c, dtype in frame.schema.items()
        if dtype == pl.String
    )


def test_a_files_rejected_rows_hold_only_their_own_text():
    """A few rows cut from a large frame keep pointing into its text buffers (polars' string
    views) unless compacted (``limits.compact``): a file's rejected rows, waiting for the other
    files to be read, would hold every row's raw cells."""
    from pipeline.ingest import list_files

    big = pl.select((pl.lit("a long raw cell, more than twelve bytes ") + pl.int_range(0, 50_000).cast(pl.Utf8)).alias("s"))
    few = big.filter(pl.int_range(pl.len()) % 1000 == 0)
    assert _text_held(few) > 100 * _text_held(limits.compact(few))  # what compact is for
    rejected = [r for path, name in list_files(BUNDLED) for r in prepare_file((path, name, date(2026, 9, 30))).rejected if r.height]
    assert len(rejected) >= 3
    for frame in rejected:
        assert _text_held(frame) <= _text_held(limits.compact(frame)), frame["file_name"][0]
