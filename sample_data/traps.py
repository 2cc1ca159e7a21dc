"""Identity traps for the linker, planted in households no scenario uses: namesakes in one
village (two people, one name), twins (one household, one birth date) and one pair of namesake
twins (one birth date and one full name: their valid IDs differ in the sequence code only)."""

from __future__ import annotations

import numpy as np
import polars as pl


def plant_traps(P: pl.DataFrame, H: pl.DataFrame, reserved: np.ndarray, rng: np.random.Generator, k: int) -> pl.DataFrame:
    free = P.filter(~pl.col("hh_id").is_in(reserved))
    village_of = dict(zip(H["hh_id"].to_list(), H["village_idx"].to_list()))
    # namesakes: the heads of two neighbouring households of one village share a name
    heads = free.filter(pl.col("pos") == 0).select("uid", "hh_id", "name")
    hh_ids = heads["hh_id"].to_numpy()
    starts = rng.choice(len(hh_ids) - 1, size=min(k, max(0, len(hh_ids) - 1)), replace=False) if len(hh_ids) > 2 else []
    upd_name, trap = {}, {}
    names = heads["name"].to_list()
    uids = heads["uid"].to_list()
    for s in sorted(starts):
        a, b = uids[s], uids[s + 1]
        if a in trap or b in trap or village_of.get(hh_ids[s]) != village_of.get(hh_ids[s + 1]):
            continue
        upd_name[b] = names[s]
        trap[a] = trap[b] = "namesake"
    # twins: the first two children of a household share a birth date
    kids = free.filter(pl.col("relation").is_in(["之子", "之女"])).group_by("hh_id").agg(pl.col("uid").head(2), pl.col("birth_date").first())
    kids = kids.filter(pl.col("uid").list.len() == 2).sort("hh_id")
    pick = rng.choice(kids.height, size=min(k, kids.height), replace=False) if kids.height else []
    upd_birth = {}
    kid_names = dict(zip(free["uid"].to_list(), free["name"].to_list()))
    for n, i in enumerate(sorted(pick)):
        a, b = kids["uid"][int(i)]
        upd_birth[b] = kids["birth_date"][int(i)]
        trap[a] = trap[b] = "twin"
        if n == 0:  # namesake twins: one birth date, one full name, valid IDs one sequence code apart
            upd_name[b] = kid_names[a]
            trap[a] = trap[b] = "namesake_twin"
    return P.with_columns(
        name=pl.col("uid").replace_strict(upd_name, default=pl.col("name"), return_dtype=pl.Utf8) if upd_name else pl.col("name"),
        birth_date=pl.col("uid").replace_strict(upd_birth, default=pl.col("birth_date"), return_dtype=pl.Date) if upd_birth else pl.col("birth_date"),
        trap=pl.col("uid").replace_strict(trap, default=pl.col("trap"), return_dtype=pl.Utf8) if trap else pl.col("trap"),
    )


def shared_names(X: pl.DataFrame) -> pl.Series:
    """uids of persons whose name (near pinyin, as the pipeline folds it) another person of the same
    village carries.  A row of theirs that keeps no usable ID has no evidence left that the spec
    accepts (name + village is evidence only for the village's one person of that name): such rows
    are not given lossy ID dirt, so the truth never claims a link the spec forbids."""
    from pipeline.normalise.names import add_name_columns

    keyed = add_name_columns(X.select("uid", "village", pl.col("name").cast(pl.Utf8)), "name")
    shared = keyed.filter(pl.len().over("village", "name_pinyin_fuzzy") > 1)
    return shared["uid"]


def assign_ids(P: pl.DataFrame) -> pl.DataFrame:
    """ID numbers: region prefix + birth date + a sequence unique per (prefix, birth date), odd for men."""
    from .idcard import id18_expr

    P = P.with_columns(
        _rank=pl.col("uid").rank("ordinal").over("id_prefix", "birth_date", "gender").cast(pl.Int64) - 1,
        _base=(pl.col("birth_date").dt.ordinal_day().cast(pl.Int64) * 37) % 200,
    ).with_columns(
        _seq=((pl.col("_base") + pl.col("_rank")) % 500) * 2 + (pl.col("gender") == "男").cast(pl.Int64)
    )
    return P.with_columns(id_number=id18_expr(pl.col("id_prefix"), pl.col("birth_date"), pl.col("_seq"))).drop("_rank", "_base", "_seq")
