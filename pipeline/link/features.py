"""Pair features: one row per record pair of two candidate entities, with the columns comparisons read.

Each record's comparison columns appear twice, ``c_l`` and ``c_r``; three features are derived for the
pair: ``id_relation`` (how the two ID numbers differ), ``name_ratio`` (rapidfuzz ratio of the matching
names, only where pinyin does not already decide), ``co_members`` (names the two records'
households share besides the pair's own) and ``owner_household`` (one record was given another
person's ID and the other record is in a household of that person).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from pipeline.frames import with_lookup
from pipeline.link.copies import record_count
from pipeline.normalise.ids import slips

# The columns of one record a comparison may read.
PROFILE = (
    "record_id",
    "entity",
    "name_display",
    "name",
    "name_pinyin",
    "name_pinyin_fuzzy",
    "name_first",
    "birth_date",
    "gender",
    "township",
    "village",
    "household_key",
    "id_full",
    "id_prefix15",
    "id_round15",
    "id_short",
    "id_zeros",
    "id_digits18",
    "source_table",
    "village_namesakes",
    "village_same_names",
    "homeless",
    "homeless_name",
    "seeks_name",
    "valid",
    "anchored",
    "entity_name",
    "entity_records",
    "owner_households",
    "head_id",
    "head_self",
    "born_after",
    "prefix_holders",
    "account",
)


# What a detached record's ID says: not its own, blanked in its profile.
LENT = ("birth_date", "gender", "id_full", "id_prefix15", "id_round15", "id_short", "id_zeros")


def profiles(anchored_records: pl.DataFrame, prefixes: Counts | None = None, namesakes: Counts | None = None) -> pl.DataFrame:
    """One row per record: what comparisons see. A detached record's ID, and the birth date and
    gender read from it, are not its own: they are blanked; it gets instead ``owner_households``,
    the roster households (household_key) of the ID's owner.

    ``prefixes`` / ``namesakes``: the quarter's ``prefix_counts`` and ``namesake_counts`` when
    ``anchored_records`` is a cut of it (by ID: ``cuts.py``); else counted from it."""
    own = ~pl.col("detached")
    lent = anchored_records.filter(pl.col("detached")).select("record_id", "id_full")
    homes = (
        anchored_records.filter(
            pl.col("anchored") & pl.col("household_key").is_not_null() & pl.col("id_full").is_in(lent["id_full"].implode())
        )
        .group_by("id_full")
        .agg(pl.col("household_key").unique().sort().alias("owner_households"))
    )
    owners = lent.join(homes, on="id_full").select("record_id", "owner_households")
    anchored_records = placed(anchored_records, prefixes)
    return (
        with_lookup(anchored_records, owners, "record_id")  # memory: a join would copy every column
        .hstack(village_namesakes(anchored_records, namesakes))
        .with_columns(pl.col("name").str.slice(0, 1).alias("name_first"), pl.coalesce("id_full", "id_zeros").alias("id_digits18"))
        .select(
            *[pl.when(own).then(pl.col(c)).alias(c) if c in (*LENT, "id_digits18") else pl.col(c) for c in PROFILE if c != "valid"],
            (pl.col("valid") & own).alias("valid"),
        )
        .select(PROFILE)
    )


def unlent_profiles(profile: pl.DataFrame, anchored_records: pl.DataFrame, record_ids: pl.Series) -> pl.DataFrame:
    """The rows of ``record_ids`` as ``profiles`` would give them if no record were detached: a
    detached record keeps its own ID and what it says (``LENT``), and no record has
    ``owner_households`` (what a detached record's pair with the ID's owner is scored on, for
    match_review).  Read from ``profile``: the whole-quarter counts are not computed twice."""
    wanted = pl.col("record_id").is_in(record_ids.implode())
    own = anchored_records.filter(wanted).select("record_id", *LENT, "valid")
    return (
        profile.filter(wanted)
        .drop(*LENT, "valid", "id_digits18", "owner_households")
        .join(own, on="record_id", how="left")
        .with_columns(
            pl.coalesce("id_full", "id_zeros").alias("id_digits18"),
            pl.lit(None, profile.schema["owner_households"]).alias("owner_households"),
        )
        .select(PROFILE)
    )


def with_residence(records: pl.DataFrame) -> pl.DataFrame:
    """A record of a person with a valid ID that says no village (a file without region columns)
    takes the village and township the person's other records say most often: one ID, one person,
    one residence."""
    anchored_with = records.lazy().filter(pl.col("anchored") & pl.col("village").is_not_null())
    if not records.select((pl.col("anchored") & pl.col("village").is_null()).any()).item():
        return records
    residence = (
        anchored_with.group_by("entity", "village", "township")
        .agg(record_count(records).alias("_n"))
        .sort("entity", "_n", "township", "village", descending=[False, True, False, False])  # ties: the names, not the rows' order
        .group_by("entity", maintain_order=True)
        .first()
        .select("entity", pl.col("village").alias("_village"), pl.col("township").alias("_township"))
        .collect()
    )
    filled = records.select("entity", "anchored").join(residence, on="entity", how="left", maintain_order="left")
    fill = filled["anchored"] & records["village"].is_null()
    return records.with_columns(
        pl.when(fill).then(filled["_village"]).otherwise(pl.col("village")).alias("village"),
        pl.when(fill).then(filled["_township"]).otherwise(pl.col("township")).alias("township"),
    )


# Counts a cut of the quarter (by ID) gives its share of: name -> frame of keys and ``_n`` (a sum
# over the cuts, an entity being in one cut) or of distinct keys alone (``add_counts``).
Counts = dict[str, pl.DataFrame]
PREFIX_KEYS = ("id_prefix15", "id_round15")


def add_counts(parts: list[Counts]) -> Counts:
    """The quarter's counts from its cuts': ``_n`` summed per key, distinct keys made distinct."""
    out = {}
    for name in parts[0]:
        frames = pl.concat([part[name] for part in parts])
        keys = [c for c in frames.columns if c != "_n"]
        out[name] = frames.group_by(keys).agg(pl.col("_n").sum()) if "_n" in frames.columns else frames.unique()
    return out


def placed(records: pl.DataFrame, prefixes: Counts | None = None) -> pl.DataFrame:
    """``records`` with their residence filled (``with_residence``) and ``prefix_holders``."""
    records = with_residence(records)
    return records.with_columns(prefix_holders(records, prefixes))


def prefix_counts(records: pl.DataFrame) -> Counts:
    """Per 15 digits Excel keeps (truncated, ``id_prefix15``, or rounded, ``id_round15``): the
    persons with a valid ID (anchored entities) that hold them."""
    return {
        key: records.lazy()
        .filter(pl.col("anchored") & pl.col(key).is_not_null())
        .group_by(key)
        .agg(pl.col("entity").n_unique().cast(pl.Int64).alias("_n"))
        .collect()
        for key in PREFIX_KEYS
    }


def prefix_holders(records: pl.DataFrame, counts: Counts | None = None) -> pl.Series:
    """How many persons with a valid ID share the record's 15 digits Excel keeps (truncated or
    rounded): 2 for twins, whose sequence codes differ after the 15th digit.  ``counts``: the
    quarter's ``prefix_counts``, else those of ``records``."""
    counts = counts if counts is not None else prefix_counts(records)
    held = [
        records.select(key).join(counts[key], on=key, how="left", maintain_order="left")["_n"].fill_null(0) for key in PREFIX_KEYS
    ]
    return pl.max_horizontal(held).cast(pl.Int64).alias("prefix_holders")


