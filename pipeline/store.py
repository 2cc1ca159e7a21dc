"""The DuckDB file: the analyst's interface (../shared/spec/outputs.md).

One file holds every quarter.  ``write_quarter`` replaces one quarter's rows in every
quarter-scoped table inside a single transaction: readers see the old quarter or the new one,
never half; a crash or a kill mid-write leaves the previous contents.  Tables are created from
the Pandera output contracts (``contracts/outputs.py``) with their Chinese ``COMMENT``s, and the
typed staging tables ``stg_<table>`` from the staging declaration (``contracts/staging.py``).

Only one run may write a database at a time: ``run_lock`` holds an OS lock on ``<db>.lock``
for the whole run and refuses a second run with a clear message.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandera.polars as pa
import polars as pl
from filelock import FileLock, Timeout

from contracts.outputs import OUTPUT_CONTRACTS
from contracts.sources import TABLES
from contracts.staging import fields_columns, kept_in_source_records, source_records_only, staging_columns
from pipeline.errors import DatabaseBusy
from pipeline.limits import duckdb_config

__all__ = ["DatabaseBusy", "append", "build_folder", "connect", "load_frame", "run_lock", "spool", "spool_path", "write_quarter", "write_scratch"]

# Tables that hold history rather than one quarter's state: never deleted by a rerun.
# case_feedback: the townships' answers, imported by ``doudi feedback import``.
HISTORY_TABLES = ("runs", "run_files", "case_feedback", "link_decisions")


def duck_type(dtype: pl.DataType) -> str:
    if dtype == pl.Utf8 or dtype == pl.String:
        return "VARCHAR"
    if dtype == pl.Int64:
        return "BIGINT"
    if dtype == pl.Int32:
        return "INTEGER"
    if dtype == pl.Int16:
        return "SMALLINT"
    if dtype == pl.Int8:
        return "TINYINT"
    if dtype == pl.Float64 or dtype == pl.Float32:
        return "DOUBLE"
    if dtype == pl.Boolean:
        return "BOOLEAN"
    if dtype == pl.Date:
        return "DATE"
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP"
    if isinstance(dtype, pl.List):
        return f"{duck_type(dtype.inner)}[]"
    raise TypeError(f"no DuckDB type for {dtype}")


def sql_text(s: str) -> str:
    """``s`` as an SQL string literal (a path in ``read_parquet`` or ``COPY … TO``, a comment)."""
    return "'" + s.replace("'", "''") + "'"


def _catalog(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, str | None], dict[tuple[str, str], str | None]]:
    """The comments the file holds now: table -> comment, (table, column) -> comment (views too)."""
    tables = dict(con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main' "
        "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal"
    ).fetchall())  # fmt: skip
    columns = {
        (t, c): comment
        for t, c, comment in con.execute("SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = 'main'").fetchall()
    }
    return tables, columns


def _table_statements(catalog, name: str, columns: list[tuple[str, str, str | None]], title: str) -> list[str]:
    """The statements that bring table ``name`` to ``columns`` (name, DuckDB type, comment) and
    ``title``: create it, add the columns an older file lacks (its rows kept), set the comments
    that differ.  None when the file already holds it so."""
    tables, existing = catalog
    out = []
    if name not in tables:
        out.append(f'CREATE TABLE "{name}" (' + ", ".join(f'"{c}" {t}' for c, t, _ in columns) + ")")
    elif missing := [(c, t) for c, t, _ in columns if (name, c) not in existing]:
        # a file written by an older doudi: widen the table, keep its rows
        out += [f'ALTER TABLE "{name}" ADD COLUMN "{c}" {t}' for c, t in missing]
    if tables.get(name) != title:
        out.append(f'COMMENT ON TABLE "{name}" IS {sql_text(title)}')
    out += [
        f'COMMENT ON COLUMN "{name}"."{c}" IS {sql_text(comment)}'
        for c, _, comment in columns
        if comment and existing.get((name, c)) != comment
    ]
    return out


def _column_type(column: pa.Column) -> str:
    """The column's DuckDB type, with the compression its contract asks for (``metadata``)."""
    compression = (column.metadata or {}).get("compression")
    return duck_type(column.dtype.type) + (f" USING COMPRESSION {compression}" if compression else "")


def _contract_statements(catalog, schema: pa.DataFrameSchema) -> list[str]:
    columns = [(name, _column_type(c), c.description) for name, c in schema.columns.items()]
    return _table_statements(catalog, schema.name, columns, schema.title or schema.name)


