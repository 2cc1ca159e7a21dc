"""The persons identity builds: each person's tables, and the order the persons are held in.

``source_tables`` is built by or-ing a bit per table over a person's records (``persons._counted``):
these tests would fail if a table were missed, repeated, or listed in the order the records came.
"""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.link import cuts, link
from tests.link.link_builders import frame, make_id, record

ZHANG = make_id("19670312", "113")
LI = make_id("19900101", "224")  # a key after 张伟's: order by key would put it second


def _records() -> pl.DataFrame:
    return frame([
        record(1, "tekun", "李娜", LI),
        record(2, "yibao_canbao", "张伟", ZHANG),
        record(3, "dibao", "张伟", ZHANG),
        record(4, "tekun", "张伟", ZHANG),
        record(5, "dibao", "张伟", ZHANG),
        record(6, "canlian", "王芳", None, village="石门村"),
        record(7, "fupin", "李娜", LI),
    ])  # fmt: skip


@pytest.fixture(params=["one piece", "cut by person"])
def persons(request, tmp_path, monkeypatch) -> pl.DataFrame:
    if request.param == "cut by person":  # every quarter above a handful of records is cut
        monkeypatch.setattr(cuts, "PERSONS_AT_ONCE", 2)
        monkeypatch.setattr(cuts, "RECORDS_AT_ONCE", 2)
        built = link(_records(), folder=tmp_path).persons
    else:
        built = link(_records()).persons
    return built.collect() if isinstance(built, pl.LazyFrame) else built


def test_each_person_lists_its_tables_once_in_name_order(persons):
    tables = dict(zip(persons["person_key"], persons["source_tables"].to_list()))
    assert tables[ZHANG] == ["dibao", "tekun", "yibao_canbao"]  # its records came yibao_canbao, dibao, tekun, dibao
    assert tables[LI] == ["fupin", "tekun"]
    (alone,) = [key for key in tables if key.startswith("X")]
    assert tables[alone] == ["canlian"]
    assert dict(zip(persons["person_key"], persons["n_records"])) == {LI: 2, ZHANG: 4, alone: 1}


def test_persons_are_held_in_the_order_of_their_first_record(persons):
    """Not by key: 李娜 (record 1) comes before 张伟 (record 2) whatever their ID numbers say."""
    assert persons["person_key"].to_list()[:2] == [LI, ZHANG]
    assert persons["person_key"][2].startswith("X")