def _unmatched() -> pl.Expr:
    """A record seen only through an Excel number whose 15 digits no valid ID holds."""
    return ~pl.col("anchored") & pl.col("id_full").is_null() & pl.col("id_prefix15").is_not_null() & (pl.col("prefix_holders") == 0)


def _flagged(records: pl.DataFrame) -> pl.DataFrame:
    homeless = (pl.col("anchored") & pl.col("village").is_null().all().over("entity")).alias("homeless")
    return records.select(
        "entity", "anchored", "village", "name", "name_pinyin_fuzzy", "id_full", "id_prefix15", "prefix_holders", homeless
    )


NAME_KEYS = ("name_pinyin_fuzzy", "name")


def namesake_counts(records: pl.DataFrame, flagged: pl.DataFrame | None = None) -> Counts:
    """What ``village_namesakes`` counts, per name column (near pinyin, the very name): persons
    with a valid ID per village and name (``here``) and per name among those whose records say
    no village (``nowhere``), and the distinct 15 digits no valid ID holds per village and name
    (``damaged``).  ``records`` carry ``prefix_holders``; ``flagged``: their ``_flagged``, when
    already read."""
    flagged = (_flagged(records) if flagged is None else flagged).lazy()
    out = {}
    for key in NAME_KEYS:
        # Lazy: each count reads only its columns of the anchored rows (an eager filter copied all
        # nine columns of 5.8M records: +1 GB at 1,000,000 households).
        anchored = flagged.filter(pl.col("anchored") & pl.col(key).is_not_null())
        out[f"{key}:here"] = (
            anchored.filter(pl.col("village").is_not_null())
            .group_by("village", key)
            .agg(pl.col("entity").n_unique().cast(pl.Int64).alias("_n"))
            .collect()
        )
        out[f"{key}:nowhere"] = anchored.filter(pl.col("homeless")).group_by(key).agg(pl.col("entity").n_unique().cast(pl.Int64).alias("_n")).collect()
        out[f"{key}:damaged"] = (
            flagged.filter(_unmatched() & pl.col("village").is_not_null() & pl.col(key).is_not_null())
            .select("village", key, "id_prefix15")
            .unique()
            .collect()
        )
    return out