def fields_table(table: str) -> str:
    return f"stg_{table}_fields"


def _create_staging(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """``stg_<table>`` as declared in ``contracts/staging.py``, with its comments: the view of
    ``stg_<table>_fields`` (the table's own columns) joined to ``source_records`` (the provenance,
    ID, name and region, stored once).  A file of an older doudi, where ``stg_<table>`` is a table
    of every column, has its rows moved to the fields table and the table replaced by the view."""
    t = TABLES[table]
    view, fields = f"stg_{table}", fields_table(table)
    catalog = _catalog(con)
    own = [(c.name, duck_type(c.dtype), c.comment) for c in fields_columns(t)]
    statements = _table_statements(catalog, fields, own, f"{t.title}（已规范化）本表特有的列：完整的行见视图 {view}")
    tables, existing = catalog
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'").fetchall()}
    if view in tables and view not in views:  # an older doudi's table of every column
        moved = ", ".join(f'"{name}"' for name, _, _ in own if (view, name) in existing)
        statements += [f'INSERT INTO "{fields}" ({moved}) SELECT {moved} FROM "{view}"', f'DROP TABLE "{view}"']
        views.discard(view)
    for statement in statements:
        con.execute(statement)
    columns = staging_columns(t)
    now = [tuple(r) for r in con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main' ORDER BY column_index", [view]
    ).fetchall()]  # fmt: skip
    if view in views and now == [(c.name, c.comment) for c in columns]:  # the view as declared: nothing to write
        return
    con.execute(_staging_view(table))
    con.execute(f"COMMENT ON VIEW \"{view}\" IS {sql_text(f'{t.title}（已规范化）：{t.grain}')}")
    for c in columns:
        con.execute(f'COMMENT ON COLUMN "{view}"."{c.name}" IS {sql_text(c.comment)}')


def _staging_view(table: str) -> str:
    """``stg_<table>``: every staging column in its declared order, the ones ``source_records``
    holds read from there (a left join: a fields row without its record still shows)."""
    kept = kept_in_source_records()
    select = ", ".join(f's."{kept[c.name]}" AS "{c.name}"' if c.name in kept else f'f."{c.name}"' for c in staging_columns(TABLES[table]))
    return (
        f'CREATE OR REPLACE VIEW "stg_{table}" AS SELECT {select} FROM "{fields_table(table)}" f '
        "LEFT JOIN source_records s ON s.quarter = f.quarter AND s.record_id = f.record_id"
    )


