"""A large quarter's anchors and profiles, a cut of its records at a time.

The records are cut by a hash of their valid ID (a record without one: by its record_id), so
that every record of an ID is in one cut.  An entity (an ID's anchored records, or one record)
is then in one cut, and so is everything that groups by ID or entity: the owner's name, the
detached records and their owner's households, residence, ``entity_records``.  What groups across
IDs is counted over the whole quarter, narrow, before the cut that reads it:

- ``roster_heads``: the 户主 of each roster household (its 户主 rows, read as the records are cut);
- ``prefix_counts``: persons with a valid ID per 15 digits Excel keeps (each cut's, summed);
- ``namesake_counts``: persons per village and name (each cut's, summed).

Three passes over the cuts, each reading one cut's file at a time: anchors (each distinct row
with a valid ID once: ``copies.py``; the cut's entities, conflicts and prefix counts), the
namesake counts (residence filled first), the profiles.  Each
cut's profile and entities are written to the folder, and read back lazily (the scorer, clustering
and persons read a few columns at a time).  The result is that of the whole quarter at once
(``tests/link/test_link_partitioned.py``): only the rows' order differs, and nothing reads it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.link.anchors import anchor, head_rows, roster_heads
from pipeline.link.copies import distinct_rows, restore_detached
from pipeline.link.features import add_counts, namesake_counts, placed, prefix_counts, profiles
from pipeline.link.settings import LinkSettings
from pipeline.normalise.ids import comparable_ids
from pipeline.store import write_scratch

# Records held at once: a quarter of more is cut (``cuts_for``); a cut, its entities and its
# profile are about 1.5 GB at this size.
RECORDS_AT_ONCE = 1_500_000
# Records whose persons are built at once (``persons.build_persons``); a quarter of more has them
# built a cut of ``RECORDS_AT_ONCE`` at a time.  At 1,000,000 households (5.8M records) at once:
# 8.7 s and 2.75 GB for the step alone, against 12.5 s and 1.5 GB in four cuts (the cuts' files
# written and read back); identity's peak is its profile's, not this step's.
PERSONS_AT_ONCE = 6_000_000
# Rows read at a time when a frame is written to its cuts' files (``cut_files``' batches): at 17.4M
# records the persons' cuts are written within 1.6 GB in slices of this size, 2.6 GB in slices of
# 1.5M rows (and 1.4 GB in slices of 300,000, 5% slower).
SLICE_ROWS = 500_000


def cuts_for(records: int) -> int:
    """How many cuts ``records`` records take (1: the quarter is read whole)."""
    return -(-records // RECORDS_AT_ONCE)


@dataclass
class Anchored:
    """The quarter's entities and profile (lazy scans of the cuts' files) and its conflicts."""

    entities: pl.LazyFrame
    profile: pl.LazyFrame
    conflicts: pl.DataFrame
    copies: pl.DataFrame  # record_id, of: the records read once as another's copy (``copies.py``), in record order


def anchored_profiles(
    records: pl.DataFrame | pl.LazyFrame,
    cuts: int,
    folder: Path,
    settings: LinkSettings,
    precedence: list[str],
    read,
    kept: tuple[str, ...],
) -> Anchored:
    """``anchor`` and ``profiles`` of ``records`` a cut at a time (see the module doc), the files in
    ``folder``.  ``read``: the frame of a cut's records as ``anchor`` reads them (``link``'s linking
    columns); ``kept``: the entities' columns read after scoring."""
    folder.mkdir(parents=True, exist_ok=True)
    parts, heads = cut_records(records, cuts, folder)
    entity_files = [folder / f"anchored-{j}.parquet" for j in range(len(parts))]
    conflicts, prefixes, copies = [], [], []
    for part, path in zip(parts, entity_files):
        rows, copied = distinct_rows(read(part))  # a copy is of its row's ID: in its cut
        entities, found = anchor(rows, settings, precedence, heads)
        del rows
        entities, found, copied = restore_detached(entities, found, copied)
        write_scratch(entities, path)
        conflicts.append(found)
        copies.append(copied)
        prefixes.append(prefix_counts(entities))
        del entities
    prefixes = add_counts(prefixes)
    namesakes = add_counts([namesake_counts(placed(pl.read_parquet(path), prefixes)) for path in entity_files])
    profile_files, kept_files = [], []
    for j, path in enumerate(entity_files):
        entities = pl.read_parquet(path)
        profile_files.append(folder / f"profile-{j}.parquet")
        write_scratch(profiles(entities, prefixes, namesakes), profile_files[-1])
        kept_files.append(folder / f"entities-{j}.parquet")
        write_scratch(entities.select(c for c in kept if c in entities.columns), kept_files[-1])
        del entities
        path.unlink()
    return Anchored(pl.scan_parquet(kept_files), pl.scan_parquet(profile_files), pl.concat(conflicts), pl.concat(copies).sort("record_id"))


def cut_records(records: pl.DataFrame | pl.LazyFrame, cuts: int, folder: Path) -> tuple[list[pl.LazyFrame], pl.DataFrame]:
    """``records`` cut by a hash of the valid ID (else of the record_id) into ``cuts`` parts,
    written to ``folder`` a slice of the records at a time: the parts as lazy scans of their files,
    and the quarter's ``roster_heads``."""
    raw_known = "id_number_raw" in records.collect_schema().names()
    key = pl.when(pl.col("valid")).then(pl.col("id_full").hash(seed=0)).otherwise(pl.col("record_id").hash(seed=0)) % cuts
    heads = []

    def batches():
        for batch in records.lazy().collect_batches(chunk_size=SLICE_ROWS):
            ids = batch.select("record_id", "household_key", "relation", *comparable_ids(raw_known))
            heads.append(head_rows(ids).collect())
            yield batch.hstack([ids.select(key.alias("_cut")).to_series()])

    return write_cuts(batches(), folder, "records-"), roster_heads(pl.concat(heads))


def write_cuts(batches: Iterable[pl.DataFrame], folder: Path, prefix: str = "") -> list[pl.LazyFrame]:
    """Each batch's rows written to the file of their cut (column ``_cut``) in ``folder``: the cuts
    that hold a row, in order, as lazy scans of their files (``cut_files``)."""
    return [pl.scan_parquet(paths) for paths in cut_files(batches, folder, prefix).values()]


def cut_files(batches: Iterable[pl.DataFrame], folder: Path, prefix: str = "") -> dict[int, list[Path]]:
    """Each batch's rows written to the file of their cut (column ``_cut``) in ``folder``, a file
    per batch and cut (``<prefix><cut>-<batch>.parquet``): each cut that holds a row, in order, and
    its files, in the batches' order."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[int, list[Path]] = {}
    for i, batch in enumerate(batches):
        for (j,), part in batch.partition_by("_cut", as_dict=True).items():
            path = folder / f"{prefix}{j}-{i}.parquet"
            write_scratch(part.drop("_cut"), path)
            files.setdefault(j, []).append(path)
    return {j: files[j] for j in sorted(files)}