def _holders(flagged: pl.DataFrame, key: str, counts: Counts) -> tuple[pl.Series, pl.Series, pl.Series]:
    """Per record, persons whose name (column ``key``) is the record's: with a valid ID and living
    in its village (``here``), with a valid ID and records that nowhere say a village (``nowhere``),
    and seen in its village only through an Excel number whose 15 digits no valid ID holds
    (``damaged``: one person per distinct 15 digits, the record's own not counted). Null for a
    record without a village."""
    damaged = counts[f"{key}:damaged"].group_by("village", key).agg(pl.len().cast(pl.Int64).alias("_damaged"))
    # Joined in any order and put back in the records' order by their row: a join on two keys that
    # keeps the left order took twice as long (5.8M records: 2.9 s -> 1.3 s for both names).
    counted = (
        flagged.lazy()
        .select("village", key, _unmatched().alias("_own"))
        .with_row_index("_row")
        .join(counts[f"{key}:here"].lazy().rename({"_n": "_here"}), on=["village", key], how="left", maintain_order="none")
        .join(counts[f"{key}:nowhere"].lazy().rename({"_n": "_nowhere"}), on=key, how="left", maintain_order="none")
        .join(damaged.lazy(), on=["village", key], how="left", maintain_order="none")
        .sort("_row")
        .select("village", "_here", "_nowhere", "_damaged", "_own")
        .collect()
    )
    known = pl.col("village").is_not_null()
    return tuple(
        counted.select(pl.when(known).then(e)).to_series()
        for e in (
            pl.col("_here").fill_null(0),
            pl.col("_nowhere").fill_null(0),
            pl.col("_damaged").fill_null(0) - pl.col("_own").cast(pl.Int64),
        )
    )


def village_namesakes(records: pl.DataFrame, counts: Counts | None = None) -> list[pl.Series]:
    """``village_namesakes`` / ``village_same_names``: how many persons may be the person a record
    names, by near pinyin / by the very name (matching form): those of that name with a valid ID in
    the record's village, those seen there only through an Excel number no valid ID explains, and -
    only when no one of that name with a valid ID lives in the village - those of that name whose
    records nowhere say a village (residence known outranks residence unknown). Null for a record
    without a village.  1 makes name + village evidence for a record without a usable ID; 2 or more
    is a tie.  ``homeless``: the record holds a valid ID none of whose records says a village.
    ``homeless_name`` / ``seeks_name``: the blocking keys that pair a record with no villager of its
    name with such persons. ``records`` carry ``prefix_holders``; ``counts``: the quarter's
    ``namesake_counts``, else those of ``records``."""
    named = pl.col("name_pinyin_fuzzy").is_not_null()
    flagged = _flagged(records)
    counts = counts if counts is not None else namesake_counts(records, flagged)
    names = ("here", "nowhere", "damaged")
    held = pl.DataFrame(
        [c.alias(n) for n, c in zip(names, _holders(flagged, "name_pinyin_fuzzy", counts))]
        + [c.alias(f"same_{n}") for n, c in zip(names, _holders(flagged, "name", counts))]
    )
    no_villager = pl.col("here") == 0
    counted = held.select(
        (pl.col("here") + pl.col("damaged") + pl.when(no_villager).then(pl.col("nowhere")).otherwise(0)).alias("village_namesakes"),
        (pl.col("same_here") + pl.col("same_damaged") + pl.when(no_villager).then(pl.col("same_nowhere")).otherwise(0)).alias(
            "village_same_names"
        ),
        no_villager.fill_null(False).alias("_seeks"),
    )
    keys = flagged.hstack([counted["_seeks"]]).select(
        "homeless",
        pl.when(pl.col("homeless")).then(pl.col("name_pinyin_fuzzy")).alias("homeless_name"),
        pl.when(~pl.col("anchored") & named & pl.col("_seeks")).then(pl.concat_list(pl.col("name_pinyin_fuzzy"))).alias("seeks_name"),
    )
    return [counted["village_namesakes"], counted["village_same_names"], *keys.get_columns()]


