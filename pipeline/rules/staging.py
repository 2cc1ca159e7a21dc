"""The frames the rules read, made complete: every ``stg_<table>`` with every column it may hold.

A run may lack a table (no file of it this quarter) or a column (an optional header absent).  The
rules' SQL names columns freely, so before loading, each frame is conformed to the full staging
schema of its table (``contracts.sources``): missing tables become empty frames, missing columns
typed nulls, and ``persons`` gains a row for any ``person_key`` a staging frame uses but it lacks.
"""

from __future__ import annotations

import polars as pl

from contracts.outputs import Persons, dtypes

from contracts.inputs import DTYPES
from contracts.sources import ID, NAME, REGION, TABLES, Table

# Columns every staging row carries besides the table's own (provenance and identity).
COMMON = {
    "quarter": pl.Utf8,
    "record_id": pl.Int64,
    "person_key": pl.Utf8,
    "source_table": pl.Utf8,
    "file_name": pl.Utf8,
    "sheet_name": pl.Utf8,
    "row_number": pl.Int64,
    "household_key": pl.Utf8,
}

PERSONS = dtypes(Persons, drop=("quarter", "n_records", "source_tables"))


def _id_columns(key: str) -> dict[str, pl.DataType]:
    return {key: pl.Utf8, f"{key}_raw": pl.Utf8, f"{key}_valid": pl.Boolean, f"{key}_issue": pl.Utf8, f"{key}_prefix": pl.Utf8}


def staging_schema(table: Table) -> dict[str, pl.DataType]:
    """Column -> dtype of ``stg_<table>`` as normalisation and linking produce it."""
    schema: dict[str, pl.DataType] = dict(COMMON)
    for col in (*table.columns, *REGION):
        if col.kind == ID:
            schema.update(_id_columns(col.key))
            if col.key == "id_number":
                schema.update(birth_date=pl.Date, gender=pl.Utf8)
        elif col.kind == NAME:
            for suffix in ("", "_raw", "_display", "_pinyin", "_pinyin_fuzzy"):
                schema[col.key + suffix] = pl.Utf8
        else:
            schema[col.key] = DTYPES[col.kind]
        if col.key == "certificate_number":
            schema.update(_id_columns("cert_id_number"))
            schema.update(cert_category=pl.Utf8, cert_grade=pl.Int8)
    return schema


def conform(frame: pl.DataFrame | None, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """``frame`` with exactly the columns of ``schema`` (missing ones as typed nulls), cast to it."""
    if frame is None:
        return pl.DataFrame(schema=schema)
    return frame.select(
        pl.col(c).cast(t, strict=False) if c in frame.columns else pl.lit(None, dtype=t).alias(c)
        for c, t in schema.items()
    )


def complete_inputs(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Every ``stg_<table>`` of the registry and ``persons``, conformed (see the module doc)."""
    out = {f"stg_{name}": conform(tables.get(f"stg_{name}"), staging_schema(t)) for name, t in TABLES.items()}
    persons = conform(tables.get("persons"), PERSONS)
    known = set(persons["person_key"].drop_nulls().to_list())
    seen = [
        f.filter(pl.col("person_key").is_not_null()).select(
            "person_key", "record_id", "id_number", "name", "gender", "birth_date", "county", "township", "village"
        )
        for f in out.values()
    ]
    extra = (
        pl.concat(seen)
        .filter(~pl.col("person_key").is_in(list(known)))
        .sort("record_id")
        .group_by("person_key", maintain_order=True)
        .agg(pl.all().drop_nulls().first())
        .drop("record_id")
    )
    out["persons"] = pl.concat([persons, conform(extra, PERSONS)]).unique("person_key", keep="first", maintain_order=True)
    return out
