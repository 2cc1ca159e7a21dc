"""Persons: one row per resolved person, and the person_key and match_method of every record.

``person_key`` is stable across quarters: the cluster's canonical valid ID number (the most frequent
valid ID among its anchored records; a typo'd ID that was linked never is), else
``X`` + a BLAKE2b hash of (name, birth date or ID prefix, village), with ``-2``, ``-3`` ... added in
record order when two persons without an ID would share a hash.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from pipeline.link import cuts as cutting
from pipeline.link.copies import COPIES, copied, record_count
from pipeline.frames import with_lookup
from pipeline.link.anchors import precedence_rank
from pipeline.link.explain import ALONE, EXACT_ID, OLD_ID
from pipeline.store import height, spool

RESIDENCE = ("county", "township", "village")
PERSONS = "identity_persons"  # the persons of a quarter built a cut at a time, in its folder (``store.spool``)
# The columns of the anchored records build_persons reads.
READS = (
    "record_id", "entity", "anchored", "detached", "id_full", "entity_records", "id_number_raw", "source_table",
    "name", "name_display", "gender", "birth_date", "id_prefix", "born_after", *RESIDENCE, COPIES,
)  # fmt: skip


def _most_frequent(frame: pl.DataFrame | pl.LazyFrame, value: str | list[str], alias: str | None = None) -> pl.DataFrame:
    """person, value: the most frequent non-null value per person (ties: higher-precedence table,
    then the lowest value: the values decide, not the order of the rows in the files).  Lazy: only
    the columns it reads are filtered and sorted."""
    cols = [value] if isinstance(value, str) else value
    counted = (
        _as_text(
            frame.lazy()
            .filter(pl.any_horizontal(pl.col(c).is_not_null() for c in cols))
            .group_by("person", *cols)
            .agg(record_count(frame).alias("_n"), pl.col("_rank").min()),
            cols,
        )
        .sort(["person", "_n", "_rank", *cols], descending=[False, True, False, *[False] * len(cols)], nulls_last=True)
        .group_by("person", maintain_order=True)
        .first()
    )
    out = counted.select("person", *cols).collect()
    return out.rename({value: alias}) if alias and isinstance(value, str) else out


def build_persons(
    anchored: pl.DataFrame | pl.LazyFrame,
    membership: pl.DataFrame,
    entity_links: pl.DataFrame,
    residence_precedence: list[str],
    folder: Path | None = None,
    copies: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame | pl.LazyFrame]:
    """(assignments, persons). ``anchored``: records with entity, anchored, detached, id_full (a
    frame, or a lazy one: read a slice at a time); ``membership``: entity, cluster;
    ``entity_links``: kept links with score, match_method; ``copies``: record_id, of - records
    read as another's copy (``copies.py``), each assigned as its row is.

    With ``folder``, a quarter of more than ``cuts.PERSONS_AT_ONCE`` records is cut by a hash of the
    person (every record of a person in one cut), the cuts written there, and the persons built a
    cut at a time: only the numbering of the keys of persons without an ID reads every person.
    The persons are then written there too (``PERSONS``) and returned as a lazy scan of their file."""
    rows = _person_rows(anchored, residence_precedence)
    records = height(anchored)
    cuts = cutting.cuts_for(records) if folder is not None and records > cutting.PERSONS_AT_ONCE else 1
    if cuts <= 1:
        parts = [_with_person(rows.collect(), membership)]
    else:
        parts = _cut_by_person(rows, membership, cuts, Path(folder))
    persons = _with_person_key(pl.concat([_persons_of(_read(part)) for part in parts]))
    # memory: the persons in their final order before the assignments are made, not beside them.
    # The order is their cluster's number (the first record of the person's first anchor): as
    # settled from run to run as the key's, and an integer sorts in a fraction of the time of the
    # text keys (1.8M persons: 1.15 s).
    held = [persons.rename({"canonical_id": "id_number"}).select(
        "person", "person_key", "id_number", "name", "gender", "birth_date", *RESIDENCE, "n_records", "source_tables"
    )]  # fmt: skip
    del persons
    persons = _in_order(held, "person")
    # what the assignments read, from the persons in order (taken before, it kept the columns out
    # of order alive beside them: 5.25M persons' keys, ~0.45 GB)
    keys = persons.select("person", "person_key", pl.col("id_number").alias("canonical_id"), "n_records")
    persons = persons.drop("person")
    if cuts > 1:  # memory: the persons wait in the folder while the assignments are made
        persons = spool(Path(folder), {PERSONS: persons})[PERSONS]
    answers = [_assignments(_read(part), keys, entity_links) for part in parts]
    del keys  # memory: not beside the answers as they are put in order
    if copies is not None and copies.height:
        answers.extend(copied(copies, answers))
    return _in_order(answers, "record_id"), persons


def _in_order(parts: list[pl.DataFrame], by: str) -> pl.DataFrame:
    """``parts`` as one frame in the order of ``by`` (a unique column), put in order a column at a
    time: sorted whole, the 17.5M assignments of a province were held twice (+1.2 GB); the 5.9M
    persons' step peaked at 3,786 MB sorted whole, 3,662 MB this way."""
    if len(parts) == 1 and parts[0][by].is_sorted():
        return parts[0]
    order = pl.concat([part[by] for part in parts]).arg_sort()
    columns = []
    for name in parts[0].columns:
        columns.append(pl.concat([part[name] for part in parts]).gather(order))
        # memory: the column leaves every part once in order (in place: the caller's list is this one)
        parts[:] = [part.drop(name) for part in parts]
    return pl.DataFrame(columns)


