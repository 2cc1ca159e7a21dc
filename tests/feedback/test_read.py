"""A workbook the township reworked: rows inserted above the header, columns moved, renamed file."""

from __future__ import annotations

from datetime import datetime

from openpyxl import Workbook

from pipeline.feedback import read_workbook


def _book(path, title: str | None = "某乡镇　2026年第三季度“九过筛子”清单"):
    wb = Workbook()
    wb.active.title = "封面"
    wb.active["A1"] = "封面"
    ws = wb.create_sheet("七、应退尽退（已核）")
    if title:
        ws["A1"] = title
    ws["A2"] = "（乡镇插入的说明行）"
    ws.append([])
    # header on row 4, 问题编号 first, 整改台账 columns in another order, a 备注 column added
    ws.append(["问题编号", "姓名", " 销号\n日期 ", "核查结果", "整 改 措 施", "责任人", "整改时限", "备注"])
    ws.append(["aaaa000000000001", "甲", "2026.10.8", "属实", "已停发", "张", None, None])
    ws.append(["aaaa000000000002", "乙", None, "不属实", None, None, None, "系同名同姓"])
    ws.append(["aaaa000000000003", "丙", None, None, None, None, None, None])  # not answered
    ws.append([None, "丁", None, "属实", None, None, None, None])  # answered, but no 问题编号
    ws.append(["aaaa000000000005", "戊", datetime(2026, 11, 1), "部分属实", "部分已纠正", None, "长期坚持", None])
    ws.append(["aaaa000000000006", "己", None, "不属实", None, None, None, None])  # no reason given
    wb.save(path)


def test_header_found_wherever_the_township_moved_it(tmp_path):
    path = tmp_path / "反馈.xlsx"
    _book(path)
    out = read_workbook(path)
    assert out.quarter == "2026Q3"  # from the sheet's title
    assert out.sheets == ["七、应退尽退（已核）"]
    rows = {r["case_id"]: r for r in out.rows}
    assert set(rows) == {"aaaa000000000001", "aaaa000000000002", "aaaa000000000005", "aaaa000000000006"}
    assert rows["aaaa000000000001"]["closed_date"].isoformat() == "2026-10-08" and rows["aaaa000000000001"]["rectified"]
    assert rows["aaaa000000000001"]["source_row"] == 5
    assert rows["aaaa000000000002"]["remark"] == "系同名同姓" and not rows["aaaa000000000002"]["rectified"]
    assert rows["aaaa000000000005"]["deadline_note"] == "长期坚持" and rows["aaaa000000000005"]["rectified"]
    assert out.blank_rows == 1
    issues = {(i.row, i.column, i.imported) for i in out.issues}
    assert (8, "A（问题编号）", False) in issues  # answered without a 问题编号: reported, not imported
    assert (10, "D（核查结果）", True) in issues  # 不属实 without a reason: imported, with a warning


def test_a_workbook_that_does_not_say_its_quarter(tmp_path):
    path = tmp_path / "反馈.xlsx"
    _book(path, title=None)
    out = read_workbook(path)
    assert out.quarter is None and not out.rows
    assert "--quarter" in out.issues[0].message
    assert read_workbook(path, "2026Q3").quarter == "2026Q3"
