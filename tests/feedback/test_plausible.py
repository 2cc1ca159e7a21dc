"""Answers that cannot be true are listed (file, sheet, row) and not imported: a 销号日期 after the
import date or before the case was first found, a 销号 with no 核查结果; the answers people really
write (12月底, 长期坚持, 2026.10.8 ...) still go in.  A workbook that is not a doudi list says so."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from filler import CASE_SHEETS, case_rows, headers
from openpyxl import Workbook

from pipeline.feedback import import_feedback, read_workbook
from pipeline.report import township_path

TODAY = date(2026, 12, 3)


@pytest.fixture
def answered(bundled_copy, tmp_path):
    """The busiest 2026Q3 workbook with six rows answered, the first three implausibly."""
    town = bundled_copy.sql(
        "SELECT township, count(*) n FROM cases WHERE quarter = '2026Q3' AND township IS NOT NULL GROUP BY 1 ORDER BY n DESC, 1"
    ).item(0, 0)
    wb = openpyxl.load_workbook(township_path(bundled_copy.reports, "2026Q3", town))
    carried = set(bundled_copy.sql("SELECT case_id FROM cases WHERE quarter = '2026Q3' AND first_seen_quarter = '2026Q2'")["case_id"])
    rows = [(wb[n], r) for n in CASE_SHEETS for r in case_rows(wb[n])]
    old = [(ws, r) for ws, r in rows if ws.cell(r, headers(ws)["问题编号"]).value in carried]
    new = [(ws, r) for ws, r in rows if (ws, r) not in old]
    plan = [
        (old[0], {"核查结果": "属实", "销号日期": "2027-01-05"}, "future"),
        (old[1], {"整改措施": "已停发", "销号日期": "2026.10.8"}, "no answer"),
        (old[2], {"核查结果": "属实", "销号日期": "2026.3.1"}, "before the case"),  # first found in 2026Q2
        (new[0], {"核查结果": "属实", "整改措施": "已纳入低保", "销号日期": "2026.10.8"}, None),
        (new[1], {"核查结果": "部份属实", "整改时限": "12月底"}, None),
        (new[2], {"核查结果": "属实", "整改时限": "长期坚持", "销号日期": "10月8日"}, None),
    ]
    expected = {}
    for (ws, r), cells, why in plan:
        col = headers(ws)
        for h, v in cells.items():
            ws.cell(r, col[h], v)
        expected[(ws.title, r)] = (ws.cell(r, col["问题编号"]).value, why)
    path = tmp_path / f"{town}（已填）.xlsx"
    wb.save(path)
    return bundled_copy, path, expected


def test_implausible_closings_are_listed_and_not_imported(answered):
    run, path, expected = answered
    result = import_feedback([path], run.db, today=TODAY)
    refused = {(i.sheet, i.row): i for i in result.refused}
    stored = set(run.sql("SELECT case_id FROM case_feedback WHERE quarter = '2026Q3'")["case_id"])
    for (sheet, row), (case_id, why) in expected.items():
        if why is None:
            assert case_id in stored and (sheet, row) not in refused
        else:
            assert case_id not in stored, why
            issue = refused[(sheet, row)]
            assert issue.file == path.name and "（该行未导入）" in str(issue)
    messages = {why: str(refused[k]) for k, (_, why) in expected.items() if why}
    assert "晚于今天" in messages["future"] and "2027-01-05" in messages["future"]
    assert "核查结果为空" in messages["no answer"]
    assert "早于该问题首次发现的季度 2026Q2" in messages["before the case"]
    assert result.imported == 3


def test_real_answers_still_read(answered):
    _, path, expected = answered
    out = read_workbook(path, today=TODAY)
    rows = {r["source_row"]: r for r in out.rows}
    deadlines = {r["deadline_note"] for r in rows.values()} | {str(r["deadline"]) for r in rows.values()}
    assert "长期坚持" in deadlines and "2026-12-31" in deadlines


def test_a_workbook_that_is_not_a_doudi_list_says_so(tmp_path):
    wb = Workbook()
    wb.active.append(["姓名", "身份证号", "金额"])
    wb.active.append(["张三", "530381199001011234", 100])
    path = tmp_path / "低保花名册.xlsx"
    wb.save(path)
    out = read_workbook(path)
    (issue,) = out.issues
    assert "不是 doudi 生成的" in issue.message and "--quarter" not in issue.message
    assert issue.file == "低保花名册.xlsx" and not out.rows
