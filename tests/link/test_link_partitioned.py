"""Identity with the pairs scored per hash partition of the blocking keys equals the single-process link.

The records are those the real stages make of a generated three-county province (tests/province_builders.py:
a person on two counties' 低保 rosters, a payment in one county to another's roster, an ID slipped in
one digit across counties), with a person's decisions on two pairs.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from pipeline.executor import LocalExecutor
from pipeline.ingest import list_files
import pipeline.link as identity
from pipeline.link import link, load
from pipeline.link.copies import distinct_rows
from pipeline.link.partitioned import link_on, write_partitions
from pipeline.policy import load_policy
from pipeline.prepare import combine_files, prepare_file
from pipeline.assemble import record_rows, records_for_linking
from pipeline.quarter import Quarter
from pipeline.review.keys import KEY_COLUMNS
from tests.province_builders import make_province, slip


class Partitioned(LocalExecutor):
    def __init__(self, partitions: int) -> None:
        super().__init__()
        self.partitions = partitions
        self.mapped: list[int] = []
        self.items: list = []

    def map(self, stage, fn, items, weights=None):
        self.mapped.append(len(items))
        self.items.extend(items)
        return super().map(stage, fn, items, weights)


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    folder, planted = make_province(tmp_path_factory.mktemp("province"), households=60)
    day = Quarter.parse("2026Q3").reference_date
    prepared = combine_files([prepare_file((path, name, day)) for path, name in list_files(folder)])
    county = record_rows(prepared).select("record_id", pl.col("file_name").str.split("/").list.first().alias("county")).collect()
    return records_for_linking(prepared).collect(), planted, county


def _decisions(records: pl.DataFrame, pairs: pl.DataFrame, answers: list[str]) -> pl.DataFrame:
    """``link_decisions`` rows on the record pairs: each side by its cross-quarter key."""
    keys = records.select("record_id", *KEY_COLUMNS)
    sides = [
        pairs.select(pl.col(f"record_id_{s}").alias("record_id")).join(keys, on="record_id", maintain_order="left")
        .select(*[pl.col(c).alias(f"{c}_{s}") for c in KEY_COLUMNS])
        for s in ("l", "r")
    ]
    return pl.concat([*sides, pl.DataFrame({"decision": answers, "decided_at": [datetime(2026, 7, 1, 9, k) for k in range(len(answers))]})], how="horizontal")


def _same(a, b) -> None:
    assert a.counts == b.counts
    for name in ("assignments", "persons", "review"):
        x, y = (f.collect() if isinstance(f, pl.LazyFrame) else f for f in (getattr(a, name), getattr(b, name)))
        assert x.columns == y.columns and x.dtypes == y.dtypes, name
        key = x.columns[:2] if name == "review" else x.columns[:1]
        assert x.sort(key).equals(y.sort(key)), name


@pytest.mark.parametrize("partitions", [2, 7])
def test_partitioned_link_is_the_single_process_link(province, partitions):
    records, planted, county = province
    settings, precedence = load(), list(load_policy()["residence_precedence"])
    # a person's answers on two pairs: 不是同一人 on the slipped ID and the ID it slipped from (two
    # counties), 同一人 on two records of two persons
    of = lambda pid: records.filter(pl.col("id_number") == pid)["record_id"].min()  # noqa: E731
    plain = link(records, settings, precedence)
    first = plain.assignments.group_by("person_key").agg(pl.col("record_id").min()).sort("record_id")
    pairs = pl.DataFrame(
        {"record_id_l": [of(planted["SLIPPED"]), first["record_id"][0]], "record_id_r": [of(slip(planted["SLIPPED"])), first["record_id"][1]]}
    )
    decisions = _decisions(records, pairs, ["不是同一人", "同一人"])
    for given in (None, decisions):
        single = link(records, settings, precedence, given)
        executor = Partitioned(partitions)
        split = link_on(executor, records, settings, precedence, given)
        assert executor.mapped and executor.mapped[0] > 1  # the pairs were scored in several partitions
        # a task carries the files of its partition, not the frames (a cluster would copy them into its graph)
        assert all(
            all(isinstance(path, Path) for path in part) and isinstance(members, Path) for part, _, members, _ in executor.items
        )
        _same(split, single)
    # the decisions changed the persons (so both paths were compared on them)
    person = dict(single.assignments.select("record_id", "person_key").iter_rows())
    assert person[pairs["record_id_l"][0]] != person[pairs["record_id_r"][0]]
    assert person[pairs["record_id_l"][1]] == person[pairs["record_id_r"][1]]

    # the cross-county persons are among them
    counties = plain.assignments.join(county, on="record_id")
    spread = counties.group_by("person_key").agg(pl.col("county").n_unique().alias("n"))
    persons = plain.persons.join(spread, on="person_key")
    for what in ("IN_TWO", "PAID_ELSEWHERE", "SLIPPED"):
        assert persons.filter(pl.col("id_number") == planted[what])["n"].to_list() == [2], what


def test_a_province_too_large_for_the_partitions_asked_for_is_cut_into_more(province, monkeypatch):
    """The executor asks for 2 partitions; records beyond ``RECORDS_PER_PARTITION`` a partition
    cut it into more (a worker holds about one county's worth), with the same result."""
    from pipeline.link import partitioned

    records, _, _ = province
    settings, precedence = load(), list(load_policy()["residence_precedence"])
    monkeypatch.setattr(partitioned, "RECORDS_PER_PARTITION", records.height // 6)
    executor = Partitioned(2)
    split = link_on(executor, records, settings, precedence)
    assert executor.mapped[0] > 2
    _same(split, link(records, settings, precedence))


@pytest.mark.parametrize("partitions", [1, 3])
def test_identity_a_cut_at_a_time_is_the_whole_quarters(province, monkeypatch, tmp_path, partitions):
    """Given a folder, a quarter of more records than ``cuts.PERSONS_AT_ONCE`` has its persons
    built a cut of persons at a time, and with the pairs scored in partitions is anchored and
    profiled a cut of IDs at a time too: the same assignments, persons and review (with a
    person's decisions) as in memory."""
    from pipeline.link import cuts

    records, planted, _ = province
    settings, precedence = load(), list(load_policy()["residence_precedence"])
    of = lambda pid: records.filter(pl.col("id_number") == pid)["record_id"].min()  # noqa: E731
    pairs = pl.DataFrame({"record_id_l": [of(planted["SLIPPED"])], "record_id_r": [of(slip(planted["SLIPPED"]))]})
    decisions = _decisions(records, pairs, ["不是同一人"])
    single = link(records, settings, precedence, decisions)
    # in memory each distinct row is read once (``copies.py``): the persons are cut by those rows
    rows = distinct_rows(identity._linking_columns(records))[0].height
    monkeypatch.setattr(cuts, "RECORDS_AT_ONCE", rows // 5)
    monkeypatch.setattr(cuts, "PERSONS_AT_ONCE", rows // 5)
    monkeypatch.setattr(cuts, "SLICE_ROWS", rows // 5)
    cut = link_on(Partitioned(partitions), records, settings, precedence, decisions, tmp_path)
    _same(cut, single)
    assert cut.assignments["record_id"].is_sorted()  # the cuts' answers put back in record order
    for step in ("records", "profile", "entities"):  # on workers: anchored and profiled a cut of IDs at a time
        assert len(list((tmp_path / "identity").glob(f"{step}-*.parquet"))) >= (5 if partitions > 1 else 0), step
    assert (tmp_path / "entities.parquet").exists() == (partitions == 1)  # else in the cuts' files
    assert len({p.name.split("-")[0] for p in (tmp_path / "persons").glob("*.parquet")}) >= 5  # cuts
    assert len({p.name.split("-")[1] for p in (tmp_path / "persons").glob("*.parquet")}) >= 5  # slices read
    assert isinstance(cut.persons, pl.LazyFrame) and (tmp_path / "identity_persons.parquet").exists()  # waiting there
    if partitions > 1:  # the partitions written in one pass over the profile, a slice at a time
        assert len({p.name.split("-")[1] for p in (tmp_path / "partitions").glob("*-*.parquet")}) > 1


def test_identity_a_cut_at_a_time_on_the_spec_dirt_mix(monkeypatch, tmp_path):
    """The benchmarks' synthetic county (every ID and name dirt of the spec, detached records,
    namesakes, damaged Excel numbers; hundreds of links between entities, so most persons of
    several records span entities that a cut by entity would part): a cut at a time, the
    linkage of the whole."""
    import sys

    from pipeline.link import cuts

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from linkage_synthetic import synthesize

    records = synthesize(3000)
    settings, precedence = load(), list(load_policy()["residence_precedence"])
    single = link(records, settings, precedence)
    assert single.counts["links"] > 100, single.counts
    monkeypatch.setattr(cuts, "RECORDS_AT_ONCE", records.height // 7)
    monkeypatch.setattr(cuts, "PERSONS_AT_ONCE", records.height // 7)
    monkeypatch.setattr(cuts, "SLICE_ROWS", records.height // 7)
    _same(link(records, settings, precedence, folder=tmp_path, by_cuts=True), single)
    assert len(list((tmp_path / "identity").glob("profile-*.parquet"))) >= 7
    assert len(list((tmp_path / "persons").glob("*.parquet"))) > 7


def test_a_partition_holds_a_share_of_the_entities(province, tmp_path):
    """Only entities a rule could pair are routed at all, each to its keys' partitions: no
    partition holds the province."""
    from pipeline.link.anchors import anchor
    from pipeline.link.features import profiles

    records, _, _ = province
    settings = load()
    entities, _ = anchor(records.with_columns(pl.lit(None, pl.Utf8).alias("account")), settings, [])
    profile = profiles(entities)
    parts = write_partitions(profile, 8, tmp_path)
    assert len(parts) > 1
    largest = max(pl.read_parquet(paths).height for paths, _ in parts)
    assert largest < profile.height / 2, (largest, profile.height)


def test_partitioned_link_on_the_spec_dirt_mix():
    """The synthetic county of the benchmarks (every ID and name dirt of the spec, twins, namesakes,
    files without region columns): every blocking rule finds pairs, and the partitions give the
    single-process persons and review."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from linkage_synthetic import synthesize

    records = synthesize(6000)
    settings, precedence = load(), list(load_policy()["residence_precedence"])
    single = link(records, settings, precedence)
    assert single.counts["review"] > 0 and single.counts["links"] > 100, single.counts
    _same(link_on(Partitioned(5), records, settings, precedence), single)


def test_an_id_one_slip_apart_meets_its_original_in_a_partition():
    """The typo rule joins on what a slip leaves of the ID: a slip at any of the 17 body digits, or two
    adjacent digits swapped, routes both records to one partition (by an equal segment)."""
    from pipeline.link.blocking import BLOCKS
    from pipeline.link.partitioned import routes

    index, block = next((i, b) for i, b in enumerate(BLOCKS) if b.typo == "id_digits18")
    original = "53038119671231458"  # every two adjacent digits differ: each swap is a change
    slips = [original[:k] + str((int(original[k]) + 1) % 10) + original[k + 1 :] for k in range(17)]
    swaps = [original[:k] + original[k + 1] + original[k] + original[k + 2 :] for k in range(16) if original[k] != original[k + 1]]
    others = [*slips, *swaps]
    profile = pl.DataFrame(
        {
            "entity": list(range(len(others) + 1)),
            "anchored": [True] + [False] * len(others),
            "id_digits18": [original + "X", *(o + "X" for o in others)],
            "name_first": ["王"] * (len(others) + 1),
        }
    )
    where = routes(profile, block, index, 97).collect()
    home = set(where.filter(pl.col("entity") == 0)["partition"])
    for e, other in enumerate(others, start=1):
        assert home & set(where.filter(pl.col("entity") == e)["partition"]), other


def test_the_typo_rule_pairs_every_slip_of_an_id_and_nothing_further():
    """Blocking joins an ID without a valid owner to every ID one slip apart (one body digit, or
    two adjacent ones swapped, at any place, across the region / birth date / sequence edges
    too), under a name of the same first character; not two slips apart, nor another surname."""
    from pipeline.link.blocking import BLOCKS, _pairs

    block = next(b for b in BLOCKS if b.typo == "id_digits18")
    original = "53038119671231458"  # every two adjacent digits differ: each swap is a change
    slips = [original[:k] + str((int(original[k]) + 1) % 10) + original[k + 1 :] for k in range(17)]
    swaps = [original[:k] + original[k + 1] + original[k] + original[k + 2 :] for k in range(16)]
    twice = [original[:3] + "00" + original[5:12] + "99" + original[14:]]  # two slips, far apart
    others = [*slips, *swaps, *twice]
    profile = pl.DataFrame(
        {
            "entity": list(range(len(others) + 2)),
            "anchored": [True] * (len(others) + 1) + [False],
            "id_digits18": [*(o + "X" for o in others), original + "1", original + "1"],
            "name_first": ["王"] * (len(others) + 1) + ["李"],
        }
    )
    profile = profile.with_columns(pl.when(pl.col("entity") == len(others)).then(pl.lit(False)).otherwise(pl.col("anchored")).alias("anchored"))
    pairs = _pairs(profile.lazy(), block).collect()
    found = set(pairs.filter(pl.col("entity_r") == len(others))["entity_l"]) | set(pairs.filter(pl.col("entity_l") == len(others))["entity_r"])
    assert found == set(range(len(slips) + len(swaps))), sorted(set(range(len(others))) ^ found)
    assert len(others) + 1 not in found  # 李: the very ID, another surname
