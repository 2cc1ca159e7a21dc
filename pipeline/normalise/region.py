"""Region: the 12-digit village code (统计用区划代码) and the county / township / village names.

Per row: ``region_code`` (NFKC, white space and a trailing ``.0`` removed; 6, 9 or 12 digits,
else a problem), ``county_code`` (first 6 digits), ``township_code`` (first 9), ``village_code``
(12) and the names ``county``, ``township``, ``village`` (NFKC, white space removed).  A code
padded with zeros names its level: ``530381101000`` is a township (no village code),
``530381000000`` a county.

Across the files of one run, :func:`fill_region_names` lends names to rows that carry only a
code and codes to rows that carry only names.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipeline.frames import beside
from pipeline.normalise.cells import Reader, squeezed

CODE_COLUMNS = ("county_code", "township_code", "village_code")
NAME_COLUMNS = ("county", "township", "village")
OUTPUT_COLUMNS = ("region_code", *CODE_COLUMNS, *NAME_COLUMNS)
REGION_COLUMNS = (*CODE_COLUMNS, *NAME_COLUMNS)  # what a run's files fill in one another (``RegionNames``)
_CODE = r"^\d{6}(?:\d{3}(?:\d{3})?)?$"


def _code_text(cell: pl.Expr) -> pl.Expr:
    return squeezed(cell).str.replace(r"^(\d+)\.0+$", "${1}")


# The region code as text (an Excel number is fine); 6, 9 or 12 digits, else a problem.
REGION_CODE = Reader(_code_text, lambda t, c=None: pl.when(t.str.contains(_CODE)).then(t), "不是6、9或12位区划代码")
# A place name: NFKC, white space removed, blank -> null.
PLACE_NAME = Reader(squeezed)


def region_codes(code: pl.Expr) -> list[pl.Expr]:
    """county_code, township_code, village_code of a parsed region code (zeros = level absent)."""
    county = code.str.slice(0, 6)
    township = code.str.slice(0, 9)
    return [
        pl.when(county.str.len_chars() == 6).then(county).alias("county_code"),
        pl.when((township.str.len_chars() == 9) & (code.str.slice(6, 3) != "000")).then(township).alias("township_code"),
        pl.when((code.str.len_chars() == 12) & (code.str.slice(6, 3) != "000") & (code.str.slice(9, 3) != "000"))
        .then(code)
        .alias("village_code"),
    ]


# --- across the files of a run --------------------------------------------------------------


def _names_by_code(seen: pl.DataFrame, code: str, name: str) -> pl.DataFrame:
    """code -> its most frequent name (ties: the first in sort order); ``seen`` counts each
    combination of codes and names in ``_n``."""
    return (
        seen.filter(pl.col(code).is_not_null() & pl.col(name).is_not_null())
        .group_by(code, name)
        .agg(pl.col("_n").sum().alias("len"))
        .sort([code, "len", name], descending=[False, True, False])
        .unique(code, keep="first")
        .select(code, pl.col(name).alias(f"__{name}_named"))
    )


def _code_by_names(seen: pl.DataFrame, names: list[str], code: str) -> pl.DataFrame:
    """names -> code, only where the names were seen with exactly one code."""
    return (
        seen.filter(pl.all_horizontal(pl.col(c).is_not_null() for c in (*names, code)))
        .group_by(names)
        .agg(pl.col(code).unique())
        .filter(pl.col(code).list.len() == 1)
        .select(*names, pl.col(code).list.first().alias(f"__{code}_by_name"))
    )


def _columns(frame: pl.DataFrame | pl.LazyFrame) -> list[str]:
    return frame.collect_schema().names()


def _pairs_through_people(frames: list[pl.LazyFrame]) -> pl.LazyFrame:
    """Code <-> names pairs learned from one person written both ways.

    Systems differ: the 低保 roster may give only a 12-digit code, the registry only names.  When
    the same valid ID number stands on a row with a code and no names and on a row with names
    and no code, the two describe one residence (the most frequent pairing wins later).
    """
    person = [f for f in frames if {"id_number", "id_number_valid"} <= set(_columns(f))]
    if not person:
        return pl.LazyFrame(schema={c: pl.Utf8 for c in (*CODE_COLUMNS, *NAME_COLUMNS)})
    rows = pl.concat(
        [f.filter(pl.col("id_number_valid").fill_null(False)).select("id_number", *CODE_COLUMNS, *NAME_COLUMNS) for f in person],
        how="vertical_relaxed",
    )
    coded = rows.filter(pl.col("village_code").is_not_null() & pl.col("township").is_null()).select("id_number", *CODE_COLUMNS)
    named = rows.filter(pl.col("village_code").is_null() & pl.col("township").is_not_null()).select("id_number", *NAME_COLUMNS)
    return coded.join(named, on="id_number").select(*CODE_COLUMNS, *NAME_COLUMNS)


def fill_region_names(frames: list[pl.DataFrame]) -> list[pl.DataFrame]:
    """Fill region codes and names of every frame from what all frames of the run say.

    Learned from rows that carry both: code -> name per level (the most frequent name when a
    code was written several ways), and (county), (county, township), (county, township,
    village) names -> code when those names always came with one code.  Then, per frame:
    a missing code is taken from the names (or from the finer code: a village code gives its
    township and county); a missing name is taken from its code, and when that code was never
    named anywhere, the code itself stands as the name (the township sheet then still says
    which place it is).  Values already in a row are never changed.  Pairs also come from one
    person (same valid ID) written with a code in one file and with names in another.
    """
    if not frames:
        return []
    regions = RegionNames.learn(frames)
    return [regions.fill(frame) for frame in frames]


@dataclass(frozen=True)
class RegionNames:
    """What a run's files say about region codes and names (see ``fill_region_names``): learned
    from all frames at once, then applied to one frame at a time (so a caller can let each
    unfilled frame go as soon as its filled one exists).  The frames may be lazy (Parquet files of a
    run's build folder): only the region columns are read, counted per combination."""

    lookups_code: list
    lookups_name: list

    @classmethod
    def learn(cls, frames: list[pl.DataFrame | pl.LazyFrame]) -> "RegionNames":
        frames = [f.lazy() for f in frames]
        seen = (
            pl.concat([*(f.select(CODE_COLUMNS + NAME_COLUMNS) for f in frames), _pairs_through_people(frames)], how="vertical_relaxed")
            .group_by(CODE_COLUMNS + NAME_COLUMNS)
            .agg(pl.len().alias("_n"))
            .collect()
        )
        county_names = list(NAME_COLUMNS[:1])
        township_names = list(NAME_COLUMNS[:2])
        village_names = list(NAME_COLUMNS)
        lookups_code = [
            (village_names, _code_by_names(seen, village_names, "village_code")),
            (township_names, _code_by_names(seen, township_names, "township_code")),
            (county_names, _code_by_names(seen, county_names, "county_code")),
        ]
        lookups_name = [(code, _names_by_code(seen, code, name)) for code, name in zip(CODE_COLUMNS, NAME_COLUMNS)]
        return cls(lookups_code, lookups_name)

    def fill(self, frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
        """``frame`` with its region codes and names filled (lazy when ``frame`` is).  Only the six
        region columns go through the lookups' joins; the frame's other columns are put back
        beside them (joined whole, every column of a 5.8M-row quarter was gathered six times)."""
        return beside(frame, self.filled(frame))

    def filled(self, frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
        """The six region columns of ``frame`` (``REGION_COLUMNS``), filled; row for row (every
        lookup is a left join on unique keys, in the left frame's order)."""
        out = frame.select(*REGION_COLUMNS)
        lazy = isinstance(out, pl.LazyFrame)
        for keys, lookup in self.lookups_code:
            out = out.join(lookup.lazy() if lazy else lookup, on=keys, how="left", maintain_order="left")
        out = out.with_columns(pl.coalesce("village_code", "__village_code_by_name").alias("village_code"))
        out = out.with_columns(
            pl.coalesce("township_code", pl.col("village_code").str.slice(0, 9), "__township_code_by_name").alias(
                "township_code"
            )
        )
        out = out.with_columns(
            pl.coalesce("county_code", pl.col("township_code").str.slice(0, 6), "__county_code_by_name").alias(
                "county_code"
            )
        )
        for code, lookup in self.lookups_name:
            out = out.join(lookup.lazy() if lazy else lookup, on=code, how="left", maintain_order="left")
        out = out.with_columns(
            pl.coalesce(name, f"__{name}_named", code).alias(name) for code, name in zip(CODE_COLUMNS, NAME_COLUMNS)
        )
        return out.select(*REGION_COLUMNS)
