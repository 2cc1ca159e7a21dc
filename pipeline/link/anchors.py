"""Anchors: exact valid ID links. One row per record with the entity it belongs to.

An entity is either every record carrying one valid ID number (the ID anchors them), or a single
record. The systems pay and enrol by ID, so a row whose valid ID belongs to a person stays that
person's row even under another name (rules.md, S4-5 reading: the name mismatch is a case, not a
second person). Only a row whose own columns contradict the ID is *detached* from it, and treated
as a record with no usable ID, when its name also does not fit the ID owner's name (not the same
after folding, not the same pinyin or near pinyin):
- the ID is the row's own household head's (低保 户主身份证号, or the ID on the 户主 row of the same
  roster household) while the row is not the 户主: a parent's ID typed on a child's row;
- the row's 与户主关系 is a younger generation (之子, 之女, 孙子 ...) and the ID's birth date is less
  than 15 years after the 户主's: an age inconsistent with its relation.
The owner's name is the name most records of the ID carry, where a name only seen on such rows
comes last. Each detached record is paired with a record of the ID's owner for match_review.
"""

from __future__ import annotations

import polars as pl

from pipeline.frames import with_lookup
from pipeline.link.copies import record_count
from pipeline.link.settings import LinkSettings
from pipeline.normalise.ids import comparable_ids

HEAD_RELATIONS = ("户主", "本人")
# 与户主关系 of a younger generation: such a member is at least this many years younger than the 户主.
YOUNGER_GENERATION = "子|女|孙|儿|媳|婿|外甥|侄"
GENERATION_YEARS = 15


def precedence_rank(residence_precedence: list[str]) -> pl.Expr:
    """0 for the first table of the policy's residence_precedence, len(...) for unlisted tables."""
    # a chain of when/then, not ``replace_strict``: with a default, a lazy frame read a slice at a
    # time (``collect_batches``) was read whole for it (3.1 GB at 17.4M records, against 0.5 GB)
    rank = pl.lit(len(residence_precedence), pl.Int32)
    for i, table in reversed(list(enumerate(residence_precedence))):
        rank = pl.when(pl.col("source_table") == table).then(pl.lit(i, pl.Int32)).otherwise(rank)
    return rank


