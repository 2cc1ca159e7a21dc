"""The review workbook and page as a person gets them, what a person may type back, and cases
that rest on an undecided pair - on the generated county (conftest.py), whose quarters hold pairs."""

from __future__ import annotations

import openpyxl
import polars as pl
import pytest

from pipeline.errors import UsageError
from pipeline.review.export import KEY_ITEM, export_review
from pipeline.review.importer import import_review
from pipeline.review.pending import PENDING
from pipeline.review.read import read_review


@pytest.fixture
def exported(generated_copy):
    xlsx, page, n = export_review(generated_copy.db, generated_copy.reports, "2026Q2")
    assert n >= 3  # the tests below need three pairs
    return generated_copy, xlsx, page, n


def test_workbook_blocks_side_by_side_with_a_dropdown(exported):
    run, xlsx, page, n = exported
    ws = openpyxl.load_workbook(xlsx).active
    codes = {ws.cell(r, 1).value for r in range(5, ws.max_row + 1)} - {None}
    assert len(codes) == n == run.sql("SELECT count(*) AS n FROM match_review WHERE quarter = '2026Q2'")["n"].item()
    items = [ws.cell(r, 2).value for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value == "P0001"]
    for item in ("得分与依据", "姓名", "身份证号（原件）", "身份证号（识别）", "出生日期", "性别", "村", "户主", "名册", "文件", KEY_ITEM):
        assert item in items
    (dv,) = ws.data_validations.dataValidation
    assert "同一人" in dv.formula1 and "不是同一人" in dv.formula1 and "无法判断" in dv.formula1
    assert len(dv.sqref.ranges) == n  # one dropdown per pair
    names = [r for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value == "姓名"]
    differ = [r for r in names if ws.cell(r, 3).value != ws.cell(r, 4).value]
    assert differ and len(differ) < len(names)  # this county has pairs of both kinds
    for r in names:  # a differing value is said and highlighted, an equal one is not
        assert (ws.cell(r, 5).value == "不同") == (r in differ)
        assert ws.cell(r, 3).fill.fgColor.rgb.endswith("FFF2CC") == (r in differ)
    text = page.read_text(encoding="utf-8")
    assert text.count("<h2>P0") == n and "http" not in text and "<script" not in text  # self-contained


def test_township_filter(generated_copy):
    review = generated_copy.sql(
        "SELECT s.township FROM match_review m JOIN source_records s ON s.record_id = m.record_id_l AND s.quarter = m.quarter "
        "WHERE m.quarter = '2026Q2' AND s.township IS NOT NULL"
    )
    town = review["township"][0]
    _, _, n = export_review(generated_copy.db, generated_copy.reports, "2026Q2", town)
    _, _, none = export_review(generated_copy.db, generated_copy.reports, "2026Q2", "没有这个镇")
    assert n == review.filter(review["township"] == town).height and none == 0


def test_unreadable_answers_and_edited_keys_are_refused_by_row(exported, tmp_path):
    run, xlsx, _, n = exported
    wb = openpyxl.load_workbook(xlsx)
    ws = wb.active
    first = {ws.cell(r, 1).value: r for r in range(ws.max_row, 4, -1)}  # pair code -> its first row
    ws.cell(first["P0001"], 6, "可能是")  # not an answer
    ws.cell(first["P0002"], 6, "不是")  # 不是同一人, typed short
    key_row = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value == "P0002" and ws.cell(r, 2).value == KEY_ITEM)
    ws.cell(first["P0003"], 6, "同一人")
    ws.cell(first["P0003"] + 1, 6, "不是同一人")  # two answers that disagree
    wb.save(tmp_path / "x.xlsx")
    read = read_review(tmp_path / "x.xlsx")
    assert [r["decision"] for r in read.rows] == ["不是同一人"]
    bad = {i.row: i for i in read.issues}
    assert bad[first["P0001"]].column == "F（判断）" and bad[first["P0001"]].value == "可能是"
    ws.cell(key_row, 3, "被人改过")
    wb.save(tmp_path / "y.xlsx")
    read = read_review(tmp_path / "y.xlsx")
    assert read.rows == [] and any(i.row == key_row and "识别键" in i.message for i in read.issues)
    result = import_review([tmp_path / "x.xlsx"], run.db)
    assert result.imported == 1 and run.sql("SELECT decision FROM link_decisions")["decision"].to_list() == ["不是同一人"]
    result = import_review([tmp_path / "x.xlsx"], run.db)  # again: replaced, not added
    assert run.sql("SELECT count(*) AS n FROM link_decisions")["n"].item() == 1


def test_no_database_or_quarter_is_a_usage_error(bundled_run, tmp_path):
    with pytest.raises(UsageError):
        export_review(tmp_path / "none.duckdb", tmp_path)
    with pytest.raises(UsageError, match="2026Q4"):
        export_review(bundled_run.db, tmp_path, "2026Q4")


def test_cases_resting_on_an_undecided_pair_say_so(generated_run):
    q = "2026Q3"
    pending = generated_run.sql(
        "SELECT DISTINCT s.person_key FROM match_review m JOIN source_records s "
        "ON s.quarter = m.quarter AND s.record_id IN (m.record_id_l, m.record_id_r) WHERE m.quarter = ?", [q]
    )["person_key"]
    cases = generated_run.sql("SELECT person_key, detail FROM cases WHERE quarter = ?", [q])
    marked = cases.filter(pl.col("detail").str.contains(PENDING))
    assert marked.height > 0
    assert set(marked["person_key"]) == set(cases.filter(pl.col("person_key").is_in(pending.to_list()))["person_key"])


def test_a_households_head_is_read_in_record_order_not_in_the_order_rows_are_stored(generated_copy):
    """source_records is stored in any row order (``store.STORED_IN_ANY_ORDER``): the review
    reads a household's 户主 by record order.  A second 户主 row with a later record id, stored
    first, must not become the household's 户主."""
    import duckdb

    from pipeline.link.anchors import HEAD_RELATIONS
    from pipeline.review.export import _records

    q = "2026Q2"
    with duckdb.connect(str(generated_copy.db)) as con:
        household, first = con.execute(
            "SELECT household_key, min(record_id) FROM source_records WHERE quarter = ? AND household_key IS NOT NULL "
            "AND relation IN (SELECT unnest(?)) GROUP BY ALL ORDER BY ALL LIMIT 1", [q, list(HEAD_RELATIONS)]
        ).fetchall()[0]
        con.execute("CREATE TEMP TABLE kept AS SELECT * FROM source_records WHERE quarter = ?", [q])
        con.execute(
            "INSERT INTO kept SELECT * REPLACE ((SELECT max(record_id) + 1 FROM kept) AS record_id, '另一个户主' AS name_display) "
            "FROM kept WHERE record_id = ?", [first]
        )
        con.execute("DELETE FROM source_records WHERE quarter = ?", [q])
        con.execute("INSERT INTO source_records SELECT * FROM kept ORDER BY record_id DESC")  # the later row stored first
        stored_first = con.execute("SELECT name_display FROM source_records WHERE household_key = ? AND quarter = ? LIMIT 1", [household, q]).fetchall()[0]
        assert stored_first == ("另一个户主",)
        heads = _records(con, q).filter(pl.col("household_key") == household)["head_name"].unique().to_list()
        named = con.execute("SELECT coalesce(name_display, name) FROM source_records WHERE record_id = ? AND quarter = ?", [first, q]).fetchall()[0]
    assert heads == [named[0]]
