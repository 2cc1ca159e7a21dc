"""normalise() as a whole: columns and types per table, problems, order, nothing dropped."""

from __future__ import annotations

import polars as pl
import pytest

from contracts.inputs import DTYPES
from contracts.sources import ID, NAME, TABLES, all_columns
from normalise_builders import REFERENCE, ingest_rows, make_id
from pipeline.normalise import normalise, output_columns


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_table_types_its_columns_by_kind(name):
    table = TABLES[name]
    out = normalise(table, ingest_rows(name=["张三"]), REFERENCE)  # every other column absent
    assert out.columns == output_columns(table)
    assert out.height == 1
    for col in all_columns(table):
        dtype = pl.Utf8 if col.key in ("county", "township", "village", "region_code") else DTYPES[col.kind]
        assert out.schema[col.key] == dtype, col.key
        if col.kind == ID:
            assert out.schema[f"{col.key}_valid"] == pl.Boolean
            assert out.schema[f"{col.key}_raw"] == pl.Utf8
        if col.kind == NAME:
            assert out.schema[f"{col.key}_pinyin"] == pl.Utf8
    assert out.schema["problems"] == pl.List(pl.Utf8)


def test_empty_frame():
    out = normalise(TABLES["dibao"], ingest_rows(name=[]), REFERENCE)
    assert out.height == 0 and out.columns == output_columns(TABLES["dibao"])


def test_dibao_row():
    rows = ingest_rows(
        name=["張 三", "李四"],
        id_number=[make_id(), "5.33321198001011E+17"],
        head_id_number=[make_id(), make_id()],
        relation=["户主", "配偶"],
        category=["A类", "二类"],
        household_monthly_amount=["1,234.50", "12元5"],
        covered_persons=["2", "2"],
        start_month=["2024年1月", "202401"],
        status=[None, "停发"],
        single_person_coverage=["否", "是"],
        region_code=["530381101001", "530381101001"],
    )
    out = normalise(TABLES["dibao"], rows, REFERENCE)
    first, second = out.to_dicts()
    assert first["name"] == "张三" and first["category"] == "一类" and first["status"] == "在保"
    assert first["household_monthly_amount"] == 1234.5 and first["problems"] == []
    assert second["id_number"] is None and second["id_number_valid"] is False
    assert second["status"] == "停保"
    # an invalid ID is no problem; an unreadable amount is
    assert second["problems"] == ['户月保障金额（元）："12元5" 不是金额']
    assert out["row_number"].to_list() == [2, 3]
    assert out["raw"].to_list() == ["{}", "{}"]


def test_problems_name_every_unreadable_cell_in_column_order():
    rows = ingest_rows(name=["张三"], id_number=[make_id()], item=["低保"], pay_month=["九月"], amount=["-3"])
    (row,) = normalise(TABLES["fafang"], rows, REFERENCE).to_dicts()
    assert row["item"] == "低保金"
    assert row["problems"] == ['发放月份："九月" 不是月份']
    assert row["amount"] == -3.0  # a negative payment is a 冲正 correction, kept


def test_no_row_is_dropped_or_reordered():
    n = 500
    ids = [make_id(seq=f"{i % 1000:03d}") for i in range(n)]
    rows = ingest_rows(name=[f"王{i % 7}" for i in range(n)], id_number=ids, amount=[str(i % 5) for i in range(n)])
    rows = rows.with_columns(pl.Series("row_number", list(range(n, 0, -1))))
    out = normalise(TABLES["linshi"], rows, REFERENCE)
    assert out["row_number"].to_list() == list(range(n, 0, -1))
    assert out["id_number"].to_list() == ids
    assert out["amount"].to_list() == [float(i % 5) for i in range(n)]


def test_validate_accepts_and_rejects_normalised_rows():
    from pipeline.validate import accept_or_reject

    rows = ingest_rows(
        name=["张三", "李四", "王五"],
        id_number=[make_id(), make_id()[:17] + "0", make_id()],
        item=["低保金", "低保金", "不知道"],
        pay_month=["2026-09", "2026-09", "2026-09"],
        amount=["100", "100", "12元5"],
    )
    accepted, rejected = accept_or_reject("fafang", normalise(TABLES["fafang"], rows, REFERENCE))
    assert accepted["name"].to_list() == ["张三", "李四"]  # a wrong check digit is kept (flagged)
    assert accepted["id_number_valid"].to_list() == [True, False]
    assert rejected["row_number"].to_list() == [4]
    assert "发放金额（元）：\"12元5\" 不是金额" in rejected["reason"][0]


def test_a_column_of_distinct_cells_is_read_as_a_repeated_one_is():
    # A column of mostly distinct cells is read in place, one of repeated cells once per distinct
    # cell and looked up: the same values and problems, row for row.
    cells = ["1,234.50", "12元5", None, "-3", "  7 ", "１２", "abc", *(f"{i}.5" for i in range(40))]
    months = ["2026年9月", "九月", None, "202609", *(f"2026-{1 + i % 12:02d}" for i in range(len(cells) - 4))]
    names = [f"王{i}" for i in range(len(cells))]
    distinct = ingest_rows(name=names, amount=cells, pay_month=months, account=[f"62{i:010d}" for i in range(len(cells))])
    repeated = pl.concat([distinct, distinct])  # every cell twice: no column is mostly distinct
    once, twice = normalise(TABLES["fafang"], distinct, REFERENCE), normalise(TABLES["fafang"], repeated, REFERENCE)
    assert twice.head(once.height).equals(once) and twice.tail(once.height).equals(once)
    assert once["problems"].list.len().sum() >= 3  # the unreadable amounts and month are said
