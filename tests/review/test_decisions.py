"""Decisions applied in identity resolution: 同一人 links, 不是同一人 never links, not even through
a third record; decided pairs leave match_review; a decision is found by the records' keys, not ids.

The pairs are ones identity resolution cannot settle alone (it sends them to match_review):
- a tie: 赵明 of 新村 with his ID lost to Excel's display form (5.30381E+17), and two 赵明 of 新村
  with valid IDs - the name is not unique in the village, no guess;
- namesake twins: 王芳 and 王芳 born one day, valid IDs one sequence digit apart (a slip that kept
  the check digit valid, or two girls)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "link"))
from link_builders import frame, make_id, record  # noqa: E402

from pipeline.link import link  # noqa: E402
from pipeline.link.cluster import HUMAN_SPLIT  # noqa: E402
from pipeline.link.decisions import DIFFERENT, HUMAN_DIFFERENT, HUMAN_SAME, SAME, UNSURE  # noqa: E402
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


P1, P2 = make_id("19620305", "112"), make_id("19751120", "331")
TWIN1, TWIN2 = make_id("20100515", "031"), make_id("20100515", "033")
LOST = "5.30381E+17"  # the ID as Excel displays a number: six digits kept


def tie(village: str | None = "新村") -> list[dict]:
    """赵明 (P1), 赵明 (P2) and 赵明 whose ID Excel lost (record 3), all of 新村."""
    return [record(1, "dibao", "赵明", P1), record(2, "tekun", "赵明", P2), record(3, "linshi", "赵明", LOST, village=village)]


def twins() -> list[dict]:
    return [record(1, "dibao", "王芳", TWIN1), record(2, "ertong", "王芳", TWIN2)]


def reviewed(linkage) -> list[tuple[int, int]]:
    return sorted(linkage.review.select("record_id_l", "record_id_r").rows())


def test_the_scenarios_are_doubtful_without_a_decision():
    plain = link(frame(tie()), None, PRECEDENCE)
    assert len({person(plain, r) for r in (1, 2, 3)}) == 3 and reviewed(plain) == [(1, 3), (2, 3)]
    plain = link(frame(twins()), None, PRECEDENCE)
    assert person(plain, 1) != person(plain, 2) and reviewed(plain) == [(1, 2)]


def test_decisions_on_other_records_change_nothing():
    rows = frame(tie())
    elsewhere = decisions((record(8, "dibao", "钱红", make_id("19830505", "246")), record(9, "fupin", "钱红", LOST), SAME))
    plain, decided = link(rows, None, PRECEDENCE), link(rows, None, PRECEDENCE, elsewhere)
    assert plain.review.height == 2  # something a decision could have changed
    assert plain.assignments.equals(decided.assignments) and plain.review.equals(decided.review)


def test_same_person_links_a_review_pair_and_says_so():
    a, _, c = rows = tie()
    after = link(frame(rows), None, PRECEDENCE, decisions((a, c, SAME)))
    assert person(after, 3) == person(after, 1) == P1 and person(after, 2) == P2
    assert method(after, 3) == HUMAN_SAME
    assert (1, 3) not in reviewed(after)
    t1, t2 = twins()
    after = link(frame([t1, t2]), None, PRECEDENCE, decisions((t1, t2, SAME)))
    assert person(after, 1) == person(after, 2) and HUMAN_SAME in (method(after, 1), method(after, 2))
    assert after.review.height == 0


def test_not_same_person_leaves_review_and_stays_apart():
    a, _, c = rows = tie()
    after = link(frame(rows), None, PRECEDENCE, decisions((c, a, DIFFERENT)))  # either order
    assert person(after, 3) not in (P1, P2)  # not P1, and not P2 by elimination either
    assert method(after, 1).endswith(HUMAN_DIFFERENT) and method(after, 3).endswith(HUMAN_DIFFERENT)
    assert reviewed(after) == [(2, 3)]  # whether 3 is P2 nobody decided
    t1, t2 = twins()
    after = link(frame([t1, t2]), None, PRECEDENCE, decisions((t2, t1, DIFFERENT)))
    assert person(after, 1) == TWIN1 and person(after, 2) == TWIN2
    assert method(after, 1).endswith(HUMAN_DIFFERENT) and method(after, 2).endswith(HUMAN_DIFFERENT)
    assert after.review.height == 0


def test_cannot_decide_keeps_the_pair_in_review():
    t1, t2 = twins()
    after = link(frame([t1, t2]), None, PRECEDENCE, decisions((t1, t2, UNSURE)))
    assert reviewed(after) == [(1, 2)] and person(after, 1) != person(after, 2)
    a, _, c = rows = tie()
    after = link(frame(rows), None, PRECEDENCE, decisions((a, c, UNSURE)))
    assert reviewed(after) == [(1, 3), (2, 3)] and person(after, 3) not in (P1, P2)


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


def _next_quarter(a_id: str) -> list[dict]:
    """The tie world renumbered, 赵明 P1's dibao row with ``a_id``; his canlian row keeps his ID."""
    return [
        record(4, "linshi", "赵明", LOST), record(5, "tekun", "赵明", P2),
        record(7, "dibao", "赵明", a_id), record(8, "canlian", "赵明", P1),
    ]


