"""Every frame of the quarter checked against its contract before anything is written.

``contracts/outputs.py`` declares the output tables (types, not-null keys, unique ``record_id``,
the quarter's form, the allowed words of ``kind`` / ``status`` ...) and ``contracts/staging.py``
the ``stg_<table>`` tables.  ``check_outputs`` validates each frame lazily (every failure collected)
and, when one fails, stops the write with ``OutputContractError`` naming the table, the column,
the check and its first bad values: a defect of the pipeline, never a half-written quarter.
Pandera's failure cases are kept as data (``failures``), not re-read from its message.
"""

from __future__ import annotations

from functools import cache

import pandera.errors as pa_errors
import pandera.polars as pa
import polars as pl

from contracts.outputs import OUTPUT_CONTRACTS
from contracts.sources import TABLES
from contracts.staging import staging_contract

FIRST_VALUES = 5  # bad values quoted per column and check


class OutputContractError(AssertionError):
    """A table of the quarter broke its contract; ``failures`` holds table, column, check, value."""

    def __init__(self, failures: pl.DataFrame) -> None:
        self.failures = failures
        lines = [
            f"{r['table']}.{r['column']}：{r['check']}，前几个不符合的值：{r['values']}"
            for r in failures.iter_rows(named=True)
        ]
        super().__init__("本季度的输出不符合表的约定，未写入数据库：\n" + "\n".join(lines))


@cache  # a Pandera schema takes ~10 ms to build (it deep-copies its columns); a run asks twice per table
def contract_for(name: str) -> pa.DataFrameSchema | None:
    if name.startswith("stg_"):
        return staging_contract(TABLES[name.removeprefix("stg_")])
    return OUTPUT_CONTRACTS.get(name)


def _reads_values(column: pa.Column) -> bool:
    """Whether a column's contract looks at its values (a check, uniqueness, not null); else its
    type is all there is to check."""
    return bool(column.checks) or column.unique or not column.nullable


# Rows of a lazy frame's keys read at once (``failures_of``): a batch of a province's 17.5M
# source_records rows is read, checked and let go before the next (read whole, the keys and
# Pandera's copies of them took 2.5 GB), in one pass over the frame.
CHECK_ROWS = 2_000_000


def failures_of(name: str, frame: pl.DataFrame | pl.LazyFrame, schema: pa.DataFrameSchema) -> pl.DataFrame:
    """(table, column, check, values) per failing column and check of ``frame`` ({} when it passes).

    A lazy frame (a table waiting in the build folder) is checked without reading it whole: its
    columns and types from its schema, and only the values of the columns whose contract looks at
    them (the keys), ``CHECK_ROWS`` rows at a time; a unique key is read alone, for its repeated
    values."""
    cases = _failure_cases(frame, schema)
    return cases.group_by("column", "check", maintain_order=True).agg(
        pl.col("failure_case").unique(maintain_order=True).head(FIRST_VALUES).str.join("、").alias("values")
    ).select(pl.lit(name, pl.Utf8).alias("table"), "column", "check", "values")


_NO_CASES = {"column": pl.Utf8, "check": pl.Utf8, "failure_case": pl.Utf8}


def _failure_cases(frame: pl.DataFrame | pl.LazyFrame, schema: pa.DataFrameSchema) -> pl.DataFrame:
    """column, check, failure_case: every failure Pandera finds (a lazy frame: see ``failures_of``)."""
    if isinstance(frame, pl.LazyFrame):
        if schema.checks or schema.unique:  # a check of whole rows: read them all
            return _failure_cases(frame.collect(), schema)
        present = frame.collect_schema()
        read = [c for c, column in schema.columns.items() if _reads_values(column) and c in present]
        unique = [c for c in read if schema.columns[c].unique]
        per_row = schema.select_columns(read).update_columns({c: {"unique": False} for c in unique})
        parts = [_failure_cases(pl.DataFrame(schema=present), schema)]  # the columns and their types
        if read:  # one pass, a batch at a time (a slice of a lazy frame over many files reads those before it)
            parts += [_failure_cases(batch, per_row) for batch in frame.select(read).collect_batches(chunk_size=CHECK_ROWS)]
        for c in unique:
            repeated = frame.select(c).filter(pl.col(c).is_duplicated()).collect()
            parts.append(_failure_cases(repeated, schema.select_columns([c])) if repeated.height else pl.DataFrame(schema=_NO_CASES))
        return pl.concat(parts).unique(maintain_order=True)  # a key of the wrong type fails in both
    try:
        schema.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as err:
        return err.failure_cases.select(
            pl.col("column").cast(pl.Utf8).fill_null(""),
            pl.col("check").cast(pl.Utf8),
            pl.col("failure_case").cast(pl.Utf8),
        )
    return pl.DataFrame(schema=_NO_CASES)


def check_outputs(tables: dict[str, pl.DataFrame | pl.LazyFrame]) -> None:
    """Validate every frame that has a contract; raise ``OutputContractError`` on any failure."""
    unknown = [name for name in tables if contract_for(name) is None]
    if unknown:
        raise OutputContractError(
            pl.DataFrame({"table": unknown, "column": "", "check": "没有约定的表", "values": ""})
        )
    failures = [failures_of(name, frame, contract_for(name)) for name, frame in tables.items()]
    found = pl.concat(failures)
    if found.height:
        raise OutputContractError(found)
