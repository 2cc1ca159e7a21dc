"""Clustering: persons as connected components of the accepted links between entities.

``components`` labels every entity on an edge with the smallest entity of its component (min-label
propagation with pointer jumping, all in polars). ``cluster`` then checks that no component holds two
valid ID numbers that are not a typo of each other linked directly (a typo pair only joined through
a third record is twins bridged by a mistyped row); such a component is split by keeping, for each
entity without a valid ID, only its best link (when no other ties with it) (then only the typo links between valid IDs, then
none); the links taken away are returned for match_review. Usable alone: it needs only entities
(entity, anchored, id_full, valid, id_prefix15, id_round15, id_short, id_zeros) and links (entity_l, entity_r, score).
"""

from __future__ import annotations

import polars as pl

from pipeline.link.comparisons import VALID_ID_TYPOS
from pipeline.link.features import with_id_relation

SPLIT = "已拆分: 与其他记录相连后同一人下出现两个不同的有效身份证号"
HUMAN_SPLIT = "已拆分: 经其他记录与人工确认不是同一人的记录相连"
_PAIR = ["entity_l", "entity_r"]


def components(edges: pl.DataFrame) -> pl.DataFrame:
    """entity, cluster for every entity on an edge (entity_l, entity_r)."""
    e = edges.select("entity_l", "entity_r")
    both = pl.concat([e, e.select(pl.col("entity_r").alias("entity_l"), pl.col("entity_l").alias("entity_r"))])
    labels = both.select(pl.col("entity_l").alias("entity")).unique().with_columns(pl.col("entity").alias("cluster"))
    while True:
        nearest = (
            both.join(labels, left_on="entity_r", right_on="entity")
            .group_by("entity_l")
            .agg(pl.col("cluster").min().alias("_n"))
        )
        step = labels.join(nearest, left_on="entity", right_on="entity_l").with_columns(
            pl.min_horizontal("cluster", "_n").alias("cluster")
        ).drop("_n")
        jumped = step.join(
            step.select(pl.col("entity").alias("cluster"), pl.col("cluster").alias("_j")), on="cluster"
        ).with_columns(pl.min_horizontal("cluster", "_j").alias("cluster")).drop("_j")
        if jumped.join(labels, on=["entity", "cluster"], how="anti").height == 0:
            return jumped.sort("entity")
        labels = jumped


