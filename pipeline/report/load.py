"""Read what the reports need from a DuckDB file, read-only, tolerating missing tables and columns.

Every table is read into polars with exactly the columns the reports use; a column the database
lacks comes back as nulls and a table it lacks as an empty frame, and ``ReportData.gaps`` says so
in words (the cover sheet and the ledgers print it) instead of failing the reports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path

import duckdb
import polars as pl

from contracts.outputs import FEEDBACK_COLUMNS, Cases, OverlapRates, Persons, dtypes

from pipeline.quarter import Quarter
from pipeline.report.terms import UNKNOWN_TOWNSHIP

# not_rechecked: an open case of the previous quarter carried because its rule could not run.
CASES = {**dtypes(Cases, drop=("record_ids",)), "not_rechecked": pl.Boolean}
OVERLAP = dtypes(OverlapRates, drop=("township", "village"))
PERSONS = dtypes(Persons, drop=("n_records", "source_tables"))
RESOLVED = {"quarter": pl.Utf8, "case_id": pl.Utf8, "county": pl.Utf8, "township": pl.Utf8, "sieve": pl.Int64}
FEEDBACK = {"quarter": pl.Utf8, "case_id": pl.Utf8, "check_result": pl.Utf8, "rectified": pl.Boolean, "closed_date": pl.Date}
REJECTED = {"quarter": pl.Utf8, "file_name": pl.Utf8, "row_number": pl.Int64, "source_table": pl.Utf8, "reason": pl.Utf8}
# Columns read as nulls without a word in ``gaps`` when a database lacks them.
OPTIONAL = frozenset(FEEDBACK_COLUMNS) | {"not_rechecked", "completeness"}
FACTS = {
    "quarter": pl.Utf8,
    "person_key": pl.Utf8,
    "age": pl.Int64,
    "is_dead": pl.Boolean,
    "in_dibao": pl.Boolean,
    "in_tekun": pl.Boolean,
    "in_ertong": pl.Boolean,
    "is_three_groups": pl.Boolean,
    "is_severe": pl.Boolean,
    "is_major_ill": pl.Boolean,
    "has_living_subsidy": pl.Boolean,
    "has_care_subsidy": pl.Boolean,
    "is_insured": pl.Boolean,
    "is_aided_insurance": pl.Boolean,
    "dibao_household": pl.Utf8,
    "registry_household": pl.Utf8,
}
RUNS = {
    "run_id": pl.Utf8,
    "quarter": pl.Utf8,
    "status": pl.Utf8,
    "started_at": pl.Datetime("us"),
    "finished_at": pl.Datetime("us"),
    "input_dir": pl.Utf8,
    "files": pl.Utf8,
    "policy": pl.Utf8,
    "code_version": pl.Utf8,
    "counts": pl.Utf8,
    "completeness": pl.Utf8,
}
TABLE_WORDS = {
    "cases": "问题线索（cases）",
    "overlap_rates": "重合率（overlap_rates）",
    "persons": "人员（persons）",
    "person_facts": "人员政策享受情况（person_facts）",
    "runs": "运行记录（runs）",
    "resolved_cases": "销号问题（resolved_cases）",
    "case_feedback": "乡镇反馈（case_feedback）",
    "rejected_rows": "未采用的数据行（rejected_rows）",
}


@dataclass(frozen=True)
class RunInfo:
    run_id: str | None
    status: str | None
    started_at: object
    finished_at: object
    input_dir: str | None
    code_version: str | None
    files: list[dict]
    # runs.completeness: missing_tables, not_exported, unscreened_rules, volume_drops ({} when absent)
    completeness: dict = field(default_factory=dict)

    @property
    def unscreened(self) -> frozenset[str]:
        """Rule codes not run this quarter (a table they read is missing): 未筛查."""
        return frozenset(str(r) for r in self.completeness.get("unscreened_rules") or [])


@dataclass
class ReportData:
    quarter: str
    cases: pl.DataFrame
    overlap: pl.DataFrame
    persons: pl.DataFrame
    facts: pl.DataFrame | None  # None when the database cannot tell (no person_facts or persons)
    run: RunInfo | None
    history_cases: pl.DataFrame  # every quarter: quarter, township, sieve, kind, status, n
    history_overlap: pl.DataFrame  # every quarter, county level
    gaps: list[str] = field(default_factory=list)  # what the database lacks, in words
    facts_missing: frozenset[str] = frozenset()  # person_facts columns the database lacks (read as null)
    # 销号 this quarter, the previous quarter's cases and their answers, rows not used (may be empty)
    resolved: pl.DataFrame = field(default_factory=lambda: _empty(RESOLVED))
    previous: pl.DataFrame = field(default_factory=lambda: _empty(CASES))
    feedback: pl.DataFrame = field(default_factory=lambda: _empty(FEEDBACK))
    rejected: pl.DataFrame = field(default_factory=lambda: _empty(REJECTED))

    def counties(self) -> list[str]:
        """The counties of this quarter's persons and cases, by name (persons of no county aside)."""
        names = set(self.cases.get_column("county").drop_nulls()) | set(self.persons.get_column("county").drop_nulls())
        return sorted(names - {UNKNOWN_TOWNSHIP})

    def for_county(self, county: str) -> "ReportData":
        """One county's part: every report keys a township by (county, township)."""
        mine = pl.col("county") == county
        keys = self.persons.filter(mine).get_column("person_key").implode()
        return replace(
            self,
            cases=self.cases.filter(mine),
            overlap=self.overlap.filter(mine),
            persons=self.persons.filter(mine),
            facts=None if self.facts is None else self.facts.filter(pl.col("person_key").is_in(keys)),
            history_cases=self.history_cases.filter(mine),
            history_overlap=self.history_overlap.filter(mine),
            resolved=self.resolved.filter(mine),
            previous=self.previous.filter(mine),
        )

    def for_township(self, township: str) -> "ReportData":
        """What one township's workbook reads, and nothing more: its cases and rates, its
        residents, everyone its lists name, their facts, the 低保 户主 their households name, and
        its part of last quarter's list (``workbook.write_township`` gives the same workbook from
        this as from the whole)."""
        keys = pl.concat(
            [
                self.persons.filter(pl.col("township") == township).get_column("person_key"),
                self.cases.filter(pl.col("township") == township).get_column("person_key"),
            ]
        ).drop_nulls().unique().implode()
        facts = None if self.facts is None else self.facts.filter(pl.col("person_key").is_in(keys))
        heads = (
            facts.get_column("dibao_household").drop_nulls().unique().implode()
            if facts is not None and "dibao_household" in facts.columns
            else pl.Series([], dtype=pl.Utf8).implode()
        )
        cases = self.cases.filter((pl.col("township") == township) | pl.col("person_key").is_in(keys))
        towns = cases.get_column("township").unique().implode()  # the cover counts last quarter's list of these
        return replace(
            self,
            cases=cases,
            overlap=self.overlap.filter((pl.col("unit") == township) | (pl.col("level") == "县")),
            persons=self.persons.filter(pl.col("person_key").is_in(keys) | pl.col("id_number").is_in(heads)),
            facts=facts,
            history_cases=self.history_cases.filter(pl.col("township") == township),
            gaps=list(self.gaps),
            previous=self.previous.filter(pl.col("township").is_in(towns)),
            resolved=self.resolved.filter(pl.col("township").is_in(towns)),
            rejected=self.rejected.clear(),  # the county summary's (a worker is sent a township's slice: 2 MB less each at 1M)
        )

    @cached_property
    def households(self) -> pl.DataFrame | None:
        """person_key -> household parts (``households.household_lookup``), built once."""
        from pipeline.report.households import household_lookup

        return household_lookup(self.facts, self.persons)


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.sql(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'"
    ).fetchall()
    out: dict[str, set[str]] = {}
    for table, column in rows:
        out.setdefault(table, set()).add(column)
    return out