def _one_anchor(u: str, a: str) -> pl.Expr:
    """Side ``u`` has no valid ID, side ``a`` holds one and is the only person of u's name that may
    live in u's village (it lives there, or - no one of that name living there - its records say
    no village at all): the only one of that near pinyin, or of that very name (张燕杰 beside a
    章艳杰: the very name tells them apart)."""
    return (
        ~pl.col(f"anchored_{u}")
        & pl.col(f"anchored_{a}")
        & ((pl.col(f"village_{u}") == pl.col(f"village_{a}")) | (pl.col(f"homeless_{a}") & pl.col(f"seeks_name_{u}").is_not_null()))
        & (
            (pl.col(f"village_namesakes_{u}") == 1)
            | ((pl.col(f"name_{u}") == pl.col(f"name_{a}")) & (pl.col(f"village_same_names_{u}") == 1))
        )
    )


def name_village_unique() -> pl.Expr:
    """The pair's name (near pinyin) and village are those of one person only in the quarter: one
    side holds a valid ID and is the only person of that name who may live in the other side's
    village, or neither side has a valid ID, no one with one carries the name in the village, and
    the two come from different rosters (a roster lists a person once)."""
    same_name = pl.col("name_pinyin_fuzzy_l") == pl.col("name_pinyin_fuzzy_r")
    no_anchor = (
        ~pl.col("anchored_l")
        & ~pl.col("anchored_r")
        & (pl.col("village_l") == pl.col("village_r"))
        & (pl.col("village_namesakes_l") == 0)
        & (pl.col("source_table_l") != pl.col("source_table_r"))
    )
    return (same_name & (_one_anchor("l", "r") | _one_anchor("r", "l") | no_anchor)).fill_null(False).alias(
        "name_village_unique"
    )


def name_ratio(a: pl.Series, b: pl.Series) -> pl.Series:
    """rapidfuzz ratio (0-100) of two name columns, null where either is null."""
    if not len(a):
        return pl.Series(a.name, [], dtype=pl.Float64)
    ratios = pl.Series(process.cpdist(a.fill_null("").to_list(), b.fill_null("").to_list(), scorer=fuzz.ratio, dtype=np.float64))
    return pl.select(pl.when(a.is_not_null() & b.is_not_null()).then(ratios)).to_series().cast(pl.Float64)


def with_id_relation(pairs: pl.DataFrame) -> pl.DataFrame:
    """``pairs`` with ``id_relation``; how their IDs differ (``slips``, of the full IDs and of the
    …000 texts) is read once, into columns the relation's branches read."""
    zeros_l, zeros_r = pl.coalesce("id_full_l", "id_zeros_l"), pl.coalesce("id_full_r", "id_zeros_r")
    pairs = pairs.with_columns(slips("id_full_l", "id_full_r").alias("_slips"), slips(zeros_l, zeros_r).alias("_zero_slips"))
    return pairs.with_columns(_id_relation()).drop("_slips", "_zero_slips")