def test_a_decision_finds_its_records_by_key_after_renumbering_and_excel_damage():
    a, _, c = tie()
    d = decisions((a, c, SAME))
    # Next quarter: other record ids, and the dibao row re-saved by Excel (15 digits, rounded or truncated).
    for damaged in (P1[0] + "." + P1[1:15] + "E+17", P1[:15] + "000"):
        plain = link(frame(_next_quarter(damaged)), None, PRECEDENCE)
        assert person(plain, 4) != person(plain, 7) == P1 and plain.review.height > 0, damaged  # doubtful alone
        later = link(frame(_next_quarter(damaged)), None, PRECEDENCE, d)
        assert person(later, 4) == person(later, 7) == P1, damaged
        assert method(later, 4) == HUMAN_SAME and person(later, 5) == P2, damaged
    # Another person of the same name in the same village, with another ID, is not covered.
    other = [record(4, "linshi", "赵明", LOST), record(5, "tekun", "赵明", P2), record(9, "dibao", "赵明", make_id("19900101", "456"))]
    later = link(frame(other), None, PRECEDENCE, d)
    assert method(later, 4) != HUMAN_SAME and person(later, 4) not in (P2, make_id("19900101", "456"))


def test_a_village_only_one_quarter_names_does_not_lose_the_decision():
    a, _, c = tie()
    unnamed = tie(village=None)  # a quarter whose linshi form has no village column
    d = decisions((a, unnamed[2], SAME))  # decided on the row without a village
    assert person(link(frame(tie()), None, PRECEDENCE), 3) != P1
    assert person(link(frame(tie()), None, PRECEDENCE, d), 3) == P1  # the quarter after names it
    d = decisions((a, c, SAME))  # decided on the row of 新村
    assert person(link(frame(unnamed), None, PRECEDENCE), 3) != P1
    assert person(link(frame(unnamed), None, PRECEDENCE, d), 3) == P1  # and the quarter after names none
    moved = tie(village="旧村")  # two villages named: another record
    assert method(link(frame(moved), None, PRECEDENCE, d), 3) != HUMAN_SAME


def test_a_decision_never_joins_two_birth_dates_through_a_guess():
    a, _, c = tie()
    damaged = P1[0] + "." + P1[1:15] + "E+17"
    rows = [record(4, "linshi", "赵明", LOST), record(5, "tekun", "赵明", P2), record(7, "dibao", "赵明", damaged)]
    later = link(frame(rows), None, PRECEDENCE, decisions((a, c, SAME)))
    assert person(later, 7) != person(later, 5)  # 1962 and 1975: two persons, whatever links record 4