def _read(
    con: duckdb.DuckDBPyConnection,
    have: dict[str, set[str]],
    table: str,
    schema: dict[str, pl.DataType],
    gaps: list[str],
    where: str = "",
    params: list | None = None,
    required: tuple[str, ...] = (),
) -> pl.DataFrame | None:
    """The table with exactly ``schema``'s columns; None when it or a ``required`` column is missing."""
    if table not in have:
        gaps.append(f"数据库中没有{TABLE_WORDS.get(table, table)}表")
        return None
    present = [c for c in schema if c in have[table]]
    missing = [c for c in schema if c not in have[table] and c not in OPTIONAL]
    if missing:
        gaps.append(f"{TABLE_WORDS.get(table, table)}表缺少列：{'、'.join(missing)}")
    if any(c in missing for c in required):
        return None
    if "quarter" in where and "quarter" not in have[table]:
        return None
    cols = ", ".join(f'"{c}"' for c in present)
    frame = con.sql(f'SELECT {cols} FROM "{table}" {where}', params=params or []).pl() if present else pl.DataFrame()
    frame = frame.with_columns(
        [pl.lit(None, dtype=t).alias(c) for c, t in schema.items() if c not in frame.columns]
    )
    return frame.select([pl.col(c).cast(t, strict=False) for c, t in schema.items()])


