"""Which household a person belongs to, for grouping lists and for the 户 column.

A 低保 household (户主身份证号) wins over a registry household (户编号); a person in neither is a
household of their own.  The 户 column names the 低保 户主 when ``persons`` knows the ID number.
"""

from __future__ import annotations

import polars as pl


def household_lookup(facts: pl.DataFrame | None, persons: pl.DataFrame) -> pl.DataFrame | None:
    """person_key -> its 低保 household, registry household and 低保 户主's name (None without
    facts).  Built once per report (``ReportData.households``): every list of every township
    joins it."""
    if facts is None or facts.is_empty():
        return None
    hh = facts.select("person_key", "dibao_household", "registry_household").unique("person_key", keep="first")
    heads = (
        persons.filter(pl.col("id_number").is_not_null())
        .select(pl.col("id_number").alias("dibao_household"), pl.col("name").alias("_head_name"))
        .unique("dibao_household", keep="first")
    )
    return hh.join(heads, on="dibao_household", how="left")


def with_households(frame: pl.DataFrame, lookup: pl.DataFrame | None) -> pl.DataFrame:
    """``frame`` (with ``person_key``) plus ``household_key`` (sorting) and ``household`` (words);
    ``lookup``: ``household_lookup``."""
    if lookup is None:
        return frame.with_columns(
            pl.concat_str(pl.lit("person:"), pl.col("person_key").fill_null("")).alias("household_key"),
            pl.lit(None, dtype=pl.Utf8).alias("household"),
        )
    # The lookup holds every person of the county; the frame, one township's list: narrow the
    # lookup first (a semi join hashes the small side), then join.
    mine = lookup.join(frame.select("person_key").unique(), on="person_key", how="semi")
    out = frame.join(mine, on="person_key", how="left")
    dibao_words = pl.when(pl.col("_head_name").is_not_null()).then(
        pl.concat_str(pl.col("_head_name"), pl.lit("户（低保）"))
    ).otherwise(pl.concat_str(pl.lit("低保户主身份证尾号"), pl.col("dibao_household").str.slice(-4)))
    return out.with_columns(
        pl.coalesce(
            pl.concat_str(pl.lit("dibao:"), pl.col("dibao_household")),
            pl.concat_str(pl.lit("fupin:"), pl.col("registry_household")),
            pl.concat_str(pl.lit("person:"), pl.col("person_key").fill_null("")),
        ).alias("household_key"),
        pl.when(pl.col("dibao_household").is_not_null())
        .then(dibao_words)
        .when(pl.col("registry_household").is_not_null())
        .then(pl.concat_str(pl.lit("户编号\n"), pl.col("registry_household")))
        .otherwise(None)
        .alias("household"),
    ).drop("dibao_household", "registry_household", "_head_name")
