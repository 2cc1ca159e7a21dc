"""Cases that depend on a pair nobody has decided yet say so in ``detail``.

A case rests on the records linked to its person; when one of those records is in an undecided
``match_review`` pair, linking or not linking that pair could change the case: its ``detail``
ends with 待人工确认是否同一人 (and the other record's person key), so the township checks
identity before acting on it.
"""

from __future__ import annotations

import polars as pl

PENDING = "待人工确认是否同一人"


def mark_undecided(cases: pl.DataFrame, review: pl.DataFrame, source_records: pl.DataFrame) -> pl.DataFrame:
    """``cases`` with ``detail`` marked where the case's person holds a record of an undecided pair."""
    if review.height == 0 or cases.height == 0:
        return cases
    person = source_records.select("record_id", "person_key")
    pairs = review.select("record_id_l", "record_id_r").join(
        person.rename({"record_id": "record_id_l", "person_key": "_pl"}), on="record_id_l"
    ).join(person.rename({"record_id": "record_id_r", "person_key": "_pr"}), on="record_id_r")
    ends = pl.concat(
        [
            pairs.select(pl.col("_pl").alias("person_key"), pl.col("_pr").alias("_other")),
            pairs.select(pl.col("_pr").alias("person_key"), pl.col("_pl").alias("_other")),
        ]
    )
    others = ends.group_by("person_key").agg(pl.col("_other").unique().sort().str.join("、").alias("_others"))
    marked = cases.join(others, on="person_key", how="left", maintain_order="left")
    note = pl.format("（{}：与人员 {} 的记录，见疑似同一人核对表）", pl.lit(PENDING), pl.col("_others"))
    return marked.with_columns(
        pl.when(pl.col("_others").is_not_null()).then(pl.col("detail") + note).otherwise(pl.col("detail")).alias("detail")
    ).drop("_others")