def head_rows(r: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """household_key, id_full of the 户主 rows with a valid ID (``comparable_ids`` read): what
    ``roster_heads`` reads, of a whole quarter or of a part of its records at a time."""
    return (
        r.lazy()
        .filter(pl.col("valid") & pl.col("relation").is_in(HEAD_RELATIONS) & pl.col("household_key").is_not_null())
        .select("household_key", "id_full")
    )


def roster_heads(heads: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """household_key, _roster_head: the 户主's ID of each roster household (the lowest of them when
    two 户主 rows disagree), from its ``head_rows``."""
    return heads.lazy().group_by("household_key").agg(pl.col("id_full").sort().first().alias("_roster_head")).collect()


def with_relation_columns(r: pl.DataFrame, heads: pl.DataFrame | None = None) -> pl.DataFrame:
    """What a row's own 与户主关系 says: ``head_id`` (its 户主's ID: the row is not that person),
    ``head_self`` (on a 户主's row: the household's 户主身份证号, the row's own ID), ``born_after`` (a younger generation is born 15+ years after its 户主), and whether its valid ID
    contradicts that (``_suspect``: the ID is the 户主's, or born too early).  ``heads``: the
    quarter's ``roster_heads`` when ``r`` is a part of it, else read from ``r``."""
    # The 户主's ID of a row's household: 低保 keys carry it (户主身份证号); other rosters (防返贫 户编号)
    # have it on the household's own 户主 row (lazy: only the columns read are filtered).
    heads = heads if heads is not None else roster_heads(head_rows(r))
    r = with_lookup(r, heads, "household_key")
    # the household's 户主 ID and the row's relation read once, as columns (eager polars would
    # compute an expression again wherever it is read)
    r = r.with_columns(
        pl.coalesce(
            pl.when(pl.col("household_key").str.starts_with("dibao:")).then(pl.col("household_key").str.strip_prefix("dibao:")),
            pl.col("_roster_head"),
        ).alias("_head"),
        pl.col("relation").is_in(HEAD_RELATIONS).alias("_is_head"),
    )
    head_id = pl.col("_head")
    member = pl.col("relation").is_not_null() & ~pl.col("_is_head")
    younger = pl.col("relation").str.contains(YOUNGER_GENERATION).fill_null(False)
    earliest = head_id.str.slice(6, 8).str.to_date("%Y%m%d", strict=False).dt.offset_by(f"{GENERATION_YEARS}y")
    r = r.with_columns(
        pl.when(member).then(head_id).alias("head_id"),
        # the 户主's own row: its 户主身份证号 is its own ID (a 低保 key), whatever its ID cell holds
        pl.when(pl.col("_is_head")).then(head_id).alias("head_self"),
        pl.when(younger).then(earliest).alias("born_after"),
    )
    return r.with_columns(
        (pl.col("valid") & member & (pl.col("id_full") == pl.col("head_id")).fill_null(False)).alias("_head_id_on_member"),
        (pl.col("valid") & (pl.col("birth_date") < pl.col("born_after")).fill_null(False)).alias("_age_conflict"),
    ).with_columns((pl.col("_head_id_on_member") | pl.col("_age_conflict")).alias("_suspect")).drop("_head", "_is_head")


def anchor(
    records: pl.DataFrame, settings: LinkSettings, residence_precedence: list[str], heads: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Records with entity, anchored, detached, id_full, id_prefix15, valid, entity_name, entity_records;
    and conflicts: one row per detached record with an owner, record_id_l (owner), record_id_r, conflict.
    ``heads``: the quarter's ``roster_heads`` when ``records`` are those of some IDs only (every
    record of each: ``cuts.py``)."""
    r = records.with_columns(*comparable_ids("id_number_raw" in records.columns), precedence_rank(residence_precedence).alias("_rank"))
    r = with_relation_columns(r, heads)
    # The owner's name of each valid ID: the name most records carry, names on suspect rows last
    # (ties: the higher-precedence table, then the name itself: the values decide, not the order of
    # the rows in the files).
    owners = (
        r.lazy()
        .filter(pl.col("valid") & pl.col("name").is_not_null())
        .group_by("id_full", "name")
        .agg(pl.col("_suspect").all(), record_count(r).alias("_n"), pl.col("_rank").min(), pl.col("record_id").min().alias("owner_record"))
        .sort("id_full", "_suspect", "_n", "_rank", "name", descending=[False, False, True, False, False])
        .group_by("id_full", maintain_order=True)
        .first()
        .select("id_full", pl.col("name").alias("owner_name"), "owner_record")
        .collect()
    )
    # the owner name's spellings: those of its first record (memory: not carried through the grouping)
    spelled = r.select(pl.col("record_id").alias("owner_record"), pl.col("name_pinyin").alias("owner_pinyin"), pl.col("name_pinyin_fuzzy").alias("owner_fuzzy"))
    owners = with_lookup(owners, spelled, "owner_record")
    del spelled
    r = with_lookup(r, owners, "id_full")
    fits = (
        pl.col("name").is_null()
        | pl.col("owner_name").is_null()
        | (pl.col("name") == pl.col("owner_name"))
        | (pl.col("name_pinyin") == pl.col("owner_pinyin"))
        | (pl.col("name_pinyin_fuzzy") == pl.col("owner_fuzzy"))
    ).fill_null(False)
    r = r.with_columns(fits.alias("_fits"))
    anchored = pl.col("valid") & (pl.col("_fits") | ~pl.col("_suspect"))
    detached = pl.col("valid") & ~anchored
    r = r.with_columns(anchored.alias("anchored"), detached.alias("detached"))
    # An entity is numbered by its first record (the anchored records of an ID: the first of them;
    # every other record: itself): a number each record's own ID gives, whatever else is linked.
    r = r.with_columns(
        pl.when(pl.col("anchored")).then(pl.col("record_id").min().over("anchored", "id_full")).otherwise(pl.col("record_id")).alias("entity")
    )
    conflicts = (
        r.filter(pl.col("detached") & pl.col("owner_record").is_not_null())
        .with_columns(
            pl.concat_str(
                pl.format("同一身份证号下姓名不符: {} / {}", pl.col("owner_name"), pl.col("name")),
                pl.when(pl.col("_head_id_on_member")).then(
                    pl.format("身份证号为本户户主的, 本行关系为{}", pl.col("relation"))
                ),
                pl.when(pl.col("_age_conflict")).then(
                    pl.format("年龄与关系不符: 关系为{}, 身份证号显示年龄与户主相差不足{}岁", pl.col("relation"), pl.lit(GENERATION_YEARS))
                ),
                separator="、",
                ignore_nulls=True,
            ).alias("conflict")
        )
        .select(pl.col("owner_record").alias("record_id_l"), pl.col("record_id").alias("record_id_r"), "conflict")
    )
    r = r.with_columns(
        pl.when(pl.col("anchored")).then(pl.col("owner_name")).alias("entity_name"),
        record_count(r).over("entity").cast(pl.Int64).alias("entity_records"),
    )
    keep = [c for c in r.columns if not c.startswith("_") and not c.startswith("owner_")]
    return r.select(keep), conflicts
