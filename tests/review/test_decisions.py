"""Decisions applied in identity resolution: 同一人 links, 不是同一人 never links, not even through
a third record; decided pairs leave match_review; a decision is found by the records' keys, not ids."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "link"))
from link_builders import frame, make_id, record  # noqa: E402

from pipeline.link import link  # noqa: E402
from pipeline.link.decisions import DIFFERENT, HUMAN_DIFFERENT, HUMAN_SAME, HUMAN_SPLIT, SAME, UNSURE  # noqa: E402
from pipeline.review.keys import KEY_COLUMNS  # noqa: E402

PRECEDENCE = ["dibao", "tekun", "ertong", "fupin", "canlian", "yibao_canbao"]


def key(rec: dict) -> dict:
    """A record's cross-quarter key, its ID read as the pipeline reads it."""
    return frame([rec]).select(KEY_COLUMNS).row(0, named=True)


def decisions(*pairs: tuple[dict, dict, str]) -> pl.DataFrame:
    rows = []
    for k, (a, b, decision) in enumerate(pairs):
        row = {"decision": decision, "decided_at": datetime(2026, 7, 1, 9, k)}
        for side, rec in (("l", a), ("r", b)):
            row |= {f"{c}_{side}": v for c, v in key(rec).items()}
        rows.append(row)
    return pl.DataFrame(rows)


def person(linkage, record_id: int) -> str:
    a = linkage.assignments
    return a.filter(pl.col("record_id") == record_id)["person_key"].item()


def method(linkage, record_id: int) -> str:
    a = linkage.assignments
    return a.filter(pl.col("record_id") == record_id)["match_method"].item()


def test_decisions_on_other_records_change_nothing():
    pid = make_id()
    rows = frame([record(1, "dibao", "赵明", pid), record(2, "linshi", "赵明", "5.30381E+17")])
    elsewhere = decisions((record(8, "dibao", "钱红", make_id("19830505", "246")), record(9, "fupin", "钱红", None), SAME))
    plain, decided = link(rows, None, PRECEDENCE), link(rows, None, PRECEDENCE, elsewhere)
    assert plain.assignments.equals(decided.assignments) and plain.review.equals(decided.review)


def test_same_person_links_a_review_pair_and_says_so():
    pid = make_id()
    a, b = record(1, "dibao", "赵明", pid), record(2, "linshi", "赵明", "5.30381E+17")
    before = link(frame([a, b]), None, PRECEDENCE)
    assert person(before, 1) != person(before, 2) and before.review.height == 1
    after = link(frame([a, b]), None, PRECEDENCE, decisions((a, b, SAME)))
    assert person(after, 1) == person(after, 2) == pid
    assert method(after, 2) == HUMAN_SAME
    assert after.review.height == 0


def test_not_same_person_leaves_review_and_stays_apart():
    pid = make_id()
    a, b = record(1, "dibao", "赵明", pid), record(2, "linshi", "赵明", "5.30381E+17")
    after = link(frame([a, b]), None, PRECEDENCE, decisions((b, a, DIFFERENT)))  # either order
    assert person(after, 1) != person(after, 2)
    assert method(after, 1).endswith(HUMAN_DIFFERENT) and method(after, 2).endswith(HUMAN_DIFFERENT)
    assert after.review.height == 0


def test_cannot_decide_keeps_the_pair_in_review():
    pid = make_id()
    a, b = record(1, "dibao", "赵明", pid), record(2, "linshi", "赵明", "5.30381E+17")
    after = link(frame([a, b]), None, PRECEDENCE, decisions((a, b, UNSURE)))
    assert after.review.select("record_id_l", "record_id_r").rows() == [(1, 2)]


def test_not_same_person_splits_a_cluster_a_third_record_would_chain():
    pid = make_id()
    excel = pid[0] + "." + pid[1:15] + "E+17"  # the 15 digits Excel kept
    a, b, c = record(1, "dibao", "赵明", pid), record(2, "yibao_canbao", "赵明", excel), record(3, "fupin", "赵明", excel)
    before = link(frame([a, b, c]), None, PRECEDENCE)
    assert person(before, 1) == person(before, 2) == person(before, 3)
    after = link(frame([a, b, c]), None, PRECEDENCE, decisions((a, b, DIFFERENT)))
    assert person(after, 1) != person(after, 2)
    assert person(after, 3) in (person(after, 1), person(after, 2))  # the third record goes with one of them
    reviewed = after.review.select("record_id_l", "record_id_r").rows()
    assert (1, 2) not in reviewed  # decided
    assert len(reviewed) == 1 and HUMAN_SPLIT in after.review["reasons"].item()  # the link cut: undecided


def test_a_decision_finds_its_records_by_key_after_renumbering_and_excel_damage():
    pid = make_id()
    a, b = record(1, "dibao", "赵明", pid), record(2, "linshi", "赵明", "5.30381E+17")
    d = decisions((a, b, SAME))
    # Next quarter: other record ids, and the dibao row re-saved by Excel (15 digits, rounded or truncated).
    for damaged in (pid[0] + "." + pid[1:15] + "E+17", pid[:15] + "000"):
        a2, b2 = record(7, "dibao", "赵明", damaged), record(4, "linshi", "赵明", "5.30381E+17")
        a2["id_valid"] = a2["id_valid"] and damaged == pid
        later = link(frame([b2, a2]), None, PRECEDENCE, d)
        assert person(later, 7) == person(later, 4), damaged
    # Another person of the same name in the same village, with another ID, is not covered.
    other = record(9, "dibao", "赵明", make_id("19900101", "456"))
    later = link(frame([other, record(4, "linshi", "赵明", "5.30381E+17")]), None, PRECEDENCE, d)
    assert method(later, 4) != HUMAN_SAME


def test_a_village_only_one_quarter_names_does_not_lose_the_decision():
    pid = make_id()
    a, b = record(1, "dibao", "赵明", pid), record(2, "linshi", "赵明", "5.30381E+17", village=None)
    d = decisions((a, b, SAME))
    b2 = record(5, "linshi", "赵明", "5.30381E+17", village="新村")  # next quarter's form has the column
    assert person(link(frame([a, b2]), None, PRECEDENCE, d), 5) == pid
    d = decisions((a, b2, SAME))
    unnamed = record(6, "linshi", "赵明", "5.30381E+17", village=None)  # and the quarter after has not
    assert person(link(frame([a, unnamed]), None, PRECEDENCE, d), 6) == pid
    moved = record(5, "linshi", "赵明", "5.30381E+17", village="旧村")  # two villages named: another record
    assert method(link(frame([a, moved]), None, PRECEDENCE, d), 5) != HUMAN_SAME
