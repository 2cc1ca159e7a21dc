"""What lets identity hold a large quarter gives the same answer: pairs scored a slice at a time,
records read by ``link`` itself in one piece, few-valued columns held as codes (docs/decisions.md,
"Memory"; the figures: benchmarks/bench_run.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import pipeline.link as identity
from pipeline.link import link, load, score_candidates
from pipeline.link.anchors import anchor
from pipeline.link.features import pair_slices, profiles
from pipeline.policy import load_policy

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from linkage_synthetic import synthesize  # noqa: E402


@pytest.fixture(scope="module")
def records():
    return synthesize(3000).drop("truth", strict=False)


@pytest.fixture(scope="module")
def profile(records):
    entities, _ = anchor(identity._linking_columns(records), load(), list(load_policy()["residence_precedence"]))
    return profiles(entities)


def test_pair_slices_cover_every_candidate_pair_once_in_order(profile):
    from pipeline.link.blocking import candidate_pairs

    candidates = candidate_pairs(profile)
    parts = list(pair_slices(candidates, profile, 20))
    assert len(parts) > 5
    assert_frame_equal(pl.concat(parts), candidates)
    sizes = profile.group_by("entity").len()
    for part in parts[:-1]:  # about at_once record pairs each (a slice ends past it)
        pairs = part.join(sizes.rename({"entity": "entity_l", "len": "a"}), on="entity_l").join(
            sizes.rename({"entity": "entity_r", "len": "b"}), on="entity_r"
        )
        assert (pairs["a"] * pairs["b"]).sum() <= 20 + (pairs["a"] * pairs["b"]).max()


def test_scoring_a_slice_at_a_time_decides_as_scoring_all_at_once(profile, monkeypatch):
    settings = load()
    monkeypatch.setattr(identity, "PAIRS_AT_ONCE", 10**9)
    whole = score_candidates(profile, settings)
    monkeypatch.setattr(identity, "PAIRS_AT_ONCE", 20)
    sliced = score_candidates(profile, settings)
    assert whole[1].height > 50
    assert_frame_equal(sliced[0], whole[0])
    assert_frame_equal(sliced[1], whole[1])


def test_link_reads_a_lazy_frame_in_one_piece_with_few_valued_columns_as_codes(records, tmp_path):
    paths = []
    for i, part in enumerate(records.iter_slices(records.height // 3 + 1)):  # files of many row groups
        paths.append(tmp_path / f"{i}.parquet")
        part.write_parquet(paths[-1], row_group_size=500)
    lazy = pl.concat([pl.scan_parquet(p) for p in paths])
    read = identity._linking_columns(lazy)
    assert set(read.n_chunks("all")) == {1}
    assert {c: read.schema[c] for c in identity.CODED} == {c: pl.Categorical for c in identity.CODED}
    # the outputs: text as before, the same persons as from an eager frame
    precedence = list(load_policy()["residence_precedence"])
    from_lazy, from_frame = link(lazy, None, precedence), link(lazy.collect(), None, precedence)
    assert from_lazy.persons.select("gender", "county", "township", "village").dtypes == [pl.Utf8] * 4
    assert from_lazy.persons.schema["source_tables"] == pl.List(pl.Utf8)
    assert_frame_equal(from_lazy.persons, from_frame.persons)
    assert_frame_equal(from_lazy.assignments, from_frame.assignments)


def test_persons_without_an_id_are_numbered_among_themselves_by_what_their_records_say():
    """Two persons without an ID on one hash (name, birth date, village) get X… and X…-2 in the
    order of what their records say (``_content``), not of which came first in the files (a
    re-sorted province swapped 297 records' keys); by the first record only when they say the same.
    A person with a canonical ID is keyed by it, whatever the others' hashes."""
    import hashlib
    from datetime import date

    from pipeline.link.persons import _with_person_key

    persons = pl.DataFrame({
        "person": [1, 2, 3, 4],
        "canonical_id": [None, "530381196712314583", None, None],
        "_match_name": ["张伟", "张伟", "张伟", "李娜"],
        "birth_date": [date(1967, 12, 31)] * 3 + [None],
        "_prefix": [None, None, None, "530381"],
        "village": ["石门村"] * 4,
        "_first": [5, 30, 10, 7],
        "_content": ["laonian||张伟", None, "dibao||张伟", "dibao||李娜"],
    })  # fmt: skip
    hashed = "X" + hashlib.blake2b("张伟|1967-12-31|石门村".encode(), digest_size=8).hexdigest().upper()
    other = "X" + hashlib.blake2b("李娜|530381|石门村".encode(), digest_size=8).hexdigest().upper()
    keys = _with_person_key(persons).sort("person")["person_key"].to_list()
    assert keys == [f"{hashed}-2", "530381196712314583", hashed, other]
    same = persons.with_columns(pl.lit("dibao||张伟").alias("_content"))  # saying the same: the first record
    assert _with_person_key(same).sort("person")["person_key"].to_list()[0] == hashed