def _insert_staging(con: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame | str) -> None:
    """The rows of ``stg_<table>`` (a frame, or the path of its Parquet file in the build folder)
    into ``stg_<table>_fields``: their own columns; the rest is in ``source_records``.  A column
    that is neither is refused, as ``_insert`` refuses one."""
    own = {c.name for c in fields_columns(TABLES[table])}
    if isinstance(rows, pl.DataFrame):
        names = rows.columns
    else:
        names = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [rows]).fetchall()]
    kept = kept_in_source_records()
    beside = () if isinstance(rows, pl.DataFrame) else (BESIDE_RECORD_ID, *source_records_only())  # (``spool_beside``)
    unknown = [c for c in names if c not in own and c not in kept and c not in beside]
    if unknown:
        raise ValueError(f"stg_{table}: no column(s) {', '.join(unknown)} in the staging declaration")
    present = [c for c in names if c in own]
    if isinstance(rows, pl.DataFrame):
        _insert(con, fields_table(table), rows.select(present))
        return
    columns = ", ".join(f'"{c}"' for c in present)
    con.execute(f'INSERT INTO "{fields_table(table)}" ({columns}) SELECT {columns} FROM read_parquet(?)', [rows])


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The statements of the block in one transaction: committed together, or rolled back together
    when the block raises (a kill included)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _execute_at_once(con: duckdb.DuckDBPyConnection, statements: list[str]) -> None:
    """Run ``statements`` in one transaction: one commit to the file instead of one each (the
    comments alone are some hundreds)."""
    if not statements:
        return
    with transaction(con):
        for statement in statements:
            con.execute(statement)


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the DuckDB file; writable, every table of the output contracts is there
    with its columns and Chinese comments (a file that already holds them is not written)."""
    con = duckdb.connect(str(path), read_only=read_only, config=duckdb_config(in_memory=False))
    if not read_only:
        catalog = _catalog(con)
        _execute_at_once(con, [s for schema in OUTPUT_CONTRACTS.values() for s in _contract_statements(catalog, schema)])
    return con


@contextmanager
def run_lock(db_path: Path | str) -> Iterator[None]:
    """Hold ``<db>.lock`` for a whole run; a second run on the same file is refused at once.

    The lock is the operating system's (``filelock``: Windows and Linux alike); the holder writes
    its process id to ``<db>.lock.pid`` so a refused run can name it.  A run that wrote no
    database (refused before writing) removes the lock file too.
    """
    lock_path, pid_path = Path(f"{db_path}.lock"), Path(f"{db_path}.lock.pid")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path, blocking=False)
    try:
        lock.acquire()
    except Timeout:
        try:
            holder = pid_path.read_text(encoding="utf-8").strip() or "?"
        except OSError:
            holder = "?"
        raise DatabaseBusy(
            f"数据库 {db_path} 正在被另一次运行使用（进程 {holder}）。请等它结束后再运行；数据库文件不会被改动。"
        ) from None
    try:
        pid_path.write_text(str(os.getpid()), encoding="utf-8")
        yield
    finally:
        pid_path.unlink(missing_ok=True)
        lock.release()
        if not Path(db_path).exists():  # a refused first run leaves nothing behind it
            lock_path.unlink(missing_ok=True)


def has_tables(con: duckdb.DuckDBPyConnection, *names: str) -> bool:
    """Whether the database holds every table in ``names`` (a file from an older doudi may not)."""
    found = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
    return set(names) <= found


def read_if_present(db_path: Path | str, table: str, sql: str, params: list | None = None) -> pl.DataFrame | None:
    """``sql`` over ``db_path`` (read-only) when the file and ``table`` exist and it returns rows;
    else None (a first run, a database written before the table existed)."""
    if not Path(db_path).exists():
        return None
    with connect(db_path, read_only=True) as con:
        if not has_tables(con, table):
            return None
        frame = con.sql(sql, params=params or []).pl()
    return frame if frame.height else None


def quarter_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT table_name FROM information_schema.columns "
        "WHERE column_name = 'quarter' AND table_schema = 'main'"
    ).fetchall()
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    return sorted(r[0] for r in rows if r[0] not in HISTORY_TABLES and r[0] not in views)


def write_quarter(
    con: duckdb.DuckDBPyConnection,
    quarter: str,
    tables: dict[str, pl.DataFrame],
    release: bool = False,
    build: Path | None = None,
    spooled: Iterable[str] = (),
) -> None:
    """Replace ``quarter`` in every quarter-scoped table with ``tables`` (name -> rows), atomically.

    ``release``: each frame leaves ``tables`` as soon as it is inserted (a run needs none of them
    after the write, and a province's are large), so memory falls as DuckDB's rises.
    ``build``, ``spooled``: tables already waiting in the run's build folder (``spool``), read by
    DuckDB from there in the same transaction, never through Python; ``source_records`` waits
    there beside the staging rows (``spool_beside``), each ``stg_<table>`` file holding its rows.

    Names ``stg_<table>`` create the staging view and its fields table on first use
    (``_create_staging``); their rows go to the fields table.  Every row must carry the
    ``quarter``.  Quarter-scoped tables not written lose that quarter's rows too, so a rerun never
    mixes old and new rows.
    """
    spooled = {name: str(spool_path(build, name)) for name in spooled}
    for name, frame in tables.items():
        if "quarter" not in frame.columns or frame.filter(pl.col("quarter") != quarter).height:
            raise ValueError(f"{name}: every row must carry quarter = {quarter}")
    for name, path in spooled.items():
        if name == "source_records":  # beside the staging rows (checked with them)
            continue
        (other,) = con.execute("SELECT count(*) FROM read_parquet(?) WHERE quarter IS DISTINCT FROM ?", [path, quarter]).fetchone()
        if other:
            raise ValueError(f"{name}: every row must carry quarter = {quarter}")
    with transaction(con):
        for name in [*tables, *spooled]:
            if name.startswith("stg_"):
                _create_staging(con, name.removeprefix("stg_"))
        for name in quarter_tables(con):
            con.execute(f'DELETE FROM "{name}" WHERE quarter = ?', [quarter])
        for name in list(tables):
            frame = tables.pop(name) if release else tables[name]
            with _row_order(con, name):
                if name.startswith("stg_"):
                    _insert_staging(con, name.removeprefix("stg_"), frame)
                else:
                    _insert(con, name, frame)
        for name, path in spooled.items():
            with _row_order(con, name):
                if name.startswith("stg_"):
                    _insert_staging(con, name.removeprefix("stg_"), path)
                elif name == "source_records":
                    _insert_source_records_beside(con, [p for n, p in spooled.items() if n.startswith("stg_")])
                else:
                    con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM read_parquet(?)', [path])


def _insert_source_records_beside(con: duckdb.DuckDBPyConnection, paths: list[str]) -> None:
    """``source_records`` from the staging tables' build files, where a run writes each table's
    rows of it beside the staging rows (``spool_beside``): the staging columns it shares under its
    own names (NULL where no table of the quarter has one), and the columns it holds alone."""
    if not paths:  # no staging rows: no record (every record is a row of one staging table)
        return
    files = f"read_parquet([{', '.join(sql_text(p) for p in paths)}], union_by_name = true)"
    present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {files}").fetchall()}
    named = [*kept_in_source_records().items(), *((c, c) for c in source_records_only())]
    columns = [f'"{staging}" AS "{name}"' if staging in present else f'NULL AS "{name}"' for staging, name in named]
    con.execute(f"INSERT INTO source_records BY NAME SELECT quarter, record_id, {', '.join(columns)} FROM {files}")


# The record-level tables are stored in no set row order: DuckDB inserts them in parallel, not
# in the order they arrive (``preserve_insertion_order``).  source_records' insert from the build
# folder: 12.0 -> 9.0 s at 1M households (5.8M rows), 55 -> 28 s and 2.3 -> 1.6 GB at a province's
# 17.4M; a large staging table's in half the time.  A reader that needs record order says
# ``ORDER BY record_id``; person_facts (a row per person) is written and stored in any order too (a
# reader says ``ORDER BY person_key``); the other tables keep the order they were written in.
STORED_IN_ANY_ORDER = ("source_records", "stg_", "person_facts")


@contextmanager
def _row_order(con: duckdb.DuckDBPyConnection, name: str) -> Iterator[None]:
    """The insert of table ``name`` in the block, in any row order when ``STORED_IN_ANY_ORDER`` says so."""
    if not name.startswith(STORED_IN_ANY_ORDER):
        yield
        return
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute("RESET preserve_insertion_order")


@contextmanager
def build_folder(db_path: Path | str) -> Iterator[Path]:
    """A scratch folder beside ``db_path`` for one run (``<db>.build``): the quarter's large
    tables wait there between the stages as Parquet files (``spool``) instead of in memory, and
    the rules' in-memory DuckDB spills into it beyond its cap.  Removed when the run ends,
    however it ends (a crashed run's is removed by the next, which holds the same lock)."""
    path = Path(f"{db_path}.build")
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def height(frame: pl.DataFrame | pl.LazyFrame) -> int:
    """Rows of a frame, eager or lazy (a Parquet scan counts from its metadata)."""
    return frame.height if isinstance(frame, pl.DataFrame) else frame.select(pl.len()).collect().item()


def spool_path(build: Path, name: str) -> Path:
    return Path(build) / f"{name}.parquet"


# The build folder's files are written once and read once or twice, on the same disk: lz4 writes
# them faster than polars' default zstd (0.82 s against 1.09 s for 1.16M source_records rows) and
# DuckDB and polars read them faster; they are half as large again.
SCRATCH_COMPRESSION = "lz4"


def write_scratch(frame: pl.DataFrame | pl.LazyFrame, path: Path) -> None:
    """``frame`` written to ``path``, a Parquet file of the build folder (a lazy frame streams
    there).  Without column statistics: nothing reads the build folder by ranges of values, and
    the minimum and maximum of every raw cell's JSON cost a tenth of the write (source_records
    at 1M households: 5.4-5.8 s -> 5.1-5.2 s)."""
    if isinstance(frame, pl.LazyFrame):
        frame.sink_parquet(path, compression=SCRATCH_COMPRESSION, statistics=False)
    else:
        frame.write_parquet(path, compression=SCRATCH_COMPRESSION, statistics=False)


def spool(build: Path, frames: dict[str, pl.DataFrame | pl.LazyFrame]) -> dict[str, pl.LazyFrame]:
    """Write ``frames`` to the build folder (Parquet: written in parallel, read back by DuckDB in
    parallel; a lazy frame streams there); each leaves ``frames`` once it is written.  Returns
    them read back lazily."""
    out = {}
    for name in list(frames):
        frame, path = frames.pop(name), spool_path(build, name)
        write_scratch(frame, path)
        del frame  # memory: now only on disk
        out[name] = pl.scan_parquet(path)
    return out


# The column of a build file that holds the record_id of the rows written beside a table's own
# (``spool_beside``): equal to the table's record_id on every row, or the write is refused.
BESIDE_RECORD_ID = "_beside_record_id"


def spool_beside(build: Path, name: str, frame: pl.DataFrame | pl.LazyFrame, beside: pl.LazyFrame) -> pl.LazyFrame:
    """``frame`` written to the build folder with the columns of ``beside`` next to its rows: one
    file for both (a run writes each staging table's rows of ``source_records`` beside it, instead
    of every shared column a second time).  ``beside`` holds the same rows in the same order, with
    their record_id in ``BESIDE_RECORD_ID``: checked once written.  Returns the file read back
    lazily, with the columns of ``frame`` only."""
    path = spool_path(build, name)
    columns = frame.collect_schema().names()
    try:
        write_scratch(pl.concat([frame.lazy(), beside], how="horizontal"), path)
    except pl.exceptions.ShapeError:
        raise AssertionError(f"{name}: its rows and the rows to write beside them differ in number") from None
    written = pl.scan_parquet(path)
    astray = written.select((pl.col("record_id").ne_missing(pl.col(BESIDE_RECORD_ID))).sum()).collect().item()
    if astray:
        raise AssertionError(f"{name}: {astray} row(s) written beside another table's rows")
    return written.select(columns)


def load_frame(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """Create table ``name`` holding ``frame`` (its columns and types), slice by slice."""
    con.from_arrow(frame.head(0).to_arrow()).create(f'"{name}"')
    for batch in frame.iter_slices(INSERT_BATCH_ROWS) if frame.height else []:
        con.from_arrow(batch.to_arrow()).insert_into(f'"{name}"')


# Rows handed to DuckDB at a time.  DuckDB reads a frame through an Arrow copy of it, so a 5M-row
# table goes in as slices (zero-copy in polars), each turned into Arrow here and dropped after its
# INSERT: the copy stays small.  (Registering the polars frame itself kept every slice's copy
# alive until the connection closed: +0.7 GB per 580k source_records rows.)
INSERT_BATCH_ROWS = 250_000


def _insert(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """Append ``frame`` to table ``name`` by column name (columns the frame lacks stay NULL)."""
    table_columns = [
        r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main' ORDER BY column_index", [name]
        ).fetchall()
    ]  # fmt: skip
    unknown = [c for c in frame.columns if c not in table_columns]
    if unknown:
        raise ValueError(f"{name}: no column(s) {', '.join(unknown)} in the database table")
    projection = ", ".join(f'"{c}"' if c in frame.columns else f'NULL AS "{c}"' for c in table_columns)
    for batch in frame.iter_slices(INSERT_BATCH_ROWS) if frame.height else [frame]:
        con.from_arrow(batch.to_arrow()).project(projection).insert_into(f'"{name}"')


def replace_history(con: duckdb.DuckDBPyConnection, name: str, rows: pl.DataFrame, key: tuple[str, ...]) -> None:
    """Replace the rows of history table ``name`` that share ``key`` with ``rows``, in one
    transaction: importing the same answers again replaces them, never duplicates."""
    if not rows.height:
        return
    columns = ", ".join(f'"{k}"' for k in key)
    with transaction(con):
        con.register("_incoming", rows)
        con.execute(f'DELETE FROM "{name}" WHERE ({columns}) IN (SELECT ({columns}) FROM _incoming)')
        con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM _incoming')
        con.unregister("_incoming")


def append(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """Append history rows (runs, run_files, case_feedback): one statement per slice, in the
    caller's transaction when it holds one (DuckDB commits each statement otherwise)."""
    _insert(con, name, frame)


def comment_view_columns(con: duckdb.DuckDBPyConnection, base: str = "cases") -> None:
    """Give every view over ``base`` the Chinese comments of ``base``'s columns (one transaction)."""
    _, columns = _catalog(con)
    comments = {c: comment for (t, c), comment in columns.items() if t == base and comment is not None}
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'").fetchall()}
    _execute_at_once(con, [
        f'COMMENT ON COLUMN "{view}"."{column}" IS {sql_text(comments[column])}'
        for (view, column), comment in columns.items()
        if view in views and column in comments and comment != comments[column]
    ])  # fmt: skip