def _empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def _as_fraction(frame: pl.DataFrame) -> pl.DataFrame:
    """Rates are fractions (0-1); a database that stored percentages (any rate > 1) is scaled."""
    if frame.is_empty():
        return frame
    top = frame.select(pl.max_horizontal(pl.col("left_rate").max(), pl.col("right_rate").max())).item()
    if top is not None and top > 1.0:
        return frame.with_columns(pl.col("left_rate") / 100, pl.col("right_rate") / 100)
    return frame


def _run(con, have, quarter: str, gaps: list[str]) -> RunInfo | None:
    runs = _read(con, have, "runs", RUNS, gaps, "WHERE quarter = ?", [quarter], required=("quarter",))
    if runs is None or runs.is_empty():
        if runs is not None:
            gaps.append(f"运行记录（runs）表中没有 {quarter} 的运行")
        return None
    runs = runs.with_columns((pl.col("status") == "succeeded").alias("_ok")).sort(
        ["_ok", "started_at"], descending=True, nulls_last=True
    )
    r = runs.row(0, named=True)
    try:
        files = json.loads(r["files"]) if r["files"] else []
    except json.JSONDecodeError:
        files = []
    if not isinstance(files, list):
        files = []
    try:
        completeness = json.loads(r["completeness"]) if r["completeness"] else {}
    except json.JSONDecodeError:
        completeness = {}
    return RunInfo(
        r["run_id"], r["status"], r["started_at"], r["finished_at"], r["input_dir"], r["code_version"],
        [f for f in files if isinstance(f, dict)],
        completeness if isinstance(completeness, dict) else {},
    )


def _of_county(have: dict[str, set[str]], table: str, where: str, params: list, county: str | None) -> tuple[str, list]:
    """``where`` narrowed to one county's rows when the table says the county (else as it is: the
    caller's ``for_county`` narrows the frame)."""
    if county is None or "county" not in have.get(table, set()):
        return where, params
    mine = "(county IS NULL OR county = ?)" if county == UNKNOWN_TOWNSHIP else "county = ?"  # no county: as ``_residence`` reads it
    return (f"{where} AND {mine}" if where else f"WHERE {mine}"), [*params, county]


