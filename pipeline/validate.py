"""Judge normalised rows against their table's contract: accepted, or rejected with reasons.

One row in, exactly one row out: either in ``accepted`` or in ``rejected`` (never dropped).
A row is rejected when normalisation could not parse one of its cells (``problems``) or when it
fails its Pandera contract (``contracts/inputs.py``); every reason names the Chinese column header
and says what is wrong, so a clerk can fix the export.
"""

from __future__ import annotations

import pandera.errors as pa_errors
import polars as pl

from contracts.inputs import CHECK_WORDS, INPUT_CONTRACTS
from contracts.sources import TABLES, Table, all_columns

_IDX = "__row_index"
_REASON = "__reject_reason"


def _headers(table: Table) -> dict[str, str]:
    names = {c.key: c.header for c in all_columns(table)}
    names.update({f"{c.key}_raw": c.header for c in all_columns(table)})
    return names


def _failure_reasons(table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    """(__row_index, reason) for every contract failure of every row."""
    schema = INPUT_CONTRACTS[table.name]
    try:
        schema.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as err:
        cases = err.failure_cases
    else:
        return pl.DataFrame(schema={_IDX: pl.Int64, "reason": pl.Utf8})
    if cases.filter(pl.col("index").is_null()).height:
        # A column-level failure (wrong dtype, ...) is a defect of normalisation, not of the export.
        raise RuntimeError(f"{table.name}: contract failed on whole columns:\n{cases.filter(pl.col('index').is_null())}")
    headers = _headers(table)
    check_name = pl.col("check").str.extract(r"^([a-z_]+)", 1)
    words = check_name.replace_strict(CHECK_WORDS, default=pl.col("check"))
    column = pl.col("column").replace_strict(headers, default=pl.col("column"))
    is_table_check = pl.col("schema_context") == "DataFrameSchema"
    value = pl.col("failure_case").cast(pl.Utf8)
    reason = (
        pl.when(is_table_check)
        .then(words)
        .when(value.is_null() | (check_name == "not_nullable"))
        .then(pl.format("{}：{}", column, words))
        .otherwise(pl.format("{}：\"{}\" {}", column, value, words))
    )
    return cases.select(pl.col("index").cast(pl.Int64).alias(_IDX), reason.alias("reason")).unique(maintain_order=True)


def split(table: Table | str, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (accepted, rejected); ``rejected`` carries ``row_number``, ``raw`` and ``reason``."""
    table = TABLES[table] if isinstance(table, str) else table
    frame = frame.with_row_index(_IDX).with_columns(pl.col(_IDX).cast(pl.Int64))
    contract = _failure_reasons(table, frame.drop(_IDX))
    parse = frame.select(_IDX, pl.col("problems")).explode("problems").drop_nulls("problems").rename({"problems": "reason"})
    # A cell that could not be parsed is also blank to the contract: say it once, as the parse problem.
    parsed_columns = parse.select(_IDX, pl.col("reason").str.extract(r"^([^：]+)：", 1).alias("column"))
    contract = (
        contract.with_columns(pl.col("reason").str.extract(r"^([^：]+)：必填项为空$", 1).alias("column"))
        .join(parsed_columns, on=[_IDX, "column"], how="anti")
        .drop("column")
    )
    reasons = (
        pl.concat([parse, contract])
        .group_by(_IDX, maintain_order=True)
        .agg(pl.col("reason").unique(maintain_order=True).str.join("；"))
    )
    # The table may have a column called "reason" (临时救助 救助事由): keep ours apart.
    reasons = reasons.rename({"reason": _REASON})
    marked = frame.join(reasons, on=_IDX, how="left")
    accepted = marked.filter(pl.col(_REASON).is_null()).drop(_IDX, _REASON)
    rejected = marked.filter(pl.col(_REASON).is_not_null()).select("row_number", "raw", pl.col(_REASON).alias("reason"))
    return accepted, rejected
