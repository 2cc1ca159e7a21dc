"""``run_rules``: the screening stage as a pure function, frames in and frames out.

Everything runs in one in-memory DuckDB connection, capped by :mod:`pipeline.limits` and
spilling beyond the cap.  Given a run's build folder (``build``, :func:`pipeline.store.build_folder`)
the staging rows stay on disk there as Parquet, read through views, and the spill goes there.

1. the staging frames (``stg_<table>``, ``persons``), made complete by :mod:`.staging`, and the
   policy's structured values as small tables (:mod:`.policy_tables`) are loaded, slice by slice;
   with a build folder the staging frames are written there as Parquet (``store.spool``, where
   the write then reads them from) and the rules read them through views; with ``release`` each
   frame leaves the caller's dict as it goes;
2. every fact of ``sql/facts`` is materialised once, in dependency order (a view where its header
   says ``materialized: view``);
3. every rule of ``sql/rules`` runs with its policy numbers bound; its rows, tagged with the sieve,
   kind and name of the rule's own header, go to ``rule_hits``;
4. ``sql/marts`` turns the hits into ``cases`` (dead-person filter, one case per rule and person,
   evidence, 新增 / 延续), ``resolved_cases`` (销号) and ``overlap_rates``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from contracts.sources import TABLES
from contracts.outputs import FEEDBACK_COLUMNS, Cases, dtypes
from pipeline.limits import duckdb_config
from pipeline.policy import Policy
from pipeline.quarter import Quarter
from pipeline.rules import sqlfiles
from pipeline.rules.policy_tables import policy_tables
from pipeline.rules.staging import extra_persons_sql, staging_inputs
from pipeline.store import load_frame, spool, spool_beside, spool_path, sql_text

# The columns of ``cases`` the rules make (the contract less the townships' feedback, which
# pipeline/feedback adds after the rules).
CASES_SCHEMA: dict[str, pl.DataType] = dtypes(Cases, drop=FEEDBACK_COLUMNS)

_RULE_HITS = """
CREATE TABLE rule_hits (
    seq BIGINT, rule_code VARCHAR, sieve BIGINT, kind VARCHAR, rule_name VARCHAR,
    person_key VARCHAR, detail VARCHAR, amount DOUBLE, record_ids BIGINT[]
)"""


def _bind_values(policy: Policy, quarter: Quarter) -> dict[str, object]:
    return {
        **policy.scalars(),
        "quarter": str(quarter),
        "quarter_start": quarter.start,
        "reference_date": quarter.reference_date,
    }


def _previous(previous_cases: pl.DataFrame | None) -> pl.DataFrame:
    from pipeline.rules.staging import conform

    return conform(previous_cases, CASES_SCHEMA)


def _materialise(con: duckdb.DuckDBPyConnection, name: str, sql: str, values: dict) -> None:
    con.execute(f'CREATE TABLE "{name}" AS {sql}', sqlfiles.bind(sql, values))


def _query(con: duckdb.DuckDBPyConnection, sql: str, values: dict) -> pl.DataFrame:
    return con.sql(sql, params=sqlfiles.bind(sql, values)).pl()


def connect(
    tables: dict[str, pl.DataFrame],
    policy: Policy,
    quarter: str,
    previous_cases: pl.DataFrame | None = None,
    unscreened: list[str] | tuple[str, ...] = (),
    build: Path | None = None,
    release: bool = False,
    beside: dict[str, pl.LazyFrame] | None = None,
) -> tuple[duckdb.DuckDBPyConnection, dict[str, object]]:
    """A connection holding the inputs, the policy tables and every fact (for tests and for an
    analyst who wants to look at the facts), and the values its SQL binds.

    ``build``: the run's build folder, where the staging frames are written and read from (else
    they are loaded into the database); ``release``: each input frame leaves ``tables`` as soon as
    it is loaded; ``beside`` (with ``build``): per ``stg_<table>``, columns written beside its rows
    in its file (``store.spool_beside``: a run's rows of ``source_records``, which the database
    write reads from there); the rules do not see them.
    """
    q = Quarter.parse(quarter)
    values = _bind_values(policy, q)
    if build is None:
        con = duckdb.connect(config=duckdb_config(in_memory=True))
    else:
        con = duckdb.connect(config=duckdb_config(in_memory=True, spill=Path(build) / "spill"))
    for name, frame in staging_inputs(tables, release):
        if build is None or name == "persons":
            load_frame(con, name, frame.collect() if isinstance(frame, pl.LazyFrame) else frame)
        else:
            columns = ", ".join(f'"{c}"' for c in frame.collect_schema().names())
            if beside and name in beside:
                spool_beside(build, name, frame, beside.pop(name))
            else:
                spool(build, {name: frame})
            con.execute(f'CREATE VIEW "{name}" AS SELECT {columns} FROM read_parquet({sql_text(spool_path(build, name).as_posix())})')
        del frame  # memory: only DuckDB's copy (or the Parquet file) is kept
    if beside:  # rows meant to wait beside a staging table the rules do not know
        raise ValueError(f"no staging table {', '.join(sorted(beside))} to write its rows of source_records beside")
    con.execute(extra_persons_sql())
    titles = pl.DataFrame({"source_table": list(TABLES), "title": [t.title for t in TABLES.values()]})
    small = {**policy_tables(policy), "source_titles": titles, "previous_cases": _previous(previous_cases),
             "unscreened_rules": pl.DataFrame({"rule_code": list(unscreened)}, schema={"rule_code": pl.Utf8})}  # fmt: skip
    for name, frame in small.items():
        load_frame(con, name, frame)
    con.execute(sqlfiles.macros())
    for fact in sqlfiles.load_facts():
        if fact.view:
            con.execute(f'CREATE VIEW "{fact.name}" AS {fact.sql}')
        else:
            _materialise(con, fact.name, fact.sql, values)
    return con, values


def run_rule(con: duckdb.DuckDBPyConnection, rule: sqlfiles.Rule, values: dict, seq: int) -> None:
    """Append the rows of one rule to ``rule_hits``, tagged from the rule's header.

    DuckDB takes one parameter style per statement, so the tags go in as a one-row table and the
    rule's own ``$name`` parameters are bound by name.
    """
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _rule AS SELECT ? AS seq, ? AS rule_code, ? AS sieve, ? AS kind, ? AS rule_name",
        [seq, rule.code, rule.sieve, rule.kind, rule.name],
    )
    con.execute(
        "INSERT INTO rule_hits SELECT r.seq, r.rule_code, r.sieve, r.kind, r.rule_name, "
        "h.person_key, h.detail, h.amount, h.record_ids "
        f"FROM _rule AS r, ({rule.sql}\n) AS h",
        sqlfiles.bind(rule.sql, values),
    )


def run_rules(
    tables: dict[str, pl.DataFrame],
    policy: Policy,
    quarter: str,
    previous_cases: pl.DataFrame | None = None,
    unscreened: list[str] | tuple[str, ...] = (),
    build: Path | None = None,
    release: bool = False,
    beside: dict[str, pl.LazyFrame] | None = None,
) -> dict[str, pl.DataFrame]:
    """Every screening rule, the overlap rates and the quarter-over-quarter status of a quarter.

    ``tables``: the quarter's ``stg_<table>`` frames (any may be missing) and ``persons``.
    ``previous_cases``: the previous quarter's ``cases`` (or None): same ``case_id`` -> 延续.
    ``unscreened``: rule codes not run this quarter (a table they read was not exported): their
    previous open cases are carried as 延续, ``not_rechecked``, never 销号.
    Returns ``cases``, ``resolved_cases``, ``overlap_rates``, ``person_facts`` (one row per person
    with the facts the rules share, and the quarter) and ``rule_hits`` (every row every rule
    selected, before the dead-person filter and merging).
    ``build``, ``release``, ``beside``: as for ``connect`` (a run: its build folder, its frames let
    go, source_records' rows written beside the staging rows); with
    ``build``, ``person_facts`` and ``rule_hits`` (a row per person, a row per hit: the large ones)
    are written there by DuckDB and returned as lazy scans of their files (``store.spool_path``),
    never held in this process.
    """
    con, values = connect(tables, policy, quarter, previous_cases, unscreened, build, release, beside)
    try:
        con.execute(_RULE_HITS)
        for seq, rule in enumerate(sqlfiles.load_rules()):
            if rule.code not in unscreened:
                run_rule(con, rule, values, seq)
        _materialise(con, "cases", sqlfiles.load_mart("cases").sql, values)
        large = {  # the quarter is a parsed one (2026Q3): written as it is
            # person_facts is stored in any row order (``store.STORED_IN_ANY_ORDER``): its sort cost 0.7 s at 1M
            "person_facts": f"SELECT *, '{Quarter.parse(quarter)}' AS quarter FROM fct_person_quarter",
            "rule_hits": "SELECT * FROM rule_hits ORDER BY seq, person_key",
        }
        out = {
            "cases": con.sql("SELECT * FROM cases").pl(),
            "resolved_cases": _query(con, sqlfiles.load_mart("resolved_cases").sql, values),
            "overlap_rates": _query(con, sqlfiles.load_mart("overlap_rates").sql, values),
            **{name: _large(con, name, sql, build) for name, sql in large.items()},
        }
    finally:
        con.close()
    return out


def _large(con: duckdb.DuckDBPyConnection, name: str, sql: str, build: Path | None) -> pl.DataFrame | pl.LazyFrame:
    """The rows of ``sql``: in memory, or with ``build`` written to its file there and scanned lazily."""
    if build is None:
        return con.sql(sql).pl()
    path = spool_path(build, name)
    con.execute(f"COPY ({sql}) TO {sql_text(path.as_posix())} (FORMAT parquet)")
    return pl.scan_parquet(path)


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """Create the views over ``cases`` in a DuckDB file: every file of ``sql/views``."""
    for statement in sqlfiles.load_views():
        con.execute(statement)
