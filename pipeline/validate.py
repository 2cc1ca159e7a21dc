"""Judge normalised rows against their table's contract: accepted, or rejected with reasons.

One row in, exactly one row out: either in ``accepted`` or in ``rejected`` (never dropped).
A row is rejected when normalisation could not parse one of its cells (``problems``) or when it
fails its Pandera contract (``contracts/inputs.py``); every reason names the Chinese column header
and says what is wrong, so a clerk can fix the export.

Failures are kept as data until the end: one row per failure with ``row`` (the row's index),
``column`` (the canonical key, null for a check on the whole row), ``check`` (the check's name,
or ``parse`` for a cell normalisation could not read) and ``value`` (the cell, or for ``parse``
normalisation's sentence).  Only ``_reasons`` turns them into Chinese.
"""

from __future__ import annotations

import pandera.errors as pa_errors
import polars as pl

from contracts.inputs import CHECK_WORDS, INPUT_CONTRACTS
from contracts.sources import ID, TABLES, Table, all_columns

_IDX = "__row_index"
_REASON = "__reject_reason"
PARSE = "parse"  # the check name of a cell normalisation could not read
ID_PRESENT = "id_present"  # contracts/inputs.py: the person's ID cell holds a digit
FAILURES = {"row": pl.Int64, "column": pl.Utf8, "check": pl.Utf8, "value": pl.Utf8}


def _headers(table: Table) -> dict[str, str]:
    return {c.key: c.header for c in all_columns(table)}


def _column_key(table: Table) -> dict[str, str]:
    """The contract's column name -> the canonical key (an ID is judged on ``<key>_raw``)."""
    return {f"{c.key}_raw": c.key for c in all_columns(table) if c.kind == ID}


def contract_failures(table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    """The contract's failure cases of ``frame`` (indexed from 0), as FAILURES."""
    try:
        INPUT_CONTRACTS[table.name].validate(frame, lazy=True)
    except pa_errors.SchemaErrors as err:
        cases = err.failure_cases
    else:
        return pl.DataFrame(schema=FAILURES)
    if cases.filter(pl.col("index").is_null()).height:
        # A column-level failure (wrong dtype, ...) is a defect of normalisation, not of the export.
        raise RuntimeError(f"{table.name}: contract failed on whole columns:\n{cases.filter(pl.col('index').is_null())}")
    # Pandera names a check by its name, or by its ``error`` text when one is given (words already).
    check = pl.coalesce(pl.col("check").str.extract(r"^([a-z_]+)$", 1), pl.col("check").str.extract(r"^([a-z_]+)\(", 1), pl.col("check"))
    row_check = pl.col("schema_context") == "DataFrameSchema"
    failures = cases.select(
        pl.col("index").cast(pl.Int64).alias("row"),
        pl.when(row_check).then(None).otherwise(pl.col("column").replace(_column_key(table))).alias("column"),
        check.alias("check"),
        pl.when(row_check).then(None).otherwise(pl.col("failure_case").cast(pl.Utf8)).alias("value"),
    )
    # The ID check is on the whole row (残联: the 身份证号 or the 残疾人证号): it is about 身份证号.
    person_id = frame.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("row"), pl.col("id_number_raw").alias("__id"))
    failures = failures.join(person_id, on="row", how="left").with_columns(
        pl.when(pl.col("check") == ID_PRESENT).then(pl.lit("id_number")).otherwise(pl.col("column")).alias("column"),
        pl.when(pl.col("check") == ID_PRESENT).then(pl.col("__id")).otherwise(pl.col("value")).alias("value"),
    )
    return failures.drop("__id").unique(maintain_order=True)


def parse_failures(table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    """Normalisation's ``problems`` as FAILURES: ``column`` is the column the sentence names
    (normalisation starts each sentence with the column's header), ``value`` the sentence."""
    headers = _headers(table)
    sentences = frame.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("row"), pl.col("problems").alias("value"))
    sentences = sentences.explode("value").drop_nulls("value")
    column = pl.lit(None, pl.Utf8)
    for key, header in headers.items():
        column = pl.when(pl.col("value").str.starts_with(f"{header}：")).then(pl.lit(key)).otherwise(column)
    return sentences.select("row", column.alias("column"), pl.lit(PARSE).alias("check"), "value")


def failures(table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    """Every failure of every row: the parse problems, then the contract's.

    A cell that could not be parsed is also blank to the contract: it is said once, as the
    parse problem."""
    parsed = parse_failures(table, frame)
    contract = contract_failures(table, frame).join(
        parsed.select("row", "column", pl.lit("not_nullable").alias("check")),
        on=["row", "column", "check"],
        how="anti",
        nulls_equal=False,
    )
    return pl.concat([parsed, contract])


def _reasons(table: Table, failed: pl.DataFrame) -> pl.DataFrame:
    """(row, reason): the Chinese sentence of each failure, joined per row with "；"."""
    header = pl.col("column").replace_strict(_headers(table), default=pl.col("column"))
    words = pl.col("check").replace_strict(CHECK_WORDS, default=pl.col("check"))
    value = pl.col("value")
    sentence = (
        pl.when(pl.col("check") == PARSE)
        .then(value)
        .when(pl.col("check") == ID_PRESENT)
        .then(
            pl.when(value.str.strip_chars().str.len_chars().fill_null(0) == 0)
            .then(words)
            .otherwise(pl.format("{}（{}：\"{}\"）", words, header, value))
        )
        .when(pl.col("column").is_null())
        .then(words)
        .when(value.is_null() | (pl.col("check") == "not_nullable"))
        .then(pl.format("{}：{}", header, words))
        .otherwise(pl.format("{}：\"{}\" {}", header, value, words))
    )
    return (
        failed.select("row", sentence.alias("reason"))
        .group_by("row", maintain_order=True)
        .agg(pl.col("reason").unique(maintain_order=True).str.join("；"))
    )


def accept_or_reject(table: Table | str, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Route each row of ``frame`` to (accepted, rejected): one row in, exactly one row out.

    ``rejected`` carries ``row_number``, ``raw`` and ``reason``."""
    table = TABLES[table] if isinstance(table, str) else table
    # The table may have a column called "reason" (临时救助 救助事由): keep ours apart.
    reasons = _reasons(table, failures(table, frame)).rename({"row": _IDX, "reason": _REASON})
    marked = frame.with_row_index(_IDX).with_columns(pl.col(_IDX).cast(pl.Int64)).join(reasons, on=_IDX, how="left")
    accepted = marked.filter(pl.col(_REASON).is_null()).drop(_IDX, _REASON)
    rejected = marked.filter(pl.col(_REASON).is_not_null()).select("row_number", "raw", pl.col(_REASON).alias("reason"))
    return accepted, rejected
