"""The frames the rules read, made complete: every ``stg_<table>`` with every column it may hold.

A run may lack a table (no file of it this quarter) or a column (an optional header absent).  The
rules' SQL names columns freely, so before loading, each frame is conformed to the full staging
schema of its table (``contracts.staging``): missing tables become empty frames, missing columns
typed nulls, and ``persons`` gains a row for any ``person_key`` a staging frame uses but it lacks.
"""

from __future__ import annotations

import polars as pl

from contracts.outputs import Persons, dtypes
from contracts.sources import TABLES
from contracts.staging import staging_schema

PERSONS = dtypes(Persons, drop=("quarter", "n_records", "source_tables"))


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
