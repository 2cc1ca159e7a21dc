"""The frames the rules read, made complete: every ``stg_<table>`` with every column it may hold.

A run may lack a table (no file of it this quarter) or a column (an optional header absent).  The
rules' SQL names columns freely, so before loading, each frame is conformed to the full staging
schema of its table (``contracts.staging``): missing tables become empty frames, missing columns
typed nulls.  Once they are loaded, ``persons`` gains a row for any ``person_key`` a staging table
uses but it lacks (``EXTRA_PERSONS``, in SQL: the staging rows are not held in memory for it).
"""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from contracts.outputs import Persons, dtypes
from contracts.sources import TABLES
from contracts.staging import staging_schema

PERSONS = dtypes(Persons, drop=("quarter", "n_records", "source_tables"))

# The person columns a staging row carries; an extra person takes each from its first record
# (lowest record_id) that has it.
_PERSON_COLUMNS = ("id_number", "name", "gender", "birth_date", "county", "township", "village")


def conform(frame: pl.DataFrame | pl.LazyFrame | None, schema: dict[str, pl.DataType]) -> pl.DataFrame | pl.LazyFrame:
    """``frame`` (eager or lazy) with exactly the columns of ``schema`` (missing ones as typed
    nulls), cast to it."""
    if frame is None:
        return pl.DataFrame(schema=schema)
    columns = frame.collect_schema().names()
    return frame.select(
        pl.col(c).cast(t, strict=False) if c in columns else pl.lit(None, dtype=t).alias(c)
        for c, t in schema.items()
    )


def staging_inputs(tables: dict, release: bool = False) -> Iterator[tuple[str, pl.DataFrame | pl.LazyFrame]]:
    """(name, conformed frame) of every ``stg_<table>`` of the registry (lazy when given lazy),
    then ``persons`` (one row per key).  ``release``: each frame leaves ``tables`` as it is
    handed out."""
    take = tables.pop if release else tables.get
    for name, table in TABLES.items():
        yield f"stg_{name}", conform(take(f"stg_{name}", None), staging_schema(table))
    persons = conform(take("persons", None), PERSONS)
    yield "persons", persons.unique("person_key", keep="first", maintain_order=True)


def extra_persons_sql() -> str:
    """Append to ``persons`` a row for each ``person_key`` the staging tables use but it lacks,
    in the order of their first record."""
    columns = ", ".join(("person_key", "record_id", *_PERSON_COLUMNS))
    used = "\nUNION ALL ".join(
        f"SELECT {columns} FROM stg_{name} WHERE person_key IS NOT NULL" for name in TABLES
    )
    firsts = ", ".join(f"arg_min({c}, record_id) FILTER (WHERE {c} IS NOT NULL) AS {c}" for c in _PERSON_COLUMNS)
    return (
        f"INSERT INTO persons BY NAME SELECT person_key, {', '.join(_PERSON_COLUMNS)} FROM (\n"
        f"SELECT person_key, min(record_id) AS first_record, {firsts}\nFROM ({used})\n"
        "ANTI JOIN persons USING (person_key)\n"  # the keys persons lacks, before grouping (in a run: none)
        "GROUP BY person_key) ORDER BY first_record"
    )
