"""Validation: every row ends accepted or rejected, with reasons in words."""

from datetime import date

import polars as pl

from contracts.sources import TABLES
from pipeline.normalise import normalise
from pipeline.validate import accept_or_reject


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
    accepted, rejected = accept_or_reject("linshi", frame)
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
    accepted, rejected = accept_or_reject("fafang", frame)
    reasons = dict(zip(rejected["row_number"], rejected["reason"]))
    assert set(reasons) == {2, 3, 4}
    assert reasons[2].startswith("发放金额（元）") and "12元5" in reasons[2] and "必填项为空" not in reasons[2]
    assert "发放项目" in reasons[3] and "其他补贴" in reasons[3]
    assert reasons[4] == "发放月份：必填项为空"
    # A bad ID number does not reject the row: it is kept and flagged.
    assert accepted["name"].to_list() == ["赵六"]
    assert accepted["id_number_valid"].to_list() == [False]


FAFANG_ROW = {"name": "张三", "id_number": "11010519491231002X", "item": "低保金", "pay_month": "2026-09", "amount": "600"}


def test_a_row_without_any_digit_in_its_id_is_rejected_as_id_blank():
    """inputs.md: a blank required ID (no digits at all) rejects the row with 身份证号为空."""
    records = [
        {**FAFANG_ROW, "id_number": ""},  # blank
        {**FAFANG_ROW, "id_number": "无"},  # text without a digit
        {**FAFANG_ROW, "id_number": "  -- "},
        {**FAFANG_ROW, "name": "", "id_number": ""},  # no name either: one reason
        {**FAFANG_ROW, "id_number": "5.33321198001011E+17"},  # present but unusable: kept, flagged
        {**FAFANG_ROW, "id_number": "53032119800101"},  # truncated: kept, flagged
        {**FAFANG_ROW, "id_number": "１１０１０５１９４９１２３１００２Ｘ"},  # full-width digits: kept
    ]
    frame = normalise(TABLES["fafang"], rows("fafang", records), date(2026, 9, 30))
    accepted, rejected = accept_or_reject("fafang", frame)
    reasons = dict(zip(rejected["row_number"], rejected["reason"]))
    assert set(reasons) == {2, 3, 4, 5}
    assert reasons[2] == "身份证号为空" and reasons[5] == "身份证号为空"
    assert reasons[3] == '身份证号为空（身份证号："无"）'
    assert all("身份证号为空" in r for r in reasons.values())
    assert accepted["row_number"].to_list() == [6, 7, 8]
    assert accepted["id_number_valid"].to_list() == [False, False, True]


def test_blank_id_names_the_tables_own_id_column():
    """防返贫 calls the ID 证件号码; the reason still says 身份证号为空 and shows the cell."""
    record = {
        "household_number": "H1", "name": "张三", "id_number": "不详", "relation": "户主", "household_type": "脱贫户",
        "health": "健康", "labour_skill": "普通劳动力", "income_per_capita": "9000",
    }
    frame = normalise(TABLES["fupin"], rows("fupin", [record]), date(2026, 9, 30))
    _, rejected = accept_or_reject("fupin", frame)
    assert rejected["reason"].to_list() == ['身份证号为空（证件号码："不详"）']


def test_canlian_row_is_identified_by_its_certificate_when_the_id_is_blank():
    cert = "11010519491231002X12"
    records = [
        {"name": "张三", "certificate_number": cert, "id_number": ""},  # ID from the certificate: kept
        {"name": "李四", "certificate_number": "", "id_number": ""},  # neither: rejected
    ]
    frame = normalise(TABLES["canlian"], rows("canlian", records), date(2026, 9, 30))
    accepted, rejected = accept_or_reject("canlian", frame)
    assert accepted["name"].to_list() == ["张三"]
    assert rejected["row_number"].to_list() == [3]
    assert "身份证号为空" in rejected["reason"][0]


def test_a_negative_payment_is_a_correction_and_is_kept():
    """资金发放: a negative amount is a 冲正 row (kept, negative); other tables refuse it."""
    frame = normalise(TABLES["fafang"], rows("fafang", [FAFANG_ROW, {**FAFANG_ROW, "amount": "-600"}]), date(2026, 9, 30))
    accepted, rejected = accept_or_reject("fafang", frame)
    assert rejected.height == 0
    assert accepted["amount"].to_list() == [600.0, -600.0]

    linshi = {"name": "白志勇", "id_number": "11010519491231002X", "amount": "-1300", "relief_date": "2026-07-25"}
    frame = normalise(TABLES["linshi"], rows("linshi", [linshi]), date(2026, 9, 30))
    accepted, rejected = accept_or_reject("linshi", frame)
    assert accepted.height == 0
    assert rejected["reason"].to_list() == ['救助金额（元）："-1300" 金额为负数']


def test_bundled_county_rejects_its_blank_id_rows_and_reads_its_html_xls(bundled_run):
    """The generator leaves a dibao 身份证号 blank each quarter (records.csv: id_blank) and exports
    临时救助 as an HTML .xls: the run rejects the first with 身份证号为空 and accepts the second."""
    from pathlib import Path

    truth = pl.read_csv(Path(__file__).parent.parent / "sample_data/county/truth/records.csv", infer_schema_length=0)
    blank = truth.filter(pl.col("reject_reason_kind") == "id_blank").select(
        "file_name", pl.col("sheet_name").fill_null(""), pl.col("row_number").cast(pl.Int64)
    )
    assert blank.height == 2
    rejected = bundled_run.sql("SELECT file_name, sheet_name, row_number, reason FROM rejected_rows")
    got = blank.join(rejected, on=["file_name", "sheet_name", "row_number"])
    assert got.height == 2 and got["reason"].str.contains("身份证号为空").all(), got
    html = truth.filter(pl.col("file_name").str.contains("临时救助") & (pl.col("expect") == "accept"))
    accepted = bundled_run.sql("SELECT file_name, row_number FROM source_records WHERE source_table = 'linshi'")
    assert html.height and html.select("file_name", pl.col("row_number").cast(pl.Int64)).join(
        accepted, on=["file_name", "row_number"], how="anti"
    ).is_empty()
