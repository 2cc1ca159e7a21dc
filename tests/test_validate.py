"""Validation: every row ends accepted or rejected, with reasons in words."""

from datetime import date

import polars as pl

from contracts.sources import TABLES
from pipeline.normalise import normalise
from pipeline.validate import split


def rows(table: str, records: list[dict]) -> pl.DataFrame:
    df = pl.DataFrame(records, schema={k: pl.Utf8 for k in records[0]})
    return df.with_columns(pl.int_range(2, df.height + 2, dtype=pl.Int64).alias("row_number"), pl.lit("{}").alias("raw"))


def test_a_table_column_named_reason_does_not_hide_rows():
    """临时救助 has 救助事由 (key ``reason``): a valid row must still be accepted."""
    frame = normalise(
        TABLES["linshi"],
        rows("linshi", [{"name": "白志勇", "id_number": "11010519491231002X", "amount": "1300", "relief_date": "2026-07-25", "reason": "因灾"}]),
        date(2026, 9, 30),
    )
    accepted, rejected = split("linshi", frame)
    assert accepted.height == 1 and rejected.height == 0
    assert accepted["reason"].to_list() == ["因灾"]


def test_reasons_name_the_column_and_the_value_once():
    frame = normalise(
        TABLES["fafang"],
        rows(
            "fafang",
            [
                {"name": "张三", "id_number": "11010519491231002X", "item": "低保金", "pay_month": "2026-09", "amount": "12元5"},
                {"name": "李四", "id_number": "11010519491231002X", "item": "其他补贴", "pay_month": "2026-09", "amount": "100"},
                {"name": "王五", "id_number": "11010519491231002X", "item": "低保金", "pay_month": "", "amount": "100"},
                {"name": "赵六", "id_number": "11010519491231002Y", "item": "低保金", "pay_month": "202609", "amount": "100"},
            ],
        ),
        date(2026, 9, 30),
    )
    accepted, rejected = split("fafang", frame)
    reasons = dict(zip(rejected["row_number"], rejected["reason"]))
    assert set(reasons) == {2, 3, 4}
    assert reasons[2].startswith("发放金额（元）") and "12元5" in reasons[2] and "必填项为空" not in reasons[2]
    assert "发放项目" in reasons[3] and "其他补贴" in reasons[3]
    assert reasons[4] == "发放月份：必填项为空"
    # A bad ID number does not reject the row: it is kept and flagged.
    assert accepted["name"].to_list() == ["赵六"]
    assert accepted["id_number_valid"].to_list() == [False]
