"""Identity on a cluster: the candidate pairs found and scored per hash partition of the blocking keys.

The heavy part of ``link`` - blocking, the record pairs' features, scoring - runs on the executor's
workers, one task per partition (``executor.map``); anchors and profiles before it, and clustering,
persons and review after it, run once in the calling process (on entities and on the decided
pairs, which are few).  The result is the single-process ``link``'s, exactly:

- routing: for each blocking rule (``blocking.BLOCKS``), an entity goes, with all its records, to
  partition hash(rule, key) mod n for each key of its records the rule joins on - only keys that
  could pair it (a key on the rule's left side held by two entities or more).  Two entities a rule
  pairs share a key, so they meet, with all their records, in that key's partition.  A rule whose
  IDs must be a typo apart (``blocking._slip_keys``) joins on the ID too: its records are routed by the
  rule's keys and each of three segments of the ID's 17 body digits (``ID_SEGMENTS``: one digit
  or two adjacent digits apart leaves one of them equal);
- a partition runs ``score_candidates`` on its entities' records, with the names of the members of
  their households (``co_members``); a pair found there is a pair of the full run, scored on the
  same records, so a pair found in two partitions is scored the same in both: duplicates are
  dropped;
- the partitions travel as Parquet files in a folder (the run's build folder; a shared mount on a
  real cluster, as the input and the database are): the calling process writes them in one pass
  over the profile, a slice at a time, and a task carries paths, not the frames (which Dask would
  copy into its task graph: 0.9 GB at 200,000 households);
- a county run (``LocalExecutor``, ``partitions`` 1) does not partition at all.
"""

from __future__ import annotations

import functools
import tempfile
from contextlib import ExitStack
from pathlib import Path

import polars as pl

from pipeline.link import cuts, link, score_candidates
from pipeline.link.blocking import BLOCKS, Block, listed_side
from pipeline.link.settings import LinkSettings
from pipeline.store import height, write_scratch

# The 17 body digits are four segments: region (6), year (4), month and day (4), sequence (3).  A
# slip of one digit, or of two adjacent ones, changes two at most: one of the last three is equal.
# (Not the region: in a county or a province it is nearly one value, and would route together
# every record of a name.)
ID_SEGMENTS = ((6, 4), (10, 4), (14, 3))
# A partition's records at most, about one county of 100,000 households (a worker scoring a
# partition holds its records and their pairs): a province is cut into more partitions than the
# executor asks for when its records need them.
RECORDS_PER_PARTITION = 600_000
_STAGE = "人员识别"
_MAP_STAGE = "人员比对"


def link_on(executor, records: pl.DataFrame, settings: LinkSettings, precedence: list[str], decisions=None, folder: Path | None = None):
    """``link`` through ``executor``: in one stage where it has one partition (``partitions``, 1
    when not said), else with the pairs scored per partition on its workers (``executor.map``),
    the partitions written to ``folder`` (a temporary folder when not given).  In both, ``link``
    leaves its entities and a large quarter's cuts of persons in ``folder`` when given; on
    workers a large quarter is anchored and profiled a cut at a time too (``cuts.py``)."""
    partitions = getattr(executor, "partitions", 1)
    if partitions <= 1:
        return executor.call(_STAGE, link, records, settings, precedence, decisions, None, folder)
    with ExitStack() as stack:
        folder = Path(folder) if folder is not None else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="doudi_partitions_")))
        # not a stage of the executor's own: its pair scoring is (a task does not start tasks)
        scorer = functools.partial(score_partitioned, executor, partitions, folder)
        with executor.progress.stage(_STAGE):
            return link(records, settings, precedence, decisions, scorer, folder, by_cuts=True)