def _person_rows(anchored: pl.DataFrame | pl.LazyFrame, residence_precedence: list[str]) -> pl.LazyFrame:
    """The columns persons and assignments read (a join copies every column it carries, and at a
    province's size each of the records' columns counts), with each record's ``_rank``.  Columns
    of few values stay codes (``link.CODED``: 4 bytes a record, not 16 and more as text): they
    become text once counted per person (``_as_text``), on the counts, not on every record."""
    needed = [c for c in READS if c in anchored.collect_schema()]
    return anchored.lazy().select(needed).with_columns(precedence_rank(residence_precedence).alias("_rank"))


def _as_text(frame: pl.LazyFrame, columns) -> pl.LazyFrame:
    """``columns`` of ``frame`` as text: the persons hold text, and ties sorted as text do not
    depend on how a polars version orders codes (2.1 sorts them by their words too)."""
    schema = frame.collect_schema()
    return frame.with_columns(pl.col(c).cast(pl.Utf8) for c in columns if schema[c] == pl.Categorical)


def _with_person(rows: pl.DataFrame, membership: pl.DataFrame) -> pl.DataFrame:
    """``rows`` with ``person``: the record's cluster, or its own entity on no link."""
    return with_lookup(rows, membership, "entity").with_columns(
        pl.coalesce("cluster", pl.col("entity") + 10**15).alias("person"),  # never a real entity number
    )


def _cut_by_person(rows: pl.LazyFrame, membership: pl.DataFrame, cuts: int, folder: Path) -> list[pl.LazyFrame]:
    """``rows`` with their person, cut by a hash of the person into ``cuts`` parts written to
    ``folder`` a slice of the records at a time: the parts, as lazy scans of their files."""
    which = (pl.col("person").hash(seed=0) % cuts).alias("_cut")
    batches = rows.collect_batches(chunk_size=cutting.SLICE_ROWS)
    return cutting.write_cuts((_with_person(batch, membership).with_columns(which) for batch in batches), folder / "persons")


