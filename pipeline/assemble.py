"""The quarter's tables from the prepared records and identity's answer.

``records_for_linking``: one frame of every accepted record with the columns identity resolution
reads (``contracts.staging.RECORD_COLUMNS``), in ``record_id`` order.
``assemble_quarter``: ``source_records``, ``stg_<table>``, ``persons``, ``match_review`` and
``rejected_rows`` of the quarter, each carrying ``quarter``.  The records are in ``record_id``
order and identity assigns each exactly once, so person keys are added by position: no column of
the (large) record frames is copied by a join.

A run moves the prepared tables to its build folder while identity is resolved (``store.spool``):
they come back as lazy frames, and the ``stg_<table>`` made from them stay lazy, read one at a time
when they are checked and written.
"""

from __future__ import annotations

import polars as pl

from contracts.outputs import SourceRecords
from contracts.staging import RECORD_COLUMNS
from pipeline.prepare import Prepared

_PROVENANCE = ("file_name", "sheet_name", "row_number")
_NOT_STAGED = ("raw", "problems")  # the raw cells go to source_records.raw_values; problems rejected rows


Frame = pl.DataFrame | pl.LazyFrame


def height(frame: Frame) -> int:
    """Rows of a frame, eager or lazy (a Parquet scan counts from its metadata)."""
    return frame.height if isinstance(frame, pl.DataFrame) else frame.select(pl.len()).collect().item()


def records_for_linking(prepared: Prepared) -> pl.DataFrame:
    """One frame of every accepted record with the columns identity resolution reads."""
    parts = []
    for frame in prepared.tables.values():  # lazy: only these columns are read from the build folder
        present = frame.collect_schema().names()
        columns = [
            (pl.col(source) if source in present else pl.lit(None)).cast(dtype).alias(name)
            for name, (dtype, source) in RECORD_COLUMNS.items()
        ]
        parts.append(frame.lazy().select("record_id", "source_table", "household_key", *columns, *_PROVENANCE))
    if parts:
        return pl.concat(parts).collect()
    schema = {"record_id": pl.Int64, "source_table": pl.Utf8, "household_key": pl.Utf8}
    schema.update({name: dtype for name, (dtype, _) in RECORD_COLUMNS.items()})
    return pl.DataFrame(schema={**schema, "file_name": pl.Utf8, "sheet_name": pl.Utf8, "row_number": pl.Int64})


def assemble_quarter(quarter: str, prepared: Prepared, records: pl.DataFrame, linkage) -> dict[str, Frame]:
    """The quarter's rows of every record-level table (see the module doc); ``stg_<table>`` is
    lazy when its prepared table is."""
    q = pl.lit(quarter).alias("quarter")
    assigned = linkage.assignments.select("record_id", "person_key", "match_method", "match_score").sort("record_id")
    if not assigned.get_column("record_id").equals(records.get_column("record_id")):
        raise AssertionError("identity resolution must assign every record exactly once")
    raw = [f.lazy().select(pl.col("raw").alias("raw_values")) for f in prepared.tables.values()]
    raw_values = pl.concat(raw, rechunk=False).collect().to_series() if raw else pl.Series("raw_values", [], pl.Utf8)
    source_records = records.hstack(assigned.drop("record_id").get_columns()).hstack([raw_values])
    out = {
        "source_records": source_records.with_columns(q).select(list(SourceRecords.columns)),
        "persons": linkage.persons.with_columns(q, pl.col("source_tables").list.join(",")),
        "match_review": linkage.review.with_columns(q),
        "rejected_rows": prepared.rejected.with_columns(q),
    }
    person_key, offset = assigned.get_column("person_key"), 0
    for name, frame in prepared.tables.items():
        keep = [c for c in frame.collect_schema().names() if c not in _NOT_STAGED]
        rows = height(frame)
        out[f"stg_{name}"] = frame.select(keep).with_columns(person_key.slice(offset, rows), q)
        offset += rows
    return out
