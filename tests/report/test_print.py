"""Township workbooks on paper: legible (>= 9 pt after fit-to-width), room to write, one list for
persons with no residence; checked on the bundled county's reports and on the fixture database."""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from pipeline.report.layout import MIN_PRINTED_PT, print_scale
from pipeline.report.terms import COVER_SHEET, SIEVES, UNKNOWN_RESIDENCE, UNKNOWN_TOWNSHIP
from pipeline.report.workbook import CASE_HEADERS, CASE_PRINTED

CM_PER_UNIT = 7 / 96 * 2.54  # an Excel width unit is 7 px at 96 px per inch


def printed_cells(ws):
    """Every non-empty cell inside the print area (the whole sheet when none is set)."""
    last_col = ws.max_column
    if ws.print_area:
        ref = ws.print_area.split(":")[-1]
        last_col = openpyxl.utils.column_index_from_string("".join(ch for ch in ref if ch.isalpha()))
    for row in ws.iter_rows(max_col=last_col):
        for c in row:
            if c.value not in (None, ""):
                yield c


def smallest_printed_pt(ws) -> float:
    """The smallest font on paper: font size x Excel's fit-to-width scale; header and footer too
    (not scaled with the sheet: scaleWithDoc is off)."""
    sizes = [c.font.sz or 11 for c in printed_cells(ws)]
    scale = print_scale(ws)
    page = [hf.size for h in (ws.oddHeader, ws.oddFooter) for hf in (h.left, h.center, h.right) if hf.text]
    assert ws.HeaderFooter.scaleWithDoc is False
    return min([s * scale for s in sizes] + [float(p) for p in page if p])


def bundled_books(bundled_run) -> list:
    return sorted((bundled_run.reports / "2026Q3").glob("*.xlsx"))


def test_every_sheet_prints_at_9pt_or_more(bundled_run):
    books = bundled_books(bundled_run)
    assert len(books) >= 4
    for path in books:
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
            assert smallest_printed_pt(ws) >= MIN_PRINTED_PT, (path.name, ws.title, print_scale(ws))


def test_case_sheets_print_the_columns_a_township_reads(bundled_run):
    path = next(p for p in bundled_books(bundled_run) if p.name.endswith("_九过筛子清单.xlsx"))
    ws = openpyxl.load_workbook(path)[SIEVES[2].sheet]
    assert ws.print_area.endswith(f"${get_column_letter(CASE_PRINTED)}${ws.max_row}")
    printed = CASE_HEADERS[:CASE_PRINTED]
    assert "问题编号" in printed and "核查结果" in printed and "问题及详情" in printed
    assert not {"规则代码", "数据来源", "首次发现季度"} & set(printed)  # on screen, right of the print area
    case_id = ws.cell(3, CASE_HEADERS.index("问题编号") + 1)
    assert case_id.font.sz == 9 and case_id.value  # small, still printed
    assert print_scale(ws) == 1.0


def test_fill_in_columns_are_wide_enough_to_write_by_hand(bundled_run):
    path = next(p for p in bundled_books(bundled_run) if p.name.endswith("_九过筛子清单.xlsx"))
    ws = openpyxl.load_workbook(path)[SIEVES[2].sheet]
    cm = {h: ws.column_dimensions[get_column_letter(i + 1)].width * CM_PER_UNIT * print_scale(ws) for i, h in enumerate(CASE_HEADERS)}
    assert cm["核查结果"] >= 2.0 and cm["整改措施"] >= 3.0 and cm["整改时限"] >= 2.2 and cm["销号日期"] >= 2.2
    assert cm["责任人"] >= 1.5


def test_persons_with_no_residence_get_one_county_list_not_a_township(bundled_run):
    names = [p.name for p in bundled_books(bundled_run)]
    assert f"2026Q3_{UNKNOWN_TOWNSHIP}_九过筛子清单.xlsx" not in names
    n = bundled_run.sql("SELECT count(*) AS n FROM cases WHERE quarter = '2026Q3' AND township IS NULL").item()
    if not n:
        pytest.skip("the bundled county has no case without a residence")
    wb = openpyxl.load_workbook(bundled_run.reports / "2026Q3" / "2026Q3_居住地不详人员清单.xlsx")
    listed = sum(
        1 for ws in wb.worksheets if ws.title in {s.sheet for s in SIEVES.values()}
        for r in ws.iter_rows(min_row=3, values_only=True) if isinstance(r[0], int)
    )
    assert listed == n
    # only the sheets with cases: no pages of 本季度本乡镇未发现此类问题
    assert all(any(isinstance(r[0], int) for r in ws.iter_rows(min_row=3, values_only=True))
               for ws in wb.worksheets if ws.title in {s.sheet for s in SIEVES.values()})
    assert UNKNOWN_RESIDENCE in wb[COVER_SHEET].cell(1, 1).value


def test_the_cover_says_how_many_of_the_last_list_were_closed(bundled_run):
    town = "白水乡"
    wb = openpyxl.load_workbook(bundled_run.reports / "2026Q3" / f"2026Q3_{town}_九过筛子清单.xlsx")
    text = "\n".join(str(c) for r in wb[COVER_SHEET].iter_rows(values_only=True) for c in r if c)
    before = bundled_run.sql("SELECT count(*) FROM cases WHERE quarter = '2026Q2' AND township = ?", [town]).item()
    closed = bundled_run.sql("SELECT count(*) FROM resolved_cases WHERE quarter = '2026Q3' AND township = ?", [town]).item()
    assert f"上季清单 {before} 条，本季未再发现（销号）{closed} 条" in text