def _id_relation() -> pl.Expr:
    """same / check_digit / one_digit / transposition / valid_different / two_slips (both fail the
    check, two body digits apart: a slip on each of one number, or two numbers) / different for two
    18-char IDs; prefix15 / different when one side only has the 15 digits Excel kept (truncated or
    rounded: ``id_prefix15`` or ``id_round15`` agree) or prefix15_different; short_prefix / different when one side only
    has the few digits of Excel's display form (``id_short``) and the other a full ID; null otherwise."""
    left, right = pl.col("id_full_l"), pl.col("id_full_r")
    diffs, swapped = pl.col("_slips").struct.field("differences"), pl.col("_slips").struct.field("swapped")
    both = left.is_not_null() & right.is_not_null()
    prefixes = pl.col("id_prefix15_l").is_not_null() & pl.col("id_prefix15_r").is_not_null()
    # two …000 texts (a real ID ending in 000 is read so too) one slip apart: one number mistyped
    zero_diffs, zero_swapped = pl.col("_zero_slips").struct.field("differences"), pl.col("_zero_slips").struct.field("swapped")
    return (
        pl.when(both & (left == right)).then(pl.lit("same"))
        .when(both & (diffs == 0)).then(pl.lit("check_digit"))
        .when(both & (diffs == 1)).then(pl.lit("one_digit"))
        .when(both & (diffs == 2) & swapped).then(pl.lit("transposition"))
        .when(both & pl.col("valid_l") & pl.col("valid_r")).then(pl.lit("valid_different"))
        .when(both & ~pl.col("valid_l") & ~pl.col("valid_r") & (diffs == 2)).then(pl.lit("two_slips"))
        .when(both).then(pl.lit("different"))
        .when(
            prefixes
            & (
                (pl.col("id_prefix15_l") == pl.col("id_prefix15_r"))
                | (pl.col("id_round15_l") == pl.col("id_round15_r")).fill_null(False)
            )
        )
        .then(pl.lit("prefix15"))
        .when(prefixes & (zero_diffs == 1)).then(pl.lit("one_digit"))
        .when(prefixes & (zero_diffs == 2) & zero_swapped).then(pl.lit("transposition"))
        .when(prefixes).then(pl.lit("prefix15_different"))
        .when(_short_prefix("l", "r") | _short_prefix("r", "l")).then(pl.lit("short_prefix"))
        .when(
            (pl.col("id_short_l").is_not_null() & right.is_not_null())
            | (pl.col("id_short_r").is_not_null() & left.is_not_null())
        )
        .then(pl.lit("different"))
        .alias("id_relation")
    )


