"""Data rows written as sheet XML (``sheetrows``) read back as the values and looks openpyxl wrote."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import polars as pl
import pytest
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from pipeline.report import sheetrows
from pipeline.report.files import save_workbook
from pipeline.report.layout import Column, write_block, write_table

COLUMNS = (
    Column("序号"),
    Column("姓名\n身份证号", wrap=True),
    Column("金额", number_format="#,##0.00"),
    Column("日期"),
    Column("是否"),
    Column("混合"),
    Column("填写", fill_in=True),
)
ROWS = [
    [1, "张三\n53312919800101123X", 1234.5, date(2026, 9, 30), True, "合计", None],
    [2, "A&B <c> \x07铃", -12.0, date(2026, 10, 1), False, 17, None],
    [3, None, None, None, None, 2.5, None],
]


def _read(path, sheet=None):
    ws = openpyxl.load_workbook(path)[sheet] if sheet else openpyxl.load_workbook(path).active
    return ws, [list(r) for r in ws.iter_rows(values_only=True)]


def test_values_come_back_as_written(tmp_path):
    wb = Workbook()
    last = write_table(wb.active, "清单", COLUMNS, ROWS)
    assert last == 5 and sheetrows.last_row(wb.active) == 5
    ws, rows = _read(save_workbook(wb, tmp_path / "a.xlsx"))
    assert rows[2:] == [
        [1, "张三\n53312919800101123X", 1234.5, datetime(2026, 9, 30), True, "合计", None],
        [2, "A&B <c> 铃", -12.0, datetime(2026, 10, 1), False, 17, None],  # the bell dropped
        [3, None, None, None, None, 2.5, None],
    ]
    assert ws.max_row == 5 and ws.dimensions == "A1:G5"
    assert _read(save_workbook(wb, tmp_path / "again.xlsx"))[1] == rows  # saved again: the rows again
    # calamine (how ``doudi feedback import`` reads a workbook) reads the same rows
    sheet = CalamineWorkbook.from_path(str(tmp_path / "a.xlsx")).get_sheet_by_index(0).to_python()
    assert sheet[2][:3] == [1, "张三\n53312919800101123X", 1234.5] and sheet[3][5] == 17


def test_each_cell_keeps_its_columns_look(tmp_path):
    wb = Workbook()
    write_table(wb.active, "清单", COLUMNS, ROWS, total_last=True)
    ws, _ = _read(save_workbook(wb, tmp_path / "a.xlsx"))
    assert ws["B3"].alignment.wrap_text and not ws["A3"].alignment.wrap_text
    assert ws["C3"].number_format == "#,##0.00" and ws["D3"].is_date
    assert ws["G3"].border.left.style == "thin"  # an empty cell keeps its borders
    assert ws["A3"].font.name == "宋体" and not ws["A3"].font.b and ws["A5"].font.b  # the 合计 row bold
    assert ws.row_dimensions[3].height > ws.row_dimensions[4].height  # two lines of text are taller
    assert ws["G2"].fill.fgColor.rgb.endswith("FFF2CC") and ws["A2"].fill.fgColor.rgb.endswith("D9D9D9")  # headers: to fill in, or not


def test_a_workbook_s_looks_are_its_own(tmp_path):
    # each look is made once per workbook and copied to its cells (``layout._dressed``): a second
    # workbook, whose fonts were added in another order, has its own
    first, second = Workbook(), Workbook()
    write_table(first.active, "清单", COLUMNS, ROWS)
    write_block(second.active, 1, [Column("金额", number_format="0.0%", size=9)], [[0.5]], [10])
    write_table(second.create_sheet("清单"), "清单", COLUMNS, ROWS, total_last=True)
    path = save_workbook(second, tmp_path / "b.xlsx")
    ws, _ = _read(path, "清单")
    assert ws["A3"].font.name == "宋体" and ws["A3"].font.sz == 10 and not ws["A3"].font.b and ws["A5"].font.b
    assert ws["C3"].number_format == "#,##0.00" and ws["G2"].fill.fgColor.rgb.endswith("FFF2CC")
    small = openpyxl.load_workbook(path).worksheets[0]["A2"]
    assert small.number_format == "0.0%" and small.font.sz == 9


def test_blocks_sit_between_rows_openpyxl_writes(tmp_path):
    # the cover's layout: titles and pairs written as cells, tables as blocks, in any order
    wb = Workbook()
    ws = wb.active
    ws.cell(1, 1, "一")
    end = write_block(ws, 2, COLUMNS[:2], [[1, "甲"], [2, "乙"]], [6, 10])
    ws.cell(end + 2, 1, "二")
    end = write_block(ws, end + 3, COLUMNS[:2], [[3, "丙"]], [6, 10])
    ws.cell(end + 1, 1, "完")
    _, rows = _read(save_workbook(wb, tmp_path / "a.xlsx"))
    assert [r[:2] for r in rows] == [["一", None], ["序号", "姓名\n身份证号"], [1, "甲"], [2, "乙"], [None, None],
                                     ["二", None], ["序号", "姓名\n身份证号"], [3, "丙"], ["完", None]]  # fmt: skip


def test_a_row_written_twice_is_refused(tmp_path):
    wb = Workbook()
    ws = wb.active
    write_block(ws, 1, COLUMNS[:1], [[1], [2]], [6])
    ws.cell(3, 1, "重叠")
    with pytest.raises(ValueError, match="row 3"):
        save_workbook(wb, tmp_path / "a.xlsx")
    wb = Workbook()  # two blocks over one row
    sheetrows.add(wb.active, 1, sheetrows.table([[1], [2]], 1), [0])
    sheetrows.add(wb.active, 2, sheetrows.table([[3]], 1), [0])
    with pytest.raises(ValueError, match="row 2"):
        save_workbook(wb, tmp_path / "b.xlsx")


def test_a_frame_is_written_by_column_order(tmp_path):
    wb = Workbook()
    frame = pl.DataFrame({"z": [1, 2], "a": ["x", "y"]})
    write_table(wb.active, "清单", COLUMNS[:2], frame)
    _, rows = _read(save_workbook(wb, tmp_path / "a.xlsx"))
    assert rows[2:] == [[1, "x"], [2, "y"]]


def test_a_columns_widths_and_lines_are_each_values():
    # the column measures (polars) and the value measures (titles, headers, pairs) agree
    from pipeline.report.layout import _line_widths, _lines, _lines_expr, display_width

    texts = ["", "abc", "张三", "Ａ全角", "한글", "第一行\n第二行较长的一行", "532526200809302760", "𠀀𠀁 (plane 2)", "a\n\nb", "\u0378\U00040000", None]
    frame = pl.DataFrame({"t": texts}, schema={"t": pl.Utf8})
    widths = frame.select(_line_widths(pl.col("t")).list.max()).to_series().to_list()
    assert [w or 0 for w in widths] == [display_width(t) for t in texts]
    for width in (4, 9, 20):
        assert frame.select(_lines_expr(pl.col("t"), width)).to_series().to_list() == [_lines(t, width) for t in texts]


def test_rows_are_rendered_a_slice_at_a_time_and_a_large_sheet_gets_zip64(tmp_path, monkeypatch):
    # a province's department list is a million rows: its XML is made and zipped in slices, and a
    # sheet that may pass zip's 32-bit sizes is written with Zip64 headers
    monkeypatch.setattr(sheetrows, "SLICE_ROWS", 2)
    monkeypatch.setattr(sheetrows, "ZIP64_FROM", 0)
    wb = Workbook()
    write_table(wb.active, "清单", COLUMNS[:2], [[i, f"第{i}行"] for i in range(1, 8)])
    path = save_workbook(wb, tmp_path / "a.xlsx")
    _, rows = _read(path)
    assert rows[2:] == [[i, f"第{i}行"] for i in range(1, 8)]
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert [r[0] for r in sheet[2:]] == list(range(1, 8))
    raw, name = path.read_bytes(), b"xl/worksheets/sheet1.xml"
    at = raw.index(name)  # its local header comes first: the extra field right after the name
    assert raw[at + len(name) : at + len(name) + 2] == b"\x01\x00"  # the Zip64 extra field


def test_every_sheet_of_every_workbook_is_well_formed_and_in_order(reports):
    # what Excel checks on opening (it repairs or refuses a workbook otherwise): XML that parses
    # strictly, rows ascending, each row's cells in column order and in that row, the dimension
    # ending at the last row
    import re
    import zipfile

    from lxml import etree
    from openpyxl.utils import column_index_from_string

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    sheets = 0
    for path in (p for p in reports if p.suffix == ".xlsx"):
        with zipfile.ZipFile(path) as z:
            for name in (n for n in z.namelist() if n.startswith("xl/worksheets/sheet")):
                root, sheets, last = etree.fromstring(z.read(name)), sheets + 1, 0
                for row in root.iter(f"{ns}row"):
                    r = int(row.get("r"))
                    assert r > last, (path.name, name, r)
                    refs = [re.fullmatch(r"([A-Z]+)(\d+)", c.get("r")).groups() for c in row.iter(f"{ns}c")]
                    assert all(int(n) == r for _, n in refs), (path.name, name, r)
                    columns = [column_index_from_string(letters) for letters, _ in refs]
                    assert columns == sorted(set(columns)), (path.name, name, r)
                    last = r
                assert re.search(r"(\d+)$", root.find(f"{ns}dimension").get("ref")).group(1) == str(last), (path.name, name)
    assert sheets > 20
