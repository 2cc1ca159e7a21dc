"""Copies: records that repeat an earlier record of their table in every column identity reads.

A ledger that pays every month lists each payee three times a quarter, a visit log each visit:
at 1,000,000 households 1.5M of the 5.8M records are such copies.  Identity reads each distinct
row once (``distinct_rows``), with ``COPIES``: how many records it stands for, and every count of
records is a sum of it (``record_count``): the owner's name of an ID, an entity's records, a person's
records and most frequent values, a residence's records.  A copy is then given its row's answer
(``copied``).

Only rows with a valid ID are read once: such a row and its copies are one ID's records whatever
else is linked.  A row without one is a record of its own until scoring links it, so its copies
stay records of their own, as do those of a row ``anchor`` detaches from its ID
(``restore_detached``).  So identity's answer for every record is what it was with every copy read.
"""

from __future__ import annotations

from functools import reduce

import numpy as np
import polars as pl

COPIES = "stands_for"  # how many records (the row and its copies) a row stands for


def record_count(frame: pl.DataFrame | pl.LazyFrame) -> pl.Expr:
    """The number of records a group of ``frame``'s rows stands for (``pl.len()`` where the rows
    are every record: a frame without ``COPIES``)."""
    return pl.col(COPIES).sum() if COPIES in frame.collect_schema().names() else pl.len()


def distinct_rows(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(``rows`` without the copies of a row with a valid ID, each row with ``COPIES``; the copies:
    record_id and ``of``, the record_id of the row it repeats).  ``rows``: identity's records
    (``record_id``, ``id_valid``), in record order: the row a copy repeats is its first.  ``rows``
    is emptied a column at a time as the frame without the copies is made (memory: never both whole).

    Rows are grouped by a hash of every column but ``record_id``; a row is a copy only once its
    columns are checked equal to its group's first (two different rows of one hash stay apart)."""
    key = [c for c in rows.columns if c != "record_id"]
    own = pl.int_range(rows.height, dtype=pl.UInt32, eager=True)
    grouped = rows.select(_hash(key).alias("_hash"), pl.col("id_valid").fill_null(False).alias("_valid"))
    first = grouped.hstack([own.alias("_row")]).select(
        pl.when(pl.col("_valid")).then(pl.col("_row").first().over("_hash")).otherwise(pl.col("_row"))
    ).to_series()
    del grouped
    at = (first != own).arg_true()  # the rows that may be copies
    equal = _equal(rows, key, at, first.gather(at))
    first = first.scatter(at.filter(~equal), at.filter(~equal))  # a row that only shares a hash: itself
    at = at.filter(equal)
    ids = rows.get_column("record_id")
    copies = pl.DataFrame({"record_id": ids.gather(at), "of": ids.gather(first.gather(at))})
    kept = first == own
    stands = pl.Series(COPIES, np.bincount(first.to_numpy(), minlength=rows.height), dtype=pl.UInt32)  # the rows each first stands for
    columns = [rows.drop_in_place(name).filter(kept) for name in list(rows.columns)]
    return pl.DataFrame([*columns, stands.filter(kept)]), copies


def _hash(columns: list[str]) -> pl.Expr:
    """The hash rows are first grouped by (equal rows, equal hashes; the rows are then compared):
    the columns' own hashes folded together (a hash of the struct of 17 columns took 0.73 s for
    5.8M records, this 0.21 s)."""
    return reduce(lambda folded, column: (folded * 1_000_003) ^ column, [pl.col(c).hash(seed=i) for i, c in enumerate(columns)])


def _equal(rows: pl.DataFrame, columns: list[str], at: pl.Series, to: pl.Series) -> pl.Series:
    """Whether each row ``at`` of ``rows`` equals the row ``to`` beside it in every one of
    ``columns`` (nulls equal), a column at a time."""
    equal = pl.repeat(True, len(at), eager=True)
    for name in columns:
        column = rows.get_column(name)
        equal &= column.gather(at).eq_missing(column.gather(to))
    return equal


def restore_detached(entities: pl.DataFrame, conflicts: pl.DataFrame, copies: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(entities, conflicts, copies) with the copies of each row ``anchor`` detached from its ID
    made records of their own again, as detached as their row, each its own entity with its own
    conflict row (a detached row is a record without a usable ID: its copies are linked, or not,
    by scoring).  Every frame stays in record order."""
    lone = copies.join(entities.filter(pl.col("detached")).select(pl.col("record_id").alias("of")), on="of", how="semi")
    if lone.height == 0:
        return entities, conflicts, copies
    detached = pl.col("record_id").is_in(lone.get_column("of").implode())
    alone = {COPIES: pl.lit(1, pl.UInt32), "entity_records": pl.lit(1, entities.schema["entity_records"])}
    entities = entities.with_columns(pl.when(detached).then(one).otherwise(pl.col(name)).alias(name) for name, one in alone.items())
    restored = (
        lone.join(entities.filter(detached).rename({"record_id": "of"}), on="of", maintain_order="left")
        .with_columns(pl.col("record_id").alias("entity"))
        .select(entities.columns)
    )
    theirs = lone.join(conflicts.rename({"record_id_r": "of"}), on="of", maintain_order="left").rename({"record_id": "record_id_r"})
    return (
        entities.merge_sorted(restored, key="record_id"),
        conflicts.merge_sorted(theirs.select(conflicts.columns), key="record_id_r"),
        copies.join(lone, on="record_id", how="anti", maintain_order="left"),
    )


def copied(copies: pl.DataFrame, answers: list[pl.DataFrame]) -> list[pl.DataFrame]:
    """What identity says of each copy (``answers``: record_id and what it says of each row, in
    parts): its row's, a part for each part of the answers.  Parts, not the answers with them: the
    caller puts every part in record order a column at a time (``persons._in_order``; merged
    whole, a province's 17.4M answers were held twice)."""
    return [copies.join(part.rename({"record_id": "of"}), on="of", maintain_order="left").drop("of") for part in answers]

