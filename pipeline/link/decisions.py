"""A person's decisions on record pairs (``link_decisions``), applied to identity resolution.

A decision names its two records by their cross-quarter keys (``pipeline/review/keys.py``), never
by ``record_id``; this module finds the records the keys name in this run and:
- ``decided_pairs``: the record pairs decided 同一人 / 不是同一人 (无法判断 decides nothing);
- ``entity_pairs``: the same, per pair of linkage entities (records anchored on one valid ID are one
  entity; a 不是同一人 between two records of one entity cannot part them and is left out);
- ``apply``: 同一人 forces the link (score 1, match_method 人工确认同一人, added when blocking never
  proposed the pair), 不是同一人 forbids it;
- the cannot-link is honoured in clustering (``cluster.separate``): a component joining two
  entities decided 不是同一人 through other records is rebuilt from its links, strongest first,
  leaving out every link that would join the two (those go to match_review: undecided);
- ``undecided``: match_review without the pairs a person has decided;
- ``noted``: the records of a 不是同一人 pair say so in match_method (同一人 says it through the link).
Pure functions over polars frames; ``link(..., decisions=...)`` calls them.
"""

from __future__ import annotations

import polars as pl

from pipeline.review.keys import KEY_COLUMNS, matches

SAME, DIFFERENT, UNSURE = "同一人", "不是同一人", "无法判断"
DECISIONS = (SAME, DIFFERENT, UNSURE)
HUMAN_SAME = "人工确认同一人"
HUMAN_DIFFERENT = "人工确认与另一记录不是同一人"
_PAIR = ["entity_l", "entity_r"]


def decided_pairs(records: pl.DataFrame, decisions: pl.DataFrame) -> pl.DataFrame:
    """record_id_l < record_id_r, decision: every record pair of this run a decision names.

    ``records``: record_id and the key columns; ``decisions``: decision, decided_at and the key
    columns with suffixes _l and _r. Two decisions on one pair: the later one counts."""
    d = decisions.filter(pl.col("decision").is_in([SAME, DIFFERENT])).sort("decided_at").with_row_index("_d")
    if d.height == 0:
        return pl.DataFrame(schema={"record_id_l": pl.Int64, "record_id_r": pl.Int64, "decision": pl.Utf8})
    sides = [
        matches(d.select("_d", *[pl.col(f"{c}_{s}").alias(c) for c in KEY_COLUMNS]), records, "_d") for s in ("l", "r")
    ]
    pairs = sides[0].join(sides[1], on="_d", suffix="_r").join(d.select("_d", "decision"), on="_d")
    low, high = pl.min_horizontal("record_id", "record_id_r"), pl.max_horizontal("record_id", "record_id_r")
    return (
        pairs.filter(pl.col("record_id") != pl.col("record_id_r"))
        .select(low.alias("record_id_l"), high.alias("record_id_r"), "decision", "_d")
        .sort("_d")
        .unique(["record_id_l", "record_id_r"], keep="last", maintain_order=True)
        .drop("_d")
    )


def entity_pairs(pairs: pl.DataFrame, entities: pl.DataFrame) -> pl.DataFrame:
    """entity_l < entity_r, decision, record_id_l, record_id_r: one decided record pair per entity pair
    (a 不是同一人 anywhere between two entities outweighs a 同一人)."""
    ent = entities.select("record_id", "entity")
    e = (
        pairs.join(ent.rename({"record_id": "record_id_l", "entity": "_el"}), on="record_id_l")
        .join(ent.rename({"record_id": "record_id_r", "entity": "_er"}), on="record_id_r")
        .filter(pl.col("_el") != pl.col("_er"))
    )
    return (
        e.select(
            pl.min_horizontal("_el", "_er").alias("entity_l"),
            pl.max_horizontal("_el", "_er").alias("entity_r"),
            "decision",
            "record_id_l",
            "record_id_r",
        )
        .sort(*_PAIR, pl.col("decision") == SAME, "record_id_l", "record_id_r")
        .unique(_PAIR, keep="first", maintain_order=True)
    )


def apply(decided: pl.DataFrame, by_entity: pl.DataFrame) -> pl.DataFrame:
    """``decided`` (one row per scored entity pair, with decision and match_method) with the
    decisions applied: 同一人 links, 不是同一人 never does; a 同一人 pair no rule proposed is added."""
    human = by_entity.select(*_PAIR, pl.col("decision").alias("_human"))
    marked = decided.join(human, on=_PAIR, how="left")
    same, different = pl.col("_human") == SAME, pl.col("_human") == DIFFERENT
    applied = marked.with_columns(
        pl.when(same).then(pl.lit("link")).when(different).then(pl.lit("none")).otherwise(pl.col("decision")).alias("decision"),
        pl.when(same).then(pl.lit(HUMAN_SAME)).otherwise(pl.col("match_method")).alias("match_method"),
        pl.when(same).then(pl.lit(1.0)).otherwise(pl.col("score")).alias("score"),
    ).drop("_human")
    added = by_entity.filter(pl.col("decision") == SAME).join(decided, on=_PAIR, how="anti").select(
        *_PAIR, "record_id_l", "record_id_r",
        pl.lit(1.0).alias("score"), pl.lit("link").alias("decision"), pl.lit(HUMAN_SAME).alias("match_method"),
    )  # fmt: skip
    return pl.concat([applied, added], how="diagonal_relaxed") if added.height else applied


def undecided(review: pl.DataFrame, by_entity: pl.DataFrame, entities: pl.DataFrame) -> pl.DataFrame:
    """match_review rows whose two records' entities no decision (同一人 / 不是同一人) covers."""
    if by_entity.height == 0:
        return review
    ent = entities.select("record_id", "entity")
    keyed = review.join(ent.rename({"record_id": "record_id_l", "entity": "_el"}), on="record_id_l", how="left").join(
        ent.rename({"record_id": "record_id_r", "entity": "_er"}), on="record_id_r", how="left"
    )
    pair = keyed.with_columns(
        pl.min_horizontal("_el", "_er").alias("entity_l"), pl.max_horizontal("_el", "_er").alias("entity_r")
    )
    return pair.join(by_entity.select(*_PAIR), on=_PAIR, how="anti").select(review.columns)


def noted(assignments: pl.DataFrame, by_entity: pl.DataFrame) -> pl.DataFrame:
    """``assignments`` with match_method ending in 人工确认与另一记录不是同一人 on both records of each
    decided 不是同一人 pair."""
    apart = by_entity.filter(pl.col("decision") == DIFFERENT)
    ids = pl.concat([apart["record_id_l"], apart["record_id_r"]]).unique().implode()
    return assignments.with_columns(
        pl.when(pl.col("record_id").is_in(ids))
        .then(pl.concat_str([pl.col("match_method").cast(pl.Utf8), pl.lit(HUMAN_DIFFERENT)], separator="；", ignore_nulls=True))
        .otherwise(pl.col("match_method").cast(pl.Utf8))
        .cast(assignments.schema["match_method"])
        .alias("match_method")
    )