def score_partitioned(executor, partitions: int, folder: Path, held: list[pl.DataFrame], settings: LinkSettings, done=lambda stage: None):
    """``score_candidates``'s result, the pairs found and scored per partition on ``executor``
    (each partition's records and household members written to ``folder`` first): ``partitions``
    of them, or more where the records need them (``RECORDS_PER_PARTITION``).  ``held``: the
    profile, in a list this empties (``link``'s scorer)."""
    profile = held.pop()  # a frame, or lazy scans of a large quarter's cuts (``cuts.py``)
    partitions = max(partitions, -(-height(profile) // RECORDS_PER_PARTITION))
    files = write_partitions(profile, partitions, Path(folder) / "partitions")
    parts = [(part, f"{i + 1}/{len(files)}", members, settings) for i, (part, members) in enumerate(files)]
    done("blocking")
    if not parts:
        return score_candidates(profile.lazy().head(0).collect(), settings)
    del profile  # memory: the workers read their partitions from the files
    scored = executor.map(_MAP_STAGE, score_partition, parts)
    pair = ["entity_l", "entity_r"]
    candidates = pl.concat([c for c, _ in scored]).unique(pair).sort(pair)
    decided = pl.concat([d for _, d in scored]).unique(pair, keep="first").sort(pair)
    done("features")
    return candidates, decided


def score_partition(item: tuple) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One partition's candidate pairs (entity_l, entity_r) and decided pairs.  ``item``: the files
    of its entities' records and of the members of their households, a label, the settings.  The
    members' rows have no entity: blocking and the record pairs never take them (a null entity
    joins nothing), ``co_members`` reads their names."""
    part, _, members, settings = item
    candidates, decided = score_candidates(pl.concat([pl.read_parquet(part), pl.read_parquet(members)], how="diagonal"), settings)
    return candidates.select("entity_l", "entity_r"), decided


def write_partitions(profile: pl.DataFrame | pl.LazyFrame, partitions: int, folder: Path) -> list[tuple[list[Path], Path]]:
    """The partitions that hold an entity, written to ``folder``: for each, the files of its
    entities' records (in the profile's row order) and the file of the other members of their
    households (household_key and name_pinyin_fuzzy only).

    The records go out in one pass over the profile, a slice at a time: each slice joined to the
    partitions its entities are routed to (``routed``) and cut by partition (``cuts.cut_files``).
    The members are then read per partition, from its own files and a narrow scan of the profile.
    """
    routes_of = routed(profile, partitions).rename({"partition": "_cut"})
    slices = (
        part.join(routes_of, on="entity", how="inner", maintain_order="left")
        for part in profile.lazy().collect_batches(chunk_size=cuts.SLICE_ROWS)
    )
    parts = cuts.cut_files(slices, folder)
    del routes_of
    members = profile.lazy().select("record_id", "household_key", "name_pinyin_fuzzy").drop_nulls("household_key")
    files = []
    for j, paths in parts.items():
        part = pl.scan_parquet(paths)
        theirs = members.join(part.select("household_key").unique(), on="household_key", how="semi", maintain_order="left").join(
            part.select("record_id"), on="record_id", how="anti", maintain_order="left"
        )
        files.append((paths, folder / f"{j}.members.parquet"))
        write_scratch(theirs.drop("record_id"), files[-1][1])
    return files


def routed(profile: pl.DataFrame | pl.LazyFrame, partitions: int) -> pl.DataFrame:
    """entity, partition: every partition some blocking rule sends each entity to (``routes``), once."""
    # a rule at a time: collected together, the rules' joins ran side by side, each holding its
    # own copy of the keys (+1.4 GB at 1,000,000 households, for 4M rows of two integers); each
    # (entity, partition) as one number: a unique over two columns held 3.8 GB for 17M rows
    # at 30 counties, over one 0.7 GB
    route = pl.col("entity") * partitions + pl.col("partition")
    found = pl.concat([routes(profile, block, i, partitions).select(route).collect() for i, block in enumerate(BLOCKS)])
    once = found.to_series().unique()
    del found
    return pl.DataFrame({"entity": once // partitions, "partition": once % partitions})


def routes(profile: pl.DataFrame, block: Block, index: int, partitions: int) -> pl.LazyFrame:
    """entity, partition: where ``block`` sends each entity that holds a key it could be paired on."""
    columns = [*([block.typo] if block.typo else []), *block.keys]
    right = profile.lazy().select("entity", *columns).drop_nulls()
    if block.left_list:
        left = listed_side(profile.lazy(), block)
    else:
        left = profile.lazy().filter(~pl.col("anchored")).select("entity", *columns).drop_nulls() if block.unanchored_only else right
    on = list(block.keys)
    if block.typo and block.unanchored_only:  # joined on the ID's keys too: route by a segment of it
        left, right, on = _segments(left, block.typo), _segments(right, block.typo), [*on, "_segment"]
    # memory: a key is carried as its hash (one number, not its texts); two keys of one hash only
    # route an entity more than it needs, never less, and the partition scores the real keys
    key = pl.struct(pl.lit(index).alias("_block"), *on).hash(seed=0).alias("_key")
    left, right = left.select("entity", key), right.select("entity", key)
    sides = pl.concat([left, right]).unique()
    shared = (
        sides.join(left.select("_key").unique(), on="_key", how="semi")
        .group_by("_key")
        .agg(pl.col("entity").n_unique().alias("_n"))
        .filter(pl.col("_n") >= 2)
        .drop("_n")
    )
    return sides.join(shared, on="_key", how="semi").select("entity", (pl.col("_key") % partitions).cast(pl.Int64).alias("partition"))


def _segments(frame: pl.LazyFrame, column: str) -> pl.LazyFrame:
    """Each row three times, with one segment of its ID's body (tagged with its place)."""
    return pl.concat(
        [
            frame.with_columns((pl.lit(f"{i}:") + pl.col(column).str.slice(start, length)).alias("_segment"))
            for i, (start, length) in enumerate(ID_SEGMENTS)
        ]
    )