def cluster(
    entities: pl.DataFrame, links: pl.DataFrame, cannot: pl.DataFrame | None = None, must: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(entity, cluster) for entities on a kept link; the links taken away, with a conflict column.

    ``cannot`` / ``must``: entity pairs a person decided 不是同一人 / 同一人 (``decisions.py``): no
    component joins a cannot pair, and a must link is never taken away."""
    kept, dropped = links, []
    if cannot is not None:
        kept, cut = separate(links, cannot)
        dropped.append(cut.with_columns(pl.lit(HUMAN_SPLIT).alias("conflict")))
    must = must if must is not None else links.clear().select("entity_l", "entity_r")
    for rule in (_best_link_per_unanchored, _typo_links_only, lambda edges, ents: edges.clear()):
        membership = components(kept)
        bad = _conflicted(membership, entities, kept, must)
        if bad.height == 0:
            break
        in_bad = kept.join(membership, left_on="entity_l", right_on="entity").filter(
            pl.col("cluster").is_in(bad["cluster"].implode())
        ).drop("cluster")
        keep = pl.concat([rule(in_bad, entities), in_bad.join(must, on=["entity_l", "entity_r"], how="semi").select("entity_l", "entity_r")])
        gone = in_bad.join(keep, on=["entity_l", "entity_r"], how="anti")
        dropped.append(gone.with_columns(pl.lit(SPLIT).alias("conflict")))
        kept = kept.join(gone, on=["entity_l", "entity_r"], how="anti")
    membership = components(kept)
    gone = pl.concat(dropped) if dropped else links.clear().with_columns(pl.lit(SPLIT).alias("conflict"))
    return membership, gone


def _conflicted(membership: pl.DataFrame, entities: pl.DataFrame, links: pl.DataFrame, must: pl.DataFrame) -> pl.DataFrame:
    """Clusters holding two valid IDs that are no typo of each other, or a typo of each other but
    not linked to each other (scoring refused them: twins whose IDs differ in one digit) and only
    joined through other records; two valid IDs a person linked (``must``) are no conflict."""
    columns = ["id_full", "valid", "id_prefix15", "id_round15", "id_short", "id_zeros"]
    ids = membership.join(entities.filter(pl.col("anchored")), on="entity").select("cluster", "entity", *columns)
    pairs = (
        ids.join(ids, on="cluster", suffix="_r")
        .filter(pl.col("entity") < pl.col("entity_r"))
        .rename({c: f"{c}_l" for c in columns})
        .pipe(with_id_relation)
    )
    direct = links.select(
        pl.min_horizontal("entity_l", "entity_r").alias("entity"), pl.max_horizontal("entity_l", "entity_r").alias("entity_r")
    ).with_columns(pl.lit(True).alias("_direct"))
    pairs = pairs.join(direct.unique(), on=["entity", "entity_r"], how="left")
    typo_linked = pl.col("id_relation").is_in(VALID_ID_TYPOS) & pl.col("_direct").fill_null(False)
    human = pairs.join(must.rename({"entity_l": "entity"}), on=["entity", "entity_r"], how="semi")
    return pairs.filter(~typo_linked).join(human, on=["entity", "entity_r"], how="anti").select("cluster").unique()


def _best_link_per_unanchored(edges: pl.DataFrame, entities: pl.DataFrame) -> pl.DataFrame:
    """Typo links between valid IDs, and each entity without a valid ID's best link when it is
    strictly better than its next one (a tie is a guess: both go to review)."""
    anchored = entities.filter(pl.col("anchored"))["entity"].implode()
    e = edges.with_columns(
        pl.col("entity_l").is_in(anchored).alias("_al"), pl.col("entity_r").is_in(anchored).alias("_ar")
    )
    typo = e.filter(pl.col("_al") & pl.col("_ar")).select("entity_l", "entity_r")
    ends = pl.concat(
        [
            e.filter(~pl.col("_al")).select(pl.col("entity_l").alias("_u"), "entity_l", "entity_r", "score"),
            e.filter(~pl.col("_ar")).select(pl.col("entity_r").alias("_u"), "entity_l", "entity_r", "score"),
        ]
    )
    best = (
        ends.sort(["_u", "score"], descending=[False, True])
        .with_columns(pl.col("score").shift(-1).over("_u").alias("_next"))
        .group_by("_u", maintain_order=True)
        .first()
        .filter(pl.col("_next").is_null() | (pl.col("score") > pl.col("_next")))
        .select("entity_l", "entity_r")
    )
    return pl.concat([typo, best]).unique()


def _typo_links_only(edges: pl.DataFrame, entities: pl.DataFrame) -> pl.DataFrame:
    anchored = entities.filter(pl.col("anchored"))["entity"].implode()
    return edges.filter(pl.col("entity_l").is_in(anchored) & pl.col("entity_r").is_in(anchored)).select(
        "entity_l", "entity_r"
    )


def separate(links: pl.DataFrame, cannot: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(links kept, links cut): no two entities of a ``cannot`` pair (entity_l, entity_r) end in one
    connected component. Only components holding a cannot pair are rebuilt (a handful: one per
    decision at most), link by link, strongest first."""
    if cannot.height == 0 or links.height == 0:
        return links, links.clear()
    membership = components(links)
    label = membership.select("entity", "cluster")
    joined = (
        cannot.select(*_PAIR)
        .join(label.rename({"entity": "entity_l", "cluster": "_cl"}), on="entity_l")
        .join(label.rename({"entity": "entity_r", "cluster": "_cr"}), on="entity_r")
        .filter(pl.col("_cl") == pl.col("_cr"))
    )
    if joined.height == 0:
        return links, links.clear()
    bad = joined["_cl"].unique().implode()
    inside = links.join(label, left_on="entity_l", right_on="entity").filter(pl.col("cluster").is_in(bad)).drop("cluster")
    ordered = inside.sort("score", "entity_l", "entity_r", descending=[True, False, False])
    keep = _greedy(ordered.select(*_PAIR).rows(), joined.select(*_PAIR).rows())
    kept_inside = ordered.with_row_index("_i").filter(pl.col("_i").is_in(keep)).drop("_i")
    cut = inside.join(kept_inside.select(*_PAIR), on=_PAIR, how="anti")
    return links.join(cut.select(*_PAIR), on=_PAIR, how="anti"), cut


def _greedy(edges: list[tuple[int, int]], cannot: list[tuple[int, int]]) -> list[int]:
    """Indexes of the edges kept: union-find, an edge refused when it would join a cannot pair."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    kept = []
    for i, (a, b) in enumerate(edges):
        ra, rb = find(a), find(b)
        if ra != rb and any({find(x), find(y)} == {ra, rb} for x, y in cannot):
            continue
        parent[ra] = rb
        kept.append(i)
    return kept