def _short_prefix(short: str, full: str) -> pl.Expr:
    """The few digits Excel shows (5.33129E+17: 533129, rounded) agree with the other side's full ID."""
    n = pl.col(f"id_short_{short}").str.len_chars()
    number = (pl.col(f"id_full_{full}").str.slice(0, 17) + "0").cast(pl.Int64, strict=False)
    unit = pl.lit(10, dtype=pl.Int64).pow(18 - n)
    rounded = (number + unit // 2) // unit
    return (rounded == pl.col(f"id_short_{short}").cast(pl.Int64, strict=False)).fill_null(False)


def _relation_says_other(a: str, b: str) -> pl.Expr:
    """Side ``a``'s 与户主关系 says it is not side ``b``: b is a's 户主, or a is of a younger generation
    than its 户主 and b (by b's valid ID) was born too early for that."""
    return (pl.col(f"head_id_{a}") == pl.col(f"id_full_{b}")) | (
        pl.col(f"valid_{b}") & (pl.col(f"birth_date_{b}") < pl.col(f"born_after_{a}"))
    )


def relation_conflict() -> pl.Expr:
    """The relation column of one record contradicts the other record's person (only a row's own
    columns say so: 与户主关系 against the 户主's ID)."""
    return (_relation_says_other("l", "r") | _relation_says_other("r", "l")).fill_null(False).alias("relation_conflict")


def same_head() -> pl.Expr:
    """The two records name one 户主 (户主身份证号): one is a 户主's row whose household's
    户主身份证号 is the other record's valid ID, or both are member rows of two rosters' households
    with one 户主 (a 低保 household and the registry household of one family). Names within one
    family differ, so with the same name it is the same member."""
    head_is_other = (pl.col("head_self_l") == pl.col("id_full_r")) & pl.col("valid_r") | (
        (pl.col("head_self_r") == pl.col("id_full_l")) & pl.col("valid_l")
    )
    one_head = (pl.col("head_id_l") == pl.col("head_id_r")) & (pl.col("household_key_l") != pl.col("household_key_r"))
    return (head_is_other.fill_null(False) | one_head.fill_null(False)).alias("same_head")


def owner_household() -> pl.Expr:
    """One record carries an ID that is not its own (detached) and the other record is in a roster
    household of that ID's owner: the row names a member of the family whose ID it was given."""
    return (
        pl.col("owner_households_l").list.contains(pl.col("household_key_r")).fill_null(False)
        | pl.col("owner_households_r").list.contains(pl.col("household_key_l")).fill_null(False)
    ).alias("owner_household")


def record_pairs(entity_pairs: pl.DataFrame, profile: pl.DataFrame, members: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every record pair of each candidate entity pair (entity_l, entity_r), with the pair features;
    ``members``: ``household_members`` of the whole profile, when already read."""
    members = household_members(profile) if members is None else members
    return _pairs(entity_pairs.select("entity_l", "entity_r"), profile, "entity", members)


def pairs_of_records(record_ids: pl.DataFrame, profile: pl.DataFrame, households: pl.DataFrame | None = None) -> pl.DataFrame:
    """The given record pairs (record_id_l, record_id_r, any further columns), with the pair
    features; ``households``: the whole profile the households' members are read from, when
    ``profile`` holds only the pairs' rows."""
    return _pairs(record_ids, profile, "record_id", household_members(profile if households is None else households))


def household_members(profile: pl.DataFrame) -> pl.DataFrame:
    """household_key, name_pinyin_fuzzy: who is in each roster household (``co_members`` reads it)."""
    return profile.select("household_key", "name_pinyin_fuzzy").drop_nulls().unique()


def pair_slices(entity_pairs: pl.DataFrame, profile: pl.DataFrame, at_once: int):
    """``entity_pairs`` in consecutive slices of about ``at_once`` record pairs (the product of the
    two entities' records in ``profile``), one at a time; one slice when there are none."""
    if entity_pairs.height == 0:
        yield entity_pairs
        return
    sizes = profile.group_by("entity").agg(pl.len().cast(pl.Int64).alias("_n"))
    cost = (
        entity_pairs.select("entity_l", "entity_r")
        .join(sizes.rename({"entity": "entity_l", "_n": "_nl"}), on="entity_l", how="left", maintain_order="left")
        .join(sizes.rename({"entity": "entity_r", "_n": "_nr"}), on="entity_r", how="left", maintain_order="left")
        .select((pl.col("_nl").fill_null(0) * pl.col("_nr").fill_null(0)).cum_sum() // max(at_once, 1))
        .to_series()
    )
    for part in entity_pairs.with_columns(cost.alias("_slice")).partition_by("_slice", maintain_order=True):
        yield part.drop("_slice")


def _pairs(keys: pl.DataFrame, profile: pl.DataFrame, on: str, members: pl.DataFrame) -> pl.DataFrame:
    left = profile.rename({c: f"{c}_l" for c in PROFILE})
    right = profile.rename({c: f"{c}_r" for c in PROFILE})
    pairs = (
        keys.join(left, on=f"{on}_l")
        .join(right, on=f"{on}_r")
        .with_row_index("pair")
        .pipe(with_id_relation)
        .with_columns(owner_household(), same_head(), name_village_unique(), relation_conflict())
    )
    return _with_co_members(_with_name_ratio(pairs), members)


def _with_name_ratio(pairs: pl.DataFrame) -> pl.DataFrame:
    undecided = pairs.filter(
        pl.col("name_l").is_not_null()
        & pl.col("name_r").is_not_null()
        & (pl.col("name_pinyin_fuzzy_l") != pl.col("name_pinyin_fuzzy_r")).fill_null(True)
    ).select("pair", "name_l", "name_r")
    ratio = undecided.select("pair", name_ratio(undecided["name_l"], undecided["name_r"]).alias("name_ratio"))
    return with_lookup(pairs, ratio, "pair")  # memory: a join would copy the pairs' 76 columns


def _with_co_members(pairs: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    shared = (
        pairs.filter(pl.col("household_key_l") != pl.col("household_key_r"))
        .select("pair", "household_key_l", "household_key_r", "name_pinyin_fuzzy_l", "name_pinyin_fuzzy_r")
        .join(members.rename({"household_key": "household_key_l", "name_pinyin_fuzzy": "member"}), on="household_key_l")
        .filter(
            (pl.col("member") != pl.col("name_pinyin_fuzzy_l")).fill_null(True)
            & (pl.col("member") != pl.col("name_pinyin_fuzzy_r")).fill_null(True)
        )
        .join(
            members.rename({"household_key": "household_key_r", "name_pinyin_fuzzy": "member"}),
            on=["household_key_r", "member"],
            how="semi",
        )
        .group_by("pair")
        .agg(pl.len().cast(pl.Int64).alias("co_members"))
    )
    return with_lookup(pairs, shared, "pair").with_columns(pl.col("co_members").fill_null(0))