def load(db_path: Path | str, quarter: str, county: str | None = None, named: bool = False) -> ReportData:
    """The quarter's report data; with ``county``, only that county's rows of the large tables are
    read (``load(db, q, county).for_county(county)`` is ``load(db, q).for_county(county)``; the
    persons of no county: ``UNKNOWN_TOWNSHIP``).  With ``named`` and a county, only the persons its
    cases name and the 低保 户主 of their households, with their facts: what a list of cases
    without ledgers reads (the 居住地不详 list), not every resident."""
    quarter = str(Quarter.parse(quarter))
    gaps: list[str] = []
    with duckdb.connect(str(db_path), read_only=True) as con:
        have = _columns(con)
        where = "WHERE quarter = ?"
        mine = partial(_of_county, have, county=county)
        cases = _read(con, have, "cases", CASES, gaps, *mine("cases", where, [quarter]), required=("quarter", "sieve"))
        overlap = _read(con, have, "overlap_rates", OVERLAP, gaps, *mine("overlap_rates", where, [quarter]), required=("quarter",))
        of_county = mine("persons", where, [quarter])
        if named and county is not None and "person_key" in have.get("cases", set()) and "dibao_household" in have.get("person_facts", set()):
            cases_where, cases_params = mine("cases", where, [quarter])
            keys = f"(SELECT person_key FROM cases {cases_where})"
            heads = f"(SELECT dibao_household FROM person_facts WHERE quarter = ? AND person_key IN {keys})"
            of_county = (f"{of_county[0]} AND (person_key IN {keys} OR id_number IN {heads})", [*of_county[1], *cases_params, quarter, *cases_params])
        persons = _read(con, have, "persons", PERSONS, gaps, *of_county, required=("quarter", "person_key"))
        of_persons = (  # one county's facts: those of its persons
            (f"{where} AND person_key IN (SELECT person_key FROM persons {of_county[0]})", [quarter, *of_county[1]])
            if county is not None and "person_key" in have.get("persons", set())
            else (where, [quarter])
        )
        facts = _read(con, have, "person_facts", FACTS, gaps, *of_persons, required=("quarter", "person_key"))
        run = _run(con, have, quarter, gaps)
        history = _read(con, have, "cases", CASES, [], *mine("cases", "", []), required=("quarter", "sieve"))
        history_overlap = _read(con, have, "overlap_rates", OVERLAP, [], *mine("overlap_rates", "WHERE level = '县'", []), required=("quarter", "level"))
        previous_q = str(Quarter.parse(quarter).previous())
        resolved = _read(con, have, "resolved_cases", RESOLVED, [], *mine("resolved_cases", where, [quarter]), required=("quarter",))
        previous = _read(con, have, "cases", CASES, [], *mine("cases", where, [previous_q]), required=("quarter", "sieve"))
        feedback = _read(con, have, "case_feedback", FEEDBACK, [], where, [previous_q], required=("quarter", "case_id"))
        rejected = _read(con, have, "rejected_rows", REJECTED, [], where, [quarter], required=("quarter",))
    cases = cases if cases is not None else _empty(CASES)
    overlap = _as_fraction(overlap if overlap is not None else _empty(OVERLAP))
    persons = persons if persons is not None else _empty(PERSONS)
    cases = _residence(cases).with_columns(
        pl.col("false_report").fill_null(False),
        pl.col("rectification_failed").fill_null(False),
        pl.col("not_rechecked").fill_null(False),
    )
    persons = _residence(persons)
    if facts is not None and persons.is_empty():
        gaps.append("人员（persons）表中没有本季度的人员，无法按乡镇列出台账")
        facts = None
    facts_missing = frozenset(c for c in FACTS if c not in have.get("person_facts", set()))
    history = history if history is not None else _empty(CASES)
    history_cases = _residence(history).group_by(["quarter", "county", "township", "sieve", "kind", "status"]).agg(pl.len().alias("n"))
    return ReportData(
        quarter=quarter,
        cases=cases,
        overlap=overlap,
        persons=persons,
        facts=facts,
        run=run,
        history_cases=history_cases,
        history_overlap=_as_fraction(history_overlap if history_overlap is not None else _empty(OVERLAP)),
        gaps=list(dict.fromkeys(gaps)),
        facts_missing=facts_missing,
        resolved=_residence(resolved if resolved is not None else _empty(RESOLVED)),
        previous=_residence(previous if previous is not None else _empty(CASES)),
        feedback=feedback if feedback is not None else _empty(FEEDBACK),
        rejected=rejected if rejected is not None else _empty(REJECTED),
    )


def report_counties(db_path: Path | str, quarter: str) -> list[str]:
    """``load(db_path, quarter).counties()``, read without loading the quarter."""
    quarter = str(Quarter.parse(quarter))
    with duckdb.connect(str(db_path), read_only=True) as con:
        have = _columns(con)
        tables = [t for t in ("cases", "persons") if {"quarter", "county"} <= have.get(t, set())]
        names = {
            name
            for t in tables
            for (name,) in con.execute(f'SELECT DISTINCT county FROM "{t}" WHERE quarter = ? AND county IS NOT NULL', [quarter]).fetchall()
        }
    return sorted(names - {UNKNOWN_TOWNSHIP})


def _residence(frame: pl.DataFrame) -> pl.DataFrame:
    """No township: the person's residence is unknown (``UNKNOWN_TOWNSHIP``, as overlap_rates says)."""
    return frame.with_columns(pl.col("township").fill_null(UNKNOWN_TOWNSHIP), pl.col("county").fill_null(UNKNOWN_TOWNSHIP))
