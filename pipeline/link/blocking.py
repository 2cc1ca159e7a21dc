"""Blocking: which entity pairs are compared at all. One row per candidate pair (entity_l < entity_r).

A rule is a tiny value: the profile columns that must be equal, or an ID column whose values must be
one digit or one adjacent transposition apart (``within_one_slip``).  Where few records ask for a
typo (``unanchored_only``), the IDs are joined on what such a slip leaves equal (``_slip_keys``),
then checked digit by digit.
``unanchored_only`` rules pair entities without a valid ID with every entity: two entities that both
hold a valid ID can only link as a typo under one name (scoring's hard rule), so only the rule
``typo_of("id_full", "birth_date", "name_pinyin_fuzzy")`` pairs them. ``in_list`` rules take the left
value from another column (each value of a list column): a row given a family member's ID is paired with the members of that
family's households (``owner_households``, see features.profiles).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipeline.normalise.ids import within_one_slip


@dataclass(frozen=True)
class Block:
    keys: tuple[str, ...]  # columns that must be equal
    typo: str | None = None  # an ID column whose values must also be a typo apart (found through the
    # keys a slip leaves equal when unanchored_only, else by filtering the pairs the keys give)
    unanchored_only: bool = False
    left_list: str | None = None  # on the left, keys[0] is each value of this list column instead

    @property
    def name(self) -> str:
        first = [f"{self.left_list}->{self.keys[0]}", *self.keys[1:]] if self.left_list else list(self.keys)
        return "+".join(([f"typo:{self.typo}"] if self.typo else []) + first)


def on(*keys: str, unanchored_only: bool = False) -> Block:
    return Block(tuple(keys), unanchored_only=unanchored_only)


def in_list(list_column: str, *keys: str) -> Block:
    """Left records whose ``list_column`` holds the right record's ``keys[0]``, the other keys equal."""
    return Block(tuple(keys), left_list=list_column)


def typo_of(id_column: str, *keys: str, unanchored_only: bool = False) -> Block:
    return Block(tuple(keys), typo=id_column, unanchored_only=unanchored_only)


BLOCKS = (
    on("id_prefix15", "name_first", unanchored_only=True),  # Excel-number IDs: the 15 digits kept
    on("id_round15", "name_first", unanchored_only=True),  # ... or rounded
    # an invalid ID one typo from another ID, under a name with the same first character
    typo_of("id_digits18", "name_first", unanchored_only=True),  # (…000 texts too: a real ID may end so)
    on("birth_date", "name_pinyin_fuzzy", unanchored_only=True),
    # two valid IDs may only link as a typo with the same birth date and name (scoring's hard rule)
    typo_of("id_full", "birth_date", "name_pinyin_fuzzy"),
    on("village", "name_pinyin_fuzzy", unanchored_only=True),
    # a record without a usable ID, and a person of its name whose records say no village at all
    in_list("seeks_name", "homeless_name"),
    on("household_key", unanchored_only=True),
    on("account", unanchored_only=True),  # a payment row without a usable ID, and the account's other payments
    # a row given a family member's ID, and the members of that family's households
    in_list("owner_households", "household_key", "name_first"),
    # 户主身份证号 + 姓名: a 户主's row and the person of its 户主身份证号; one 户主's members in two rosters
    in_list("head_self", "id_full", "name_first"),
    on("head_id", "name_pinyin_fuzzy", unanchored_only=True),
)


def candidate_pairs(profile: pl.DataFrame, blocks: tuple[Block, ...] = BLOCKS) -> pl.DataFrame:
    """entity_l, entity_r (entity_l < entity_r), blocks: the rules that found the pair.  One rule
    at a time: its sides (up to every record's keys) are let go before the next rule reads its own."""
    found = [_pairs(profile.lazy(), b).with_columns(pl.lit(b.name).alias("block")).collect() for b in blocks]
    return (
        pl.concat(found)
        .lazy()
        .group_by("entity_l", "entity_r")
        .agg(pl.col("block").unique().sort().alias("blocks"))
        .sort("entity_l", "entity_r")
        .collect()
    )


def listed_side(profile: pl.LazyFrame, block: Block) -> pl.LazyFrame:
    """entity and the keys of an ``in_list`` rule's left side: each value of its list column (or
    the value of a plain column) as ``keys[0]``."""
    left = profile.select("entity", pl.col(block.left_list).alias(block.keys[0]), *block.keys[1:])
    if isinstance(left.collect_schema()[block.keys[0]], pl.List):
        left = left.explode(block.keys[0])
    return left.drop_nulls()


def _pairs(profile: pl.LazyFrame, block: Block) -> pl.LazyFrame:
    columns = [*([block.typo] if block.typo else []), *block.keys]
    right = profile.select("entity", *columns).drop_nulls().unique().collect().lazy()
    left = (
        profile.filter(~pl.col("anchored")).select("entity", *columns).drop_nulls().unique().collect().lazy()
        if block.unanchored_only
        else right
    )
    if block.left_list:
        left = listed_side(profile, block).unique()
    if block.typo:  # few on the left: joined on the keys a slip leaves equal; else on the rule's keys
        a, b = pl.col(block.typo), pl.col(f"{block.typo}_r")
        keys = _slip_keys(block.typo) if block.unanchored_only else [[]]
        joined = pl.concat(
            [
                _keyed(left, k).join(_keyed(right, k), on=[*_names(k), *block.keys], suffix="_r").select("entity", "entity_r", a, b)
                for k in keys
            ]
        ).filter(pl.col("entity") != pl.col("entity_r")).filter(within_one_slip(a, b))  # a record is no typo of itself
    else:
        joined = left.join(right, on=list(block.keys), suffix="_r")
    a, b = pl.col("entity"), pl.col("entity_r")
    return (
        joined.filter(a != b)
        .select(pl.min_horizontal(a, b).alias("entity_l"), pl.max_horizontal(a, b).alias("entity_r"))
        .unique()
    )


# The 17 body digits of an ID as three parts: region (6), birth date (8), sequence (3).
_PARTS = ((0, 6), (6, 8), (14, 3))


def _slip_keys(column: str) -> list[list[pl.Expr]]:
    """What one slip (one body digit, or two adjacent ones swapped) of ``column``'s IDs leaves
    equal, as keys to join on: two of the three parts (``_PARTS``) for a slip within the third,
    and the body with the two digits either side of a part's edge put in order for a swap across
    it.  IDs one slip apart share one of these keys; so do some that are not (checked after)."""
    body = pl.col(column).str.slice(0, 17).cast(pl.Int64, strict=False)  # a body with an X is no typo of a number
    parts = [(body // 10 ** (17 - start - n)) % 10**n for start, n in _PARTS]
    keys = [[parts[i], parts[j]] for i, j in ((1, 2), (0, 2), (0, 1))]
    for edge in (start for start, _ in _PARTS[1:]):  # digits edge - 1 and edge
        hi, lo = 10 ** (17 - edge), 10 ** (16 - edge)
        a, b = (body // hi) % 10, (body // lo) % 10
        keys.append([body - a * hi - b * lo + pl.min_horizontal(a, b) * hi + pl.max_horizontal(a, b) * lo])
    return keys


def _names(key: list[pl.Expr]) -> list[str]:
    return [f"_key{i}" for i in range(len(key))]


def _keyed(frame: pl.LazyFrame, key: list[pl.Expr]) -> pl.LazyFrame:
    """``frame`` (entity, the rule's ID column and keys) with the columns of ``key``; rows
    without them dropped."""
    return frame.with_columns(e.alias(n) for e, n in zip(key, _names(key))).drop_nulls(_names(key))
