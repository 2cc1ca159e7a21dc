"""The quarter's tables from the prepared records and identity's answer.

``record_rows``: every accepted record with the columns of ``source_records`` it brings
(``contracts.staging.RECORD_COLUMNS``, provenance, raw cells), lazily, in ``record_id`` order.
``records_for_linking``: the same records with only the columns identity resolution reads
(``pipeline.link.RECORD_COLUMNS``), lazily: identity reads them into memory.
``assemble_quarter``: ``source_records``, ``stg_<table>``, ``persons``, ``match_review`` and
``rejected_rows`` of the quarter, each carrying ``quarter``.  The records are in ``record_id``
order and identity assigns each exactly once, so person keys are added by position: no column of
the (large) record frames is copied by a join.

In a run the prepared tables wait in the build folder (``pipeline.prepare``) as Parquet: only the
linking columns are read into memory; ``source_records`` and the ``stg_<table>`` are lazy frames
over those files and over identity's answer, written there too, read one at a time when they are
checked and written.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from contracts.outputs import SourceRecords
from contracts.staging import RECORD_COLUMNS, source_records_only
from pipeline.link import RECORD_COLUMNS as LINK_COLUMNS
from pipeline.prepare import Prepared
from pipeline.store import BESIDE_RECORD_ID, height, spool, spool_path

_PROVENANCE = ("file_name", "sheet_name", "row_number")
_RAW_VALUES = pl.col("raw").alias("raw_values")  # a record's raw cells, as source_records holds them
_MATCH = ("match_method", "match_score")  # how identity matched a record (its answer beside the person key)
# identity holds match_method as codes (``link.persons._assignments``): words where it is written,
# a slice at a time as the rows stream to their file
_METHOD_WORDS = pl.col("match_method").cast(pl.Utf8)
_NOT_STAGED = ("raw", "problems")  # the raw cells go to source_records.raw_values; problems rejected rows
ASSIGNMENTS = "assignments"  # identity's answer, waiting in the build folder (``store.spool``)


Frame = pl.DataFrame | pl.LazyFrame


_IDENTITY = ("record_id", "source_table", "household_key")
_LINKING = {*LINK_COLUMNS, "id_number_raw", "account"}  # link reads these two when present


def _record_columns(frame: Frame, names) -> pl.LazyFrame:
    """``frame``'s records with the RECORD_COLUMNS in ``names`` (a column the table lacks: typed nulls)."""
    present = frame.collect_schema().names()
    columns = [
        (pl.col(source) if source in present else pl.lit(None)).cast(dtype).alias(name)
        for name, (dtype, source) in RECORD_COLUMNS.items()
        if name in names
    ]
    return frame.lazy().select(*_IDENTITY, *columns)


def record_rows(prepared: Prepared) -> pl.LazyFrame:
    """Every accepted record with the RECORD_COLUMNS, its provenance and raw cells, lazily."""
    parts = [
        pl.concat([_record_columns(f, RECORD_COLUMNS), f.lazy().select(*_PROVENANCE, _RAW_VALUES)], how="horizontal")
        for f in prepared.tables.values()
    ]
    if parts:
        return pl.concat(parts)
    schema = {"record_id": pl.Int64, "source_table": pl.Utf8, "household_key": pl.Utf8}
    schema.update({name: dtype for name, (dtype, _) in RECORD_COLUMNS.items()})
    return pl.LazyFrame(schema={**schema, "file_name": pl.Utf8, "sheet_name": pl.Utf8, "row_number": pl.Int64, "raw_values": pl.Utf8})


def records_for_linking(prepared: Prepared) -> pl.LazyFrame:
    """Every accepted record with only the columns identity resolution reads, lazily: ``link``
    reads them into memory (in a run the only record-level frame memory holds while identity is
    resolved) and lets each column go when it is done with it."""
    if prepared.tables:
        return pl.concat([_record_columns(f, _LINKING) for f in prepared.tables.values()])
    return record_rows(prepared).select(*_IDENTITY, *(n for n in RECORD_COLUMNS if n in _LINKING))


def assemble_quarter(quarter: str, prepared: Prepared, records: Frame, linkage, build: Path | None = None) -> dict[str, Frame]:
    """The quarter's rows of every record-level table (see the module doc); ``source_records`` is
    lazy, and ``stg_<table>`` is when its prepared table is.  ``build``: the run's build folder,
    where each record's person key, match_method and match_score wait until the tables are
    written, instead of in memory (at 17.5M records about a gigabyte)."""
    q = pl.lit(quarter).alias("quarter")
    assigned = linkage.assignments.select("record_id", "person_key", *_MATCH)
    if not assigned["record_id"].is_sorted():  # memory: identity's are in record order; a sort copies them (17.4M rows: +0.8 GB)
        assigned = assigned.sort("record_id")
    if not assigned.get_column("record_id").equals(records.lazy().select("record_id").collect().get_column("record_id")):
        raise AssertionError("identity resolution must assign every record exactly once")
    assigned = assigned.drop("record_id")
    if build is not None:
        assigned = spool(build, {ASSIGNMENTS: assigned})[ASSIGNMENTS]
    source_records = pl.concat([record_rows(prepared), assigned.lazy().with_columns(_METHOD_WORDS)], how="horizontal")
    out = {
        "source_records": source_records.with_columns(q).select(list(SourceRecords.columns)),
        "persons": linkage.persons.with_columns(q, pl.col("source_tables").list.join(",")),
        "match_review": linkage.review.with_columns(q),
        "rejected_rows": prepared.rejected.with_columns(q),
    }
    person_key, offset = assigned.select("person_key"), 0
    for name, frame in prepared.tables.items():
        keep = [c for c in frame.collect_schema().names() if c not in _NOT_STAGED]
        rows = height(frame)
        keys = person_key.slice(offset, rows)
        if isinstance(frame, pl.DataFrame) and isinstance(keys, pl.DataFrame):
            staged = frame.select(keep).hstack(keys)
        else:  # the table's rows and their keys read together from the build folder
            staged = pl.concat([frame.lazy().select(keep), keys.lazy()], how="horizontal")
        out[f"stg_{name}"] = staged.with_columns(q)
        offset += rows
    return out


def records_beside(prepared: Prepared, build: Path) -> dict[str, pl.LazyFrame]:
    """Each ``stg_<table>``'s rows of ``source_records`` as a run writes them beside the staging
    rows (``store.spool_beside``), lazily: the columns no staging column holds
    (``source_records_only``: the raw cells, identity's match_method and match_score, read from
    the prepared tables and from identity's answer in ``build``, as ``assemble_quarter`` reads
    them), with the rows' record_id as ``BESIDE_RECORD_ID``.  Call it with the prepared tables
    ``assemble_quarter`` read, before they are let go."""
    assigned, out, offset = pl.scan_parquet(spool_path(build, ASSIGNMENTS)), {}, 0
    for name, frame in prepared.tables.items():
        rows = height(frame)
        own = pl.concat(
            [frame.lazy().select(pl.col("record_id").alias(BESIDE_RECORD_ID), _RAW_VALUES), assigned.slice(offset, rows).select(_METHOD_WORDS, "match_score")],
            how="horizontal",
        )
        out[f"stg_{name}"] = own.select(BESIDE_RECORD_ID, *source_records_only())
        offset += rows
    return out