def _read(part: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return part.collect() if isinstance(part, pl.LazyFrame) else part


def _persons_of(r: pl.DataFrame) -> pl.DataFrame:
    """One row per person of ``r`` (every record of each of its persons), without person_key."""
    canonical = _most_frequent(r.lazy().filter(pl.col("anchored")), "id_full", "canonical_id")
    # Persons without a canonical ID: the name from every record (a detached row's name is its own),
    # birth date, gender and ID prefix only from records whose ID is their own.  (Lazy, as the
    # residence below: an eager filter or sort would copy every column of 6M records.)
    nameless_id = r.lazy().join(canonical.lazy(), on="person", how="anti")
    # A birth date read from a mistyped ID may be far off: one that a record's 与户主关系 of the same
    # person rules out (born before a child of its 户主 can be) is not the person's.
    too_early = (
        (pl.col("birth_date") < pl.col("born_after").max().over("person")).fill_null(False)
        if "born_after" in r.columns
        else pl.lit(False)
    )
    # Nor one read from an 18-character ID that fails its check: one of its digits is wrong, maybe a
    # date digit (1945 for 1954), so the date is not proven. The 8 date digits an Excel number kept are
    # as typed. Without a proven date the person's age is unknown and no age rule rests on it.
    proven = pl.col("id_full").is_null()
    no_id = (
        nameless_id.with_columns(pl.when(~too_early & proven).then(pl.col("birth_date")).alias("birth_date"))
        .filter(~pl.col("detached"))
    )
    # The residence of the person's highest-precedence record; of those, the one most of its records
    # say.  Counted per (person, residence) first: sorting every record took twice as long.
    residence = (
        r.lazy()
        .filter(pl.any_horizontal(pl.col(c).is_not_null() for c in RESIDENCE))
        .group_by("person", *RESIDENCE)
        .agg(pl.col("_rank").min(), record_count(r).alias("_freq"))
        .pipe(_as_text, RESIDENCE)
        .sort(["person", "_rank", "_freq", *RESIDENCE], descending=[False, False, True, *[False] * len(RESIDENCE)], nulls_last=True)
        .group_by("person", maintain_order=True)
        .first()
        .select("person", *RESIDENCE)
        .collect()
    )
    persons = (
        _counted(r)
        .join(canonical, on="person", how="left")
        .join(_most_frequent(r.lazy().with_columns(pl.coalesce("name_display", "name").alias("_d")), "_d", "name"), on="person", how="left")
        .join(_most_frequent(nameless_id, "name", "_match_name"), on="person", how="left")
        .join(_most_frequent(no_id, "gender", "_g1"), on="person", how="left")
        .join(_most_frequent(no_id, "birth_date", "_b1"), on="person", how="left")
        .join(_most_frequent(no_id, "id_prefix", "_prefix"), on="person", how="left")
        .join(residence, on="person", how="left")
        .join(_content(nameless_id), on="person", how="left")
        .with_columns(  # a person with a valid ID: birth date and gender as the ID says
            pl.coalesce(
                pl.col("canonical_id").str.slice(6, 8).str.to_date("%Y%m%d", strict=False), "_b1"
            ).alias("birth_date"),
            pl.coalesce(
                pl.when(pl.col("canonical_id").is_not_null()).then(
                    pl.when(pl.col("canonical_id").str.slice(16, 1).cast(pl.Int32) % 2 == 1)
                    .then(pl.lit("男"))
                    .otherwise(pl.lit("女"))
                ),
                "_g1",
            ).alias("gender"),
        )
    )
    return persons


def _counted(r: pl.DataFrame) -> pl.DataFrame:
    """person, n_records, _first (its first record), source_tables (its tables, in name order), in
    one grouping of the records: each table is a bit, a person's tables the bits of its records
    or-ed together, and each distinct set of bits is spelled out once (a few hundred sets at
    1,000,000 households).  The distinct (person, table) pairs sorted and listed, then joined,
    took 2.3 s there, this 1.6 s."""
    present = r.get_column("source_table").drop_nulls().unique()
    ranked = present.cast(pl.Utf8).arg_sort()
    codes, words = present.to_physical().gather(ranked).to_list(), present.cast(pl.Utf8).gather(ranked).to_list()
    if len(codes) > 64:  # a bit per table of the contract (contracts.sources.TABLES: 13)
        raise ValueError(f"build_persons: {len(codes)} source tables, a person's tables are 64 bits")
    bit = pl.col("source_table").to_physical().replace_strict(codes, [1 << i for i in range(len(codes))], return_dtype=pl.UInt64)
    counted = r.lazy().group_by("person").agg(
        record_count(r).cast(pl.Int64).alias("n_records"), pl.col("record_id").min().alias("_first"), bit.bitwise_or().alias("_tables")
    ).collect()
    has = [pl.when((pl.col("_tables") & (1 << i)) != 0).then(pl.lit(word)) for i, word in enumerate(words)]
    spelled = counted.select(pl.col("_tables").unique()).with_columns(pl.concat_list(has).list.drop_nulls().alias("source_tables"))
    return with_lookup(counted, spelled, "_tables").drop("_tables")


def _content(records: pl.LazyFrame) -> pl.DataFrame:
    """person, _content: what a person without an ID says on its records (the lowest of each
    record's table, ID cell and name as written): two such persons of one key basis are numbered
    by it, not by which came first in the files."""
    said = [c for c in ("source_table", "id_number_raw", "name_display", "name") if c in records.collect_schema().names()]
    cells = pl.concat_str([pl.col(c).cast(pl.Utf8).fill_null("") for c in said], separator="|")
    return records.group_by("person").agg(cells.min().alias("_content")).collect()


def _with_person_key(persons: pl.DataFrame) -> pl.DataFrame:
    basis = pl.concat_str(
        [
            pl.col("_match_name").fill_null(""),
            pl.coalesce(pl.col("birth_date").cast(pl.Utf8), pl.col("_prefix")).fill_null(""),
            pl.col("village").fill_null(""),
        ],
        separator="|",
    )
    no_id = persons.filter(pl.col("canonical_id").is_null()).select("person", "_first", "_content", basis.alias("_basis"))
    digests = [
        "X" + hashlib.blake2b(v.encode(), digest_size=8).hexdigest().upper() for v in no_id["_basis"].to_list()
    ]
    # Numbered among the persons without an ID only (a canonical ID is one person's): the window
    # runs over their hashes, not over every person's key.  Two persons of one basis are numbered
    # by what their records say; by their first record only when that is the same too.
    nth = pl.int_range(1, pl.len() + 1).over("_hash")
    hashed = (
        no_id.select("person", pl.Series("_hash", digests, dtype=pl.Utf8), "_content", "_first")
        .sort("_hash", "_content", "_first", nulls_last=True)
        .select("person", pl.when(nth == 1).then(pl.col("_hash")).otherwise(pl.format("{}-{}", pl.col("_hash"), nth)).alias("_hashed"))
    )
    # the key computed beside the two columns it reads: an expression over the persons themselves,
    # their columns in the cuts' pieces and the looked-up one in one, made polars copy every column
    # into one piece (+1.3 GB at 5.9M persons)
    keyed = with_lookup(persons.select("person", "canonical_id"), hashed, "person")
    return persons.hstack([keyed.select(pl.coalesce("canonical_id", "_hashed").alias("person_key")).to_series()])


def _assignments(r: pl.DataFrame, persons: pl.DataFrame, entity_links: pl.DataFrame) -> pl.DataFrame:
    ends = pl.concat(
        [
            entity_links.select(pl.col("entity_l").alias("entity"), "score", "match_method"),
            entity_links.select(pl.col("entity_r").alias("entity"), "score", "match_method"),
        ]
    )
    best = ends.sort(["entity", "score", "match_method"], descending=[False, True, False]).group_by(
        "entity", maintain_order=True
    ).first()
    old_id = (
        pl.col("id_number_raw").str.replace_all(r"[^0-9Xx]", "").str.len_bytes() == 15  # 15 digits (count_matches: 4x slower)
        if "id_number_raw" in r.columns
        else pl.lit(False)
    )
    by_id = pl.col("_by_id")  # a column: read in three places, eager polars would compute it three times
    needed = [c for c in ("record_id", "person", "entity", "anchored", "id_full", "entity_records", "id_number_raw") if c in r.columns]
    # Every record's person is in ``persons``: looked up in record order, nothing re-sorted after
    # (a join and a sort copied the 5.8M rows twice at 1,000,000 households: +1 GB).
    keyed = with_lookup(r.select(needed), persons.select("person", "person_key", "canonical_id", "n_records"), "person")
    out = (
        with_lookup(keyed, best, "entity")
        .with_columns(
            (pl.col("anchored") & (pl.col("id_full") == pl.col("canonical_id")) & (pl.col("entity_records") >= 2)).alias("_by_id"),
            old_id.fill_null(False).alias("_old_id"),
        )
        .with_columns(
            pl.when(pl.col("n_records") == 1)
            .then(pl.lit(ALONE))
            .when(by_id & pl.col("_old_id"))
            .then(pl.lit(OLD_ID))
            .when(by_id | pl.col("match_method").is_null())
            .then(pl.lit(EXACT_ID))
            .otherwise(pl.col("match_method"))
            .alias("match_method"),
            pl.when((pl.col("n_records") == 1) | by_id | pl.col("score").is_null())
            .then(pl.lit(1.0))
            .otherwise(pl.col("score"))
            .alias("match_score"),
        )
        # a code per record, not its words: a province's 17.4M answers hold 4 bytes each, not 16-40
        .select("record_id", "person_key", pl.col("match_method").cast(pl.Categorical), "match_score")
    )
    return out if out["record_id"].is_sorted() else out.sort("record_id")
