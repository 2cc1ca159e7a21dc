"""xlsx / xls: title rows, blank rows, footer, merged household cells, sheets, cell text."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import xlwt

from pipeline.ingest import FileProblem, SheetTable, read_file


def only_table(read) -> SheetTable:
    assert len(read.sheets) == 1, read.sheets
    table = read.sheets[0]
    assert isinstance(table, SheetTable), getattr(table, "message", table)
    return table


def test_plain_xlsx_is_recognised_by_header(tmp_path, dibao_rows, write_xlsx, raw):
    read = read_file(write_xlsx(tmp_path / "whatever.xlsx", {"Sheet1": dibao_rows}))
    table = only_table(read)
    assert read.form == "xlsx" and len(read.sha256) == 64
    assert table.table == "dibao" and table.sheet_name == "Sheet1" and table.header_row == 1
    assert table.rows["row_number"].to_list() == [2, 3]
    assert table.rows["row_number"].dtype == pl.Int64
    assert table.rows["name"].to_list() == ["张三", "李四"]
    assert table.rows["household_monthly_amount"].to_list() == ["1200", "1200"]
    assert raw(table.rows)["户月保障金额（元）"] == "1200"
    assert table.header_map["户月保障金额（元）"] == "household_monthly_amount"


def test_title_rows_blank_rows_and_footer(tmp_path, roster, write_xlsx):
    rows = [
        ["XX县2026年9月农村低保花名册"],
        ["填报单位：XX县民政局"],
        [],
        roster.header,
        roster.rows[0],
        [],
        roster.rows[1],
        ["合计", None, None, None, None, "2400"],
        [],
        ["制表人：王五", None, None, "审核人：赵六"],
        ["填报日期：2026年10月8日"],
    ]

    def merge_title(wb):
        wb["Sheet1"].merge_cells("A1:G1")

    table = only_table(read_file(write_xlsx(tmp_path / "a.xlsx", {"Sheet1": rows}, merge_title)))
    assert table.header_row == 4
    assert table.title_rows == 2
    assert table.rows["row_number"].to_list() == [5, 7]
    assert table.blank_rows == 2  # row 6 inside the data, row 9 inside the footer block
    assert table.footer_rows == 3


@pytest.mark.parametrize("looked_at", [1, 2, 3, 256])
def test_a_footer_longer_than_the_rows_first_looked_at_is_found_whole(tmp_path, roster, write_xlsx, monkeypatch, looked_at):
    # The footer is looked for from the end, a few rows first, then twice as many: however many
    # rows that is, the same footer, blank rows and data (a 小计 row inside the data stays data).
    from pipeline.ingest import sheet

    monkeypatch.setattr(sheet, "_FOOTER_ROWS", looked_at)
    footer = [["合计", None, None, None, None, "2400"], [], ["制表人：王五"], [], ["审核人：赵六"], ["填报日期：2026年10月8日"]]
    rows = [roster.header, roster.rows[0], ["小计", None, None, None, None, "1200"], [], roster.rows[1], *footer]
    table = only_table(read_file(write_xlsx(tmp_path / "a.xlsx", {"Sheet1": rows})))
    assert table.rows["row_number"].to_list() == [2, 3, 5]
    assert (table.blank_rows, table.footer_rows) == (3, 4)
    only_footer = only_table(read_file(write_xlsx(tmp_path / "b.xlsx", {"Sheet1": [roster.header, *footer]})))
    assert only_footer.rows.height == 0 and only_footer.footer_rows == 4


def test_total_row_in_the_middle_stays_a_data_row(tmp_path, roster, write_xlsx):
    rows = [roster.header, roster.rows[0], ["小计", None, None, None, None, "1200"], roster.rows[1], ["合计"]]
    table = only_table(read_file(write_xlsx(tmp_path / "a.xlsx", {"Sheet1": rows})))
    assert table.rows["row_number"].to_list() == [2, 3, 4]
    assert table.rows["name"].to_list() == ["张三", "小计", "李四"]
    assert table.footer_rows == 1


def test_merged_household_cells_fill_every_member_row(tmp_path, roster, write_xlsx):
    rows = [
        ["XX县低保花名册"],
        roster.header,
        ["张三", "530381198001011234", "530381198001011234", "户主", "一类", 1800, "202001"],
        ["李四", "530381198203021226", None, "配偶", None, None, "202001"],
        ["张小", "530381201003041234", None, "之子", None, None, "202001"],
        ["王五", "530381197001011234", "530381197001011234", "户主", "二类", 500, "202105"],
    ]

    def merge(wb):
        ws = wb["S"]
        ws.merge_cells("A1:G1")
        for col in "CEF":
            ws.merge_cells(f"{col}3:{col}5")

    table = only_table(read_file(write_xlsx(tmp_path / "a.xlsx", {"S": rows}, merge)))
    assert table.rows["head_id_number"].to_list() == ["530381198001011234"] * 3 + ["530381197001011234"]
    assert table.rows["household_monthly_amount"].to_list() == ["1800", "1800", "1800", "500"]
    assert table.rows["category"].to_list() == ["一类", "一类", "一类", "二类"]


def test_merged_cells_with_sheet_offset(tmp_path, roster, write_xlsx):
    """The used range starting at C3: merges are placed by absolute position."""

    def build(wb):
        ws = wb.create_sheet("S")
        for j, h in enumerate(roster.header):
            ws.cell(3, 3 + j, h)
        for i, row in enumerate(roster.rows):
            for j, v in enumerate(row):
                if not (i == 1 and j == 2):
                    ws.cell(4 + i, 3 + j, v)
        ws.merge_cells("E4:E5")  # 户主身份证号

    table = only_table(read_file(write_xlsx(tmp_path / "a.xlsx", {}, build)))
    assert table.header_row == 3
    assert table.rows["row_number"].to_list() == [4, 5]
    assert table.rows["head_id_number"].to_list() == ["530381198001011234"] * 2


def test_several_sheets_and_hidden_sheets(tmp_path, dibao_rows, write_xlsx):
    visit = [["姓名", "身份证号", "探访日期", "探访层级"], ["张三", "530381198001011234", "2026-09-01", "村"]]
    sheets = {"低保": dibao_rows, "探访": visit, "隐藏表": dibao_rows, "代码表": [["代码", "名称"], ["1", "一类"]], "Sheet3": []}

    def hide(wb):
        wb["隐藏表"].sheet_state = "hidden"
        wb["代码表"].sheet_state = "hidden"

    read = read_file(write_xlsx(tmp_path / "a.xlsx", sheets, hide))
    assert [(s.sheet_name, s.table) for s in read.sheets] == [("低保", "dibao"), ("探访", "tekun_visit"), ("隐藏表", "dibao")]
    assert read.skipped_sheets == [("代码表", "隐藏工作表，未含可识别的表"), ("Sheet3", "空工作表")]


def test_header_cells_with_spaces_brackets_line_breaks_and_aliases(tmp_path, write_xlsx, raw):
    header = [" 成员姓名 ", "身份证\n号码", "户主证件号码", "与户主 关系", "分档类型", "户月保障金额(元)", "起始保障年月", "所属乡镇", "村（居）", "联系电话"]
    row = ["张三", "530381198001011234", "530381198001011234", "户主", "一类", "1200", "202001", "某镇", "某村", "138"]
    table = only_table(read_file(write_xlsx(tmp_path / "a.xlsx", {"S": [header, row]})))
    assert table.table == "dibao"
    assert table.header_map == {
        " 成员姓名 ": "name",
        "身份证\n号码": "id_number",
        "户主证件号码": "head_id_number",
        "与户主 关系": "relation",
        "分档类型": "category",
        "户月保障金额(元)": "household_monthly_amount",
        "起始保障年月": "start_month",
        "所属乡镇": "township",
        "村（居）": "village",
        "联系电话": None,
    }
    assert table.rows.columns[:1] == ["row_number"] and table.rows.columns[-1] == "raw"
    assert table.rows["township"][0] == "某镇" and table.rows["village"][0] == "某村"
    assert raw(table.rows)["联系电话"] == "138"  # unknown extra column kept in raw


def test_duplicated_header_keeps_the_first_and_raw_keeps_both(tmp_path, roster, write_xlsx, raw):
    header = [*roster.header, "身份证号", "", "备注"]
    row = [*roster.rows[0], "999", "no header", None]
    table = only_table(read_file(write_xlsx(tmp_path / "a.xlsx", {"S": [header, row]})))
    assert table.rows["id_number"][0] == "530381198001011234"
    assert table.header_map["身份证号（H列）"] is None
    assert raw(table.rows)["身份证号（H列）"] == "999"
    assert raw(table.rows)["I列"] == "no header"
    assert raw(table.rows)["备注"] is None


def test_cell_values_become_text_by_one_rule(tmp_path, roster, write_xlsx):
    header = [*roster.header, "保障人口数", "是否单人户施保", "家庭年人均收入（元）", "渐退起始月份"]
    row = [
        "张三",
        533321198001011234,  # an ID typed as a number: Excel keeps 15 digits
        "'530381198001011234",
        "户主",
        "一类",
        1200.0,
        dt.date(2026, 9, 30),
        3,
        True,
        3600.25,
        dt.datetime(2026, 9, 30, 14, 0),
    ]
    table = only_table(read_file(write_xlsx(tmp_path / "a.xlsx", {"S": [header, row]})))
    got = table.rows.row(0, named=True)
    assert got["id_number"] == "5.33321198001011E+17"
    assert got["head_id_number"] == "'530381198001011234"  # strings as they are
    assert got["household_monthly_amount"] == "1200"
    assert got["start_month"] == "2026-09-30"
    assert got["covered_persons"] == "3"
    assert got["single_person_coverage"] == "TRUE"
    assert got["household_income_per_capita"] == "3600.25"
    assert got["gradual_exit_start_month"] == "2026-09-30 14:00:00"
    assert all(table.rows[c].dtype == pl.String for c in table.rows.columns if c != "row_number")


def test_xls_with_title_merge_and_numeric_id(tmp_path, roster):
    wb = xlwt.Workbook()
    ws = wb.add_sheet("低保")
    ws.write_merge(0, 0, 0, 6, "XX县2026年9月城市低保花名册")
    for j, h in enumerate(roster.header):
        ws.write(1, j, h)
    ws.write(2, 0, "张三")
    ws.write(2, 1, 533321198001011234)
    ws.write_merge(2, 3, 2, 2, "530381198001011234")
    ws.write(2, 3, "户主")
    ws.write(2, 4, "一类")
    ws.write_merge(2, 3, 5, 5, 1200)
    ws.write(2, 6, dt.date(2020, 1, 1), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    ws.write(3, 0, "李四")
    ws.write(3, 1, "530381198203021226")
    ws.write(3, 3, "配偶")
    ws.write(3, 4, "一类")
    ws.write(3, 6, "202001")
    ws.write(5, 0, "合计")
    hidden = wb.add_sheet("说明")
    hidden.write(0, 0, "本表由系统导出")
    hidden.visibility = 1
    wb.save(str(tmp_path / "a.xls"))

    read = read_file(tmp_path / "a.xls")
    assert read.form == "xls"
    table = only_table(read)
    assert read.skipped_sheets == [("说明", "隐藏工作表，未含可识别的表")]
    assert table.header_row == 2 and table.title_rows == 1 and table.footer_rows == 1 and table.blank_rows == 1
    assert table.rows["row_number"].to_list() == [3, 4]
    assert table.rows["id_number"].to_list() == ["5.33321198001011E+17", "530381198203021226"]
    assert table.rows["head_id_number"].to_list() == ["530381198001011234"] * 2
    assert table.rows["household_monthly_amount"].to_list() == ["1200", "1200"]
    assert table.rows["start_month"].to_list() == ["2020-01-01", "202001"]


def test_sheet_missing_a_required_column_keeps_every_row(tmp_path, write_xlsx, raw):
    header = ["姓名", "身份证号", "与户主关系", "户月保障金额（元）", "最初享受月份"]
    rows = [["XX县低保花名册"], header, ["张三", "530381198001011234", "户主", "1200", "202001"], [], ["合计"]]
    read = read_file(write_xlsx(tmp_path / "低保.xlsx", {"Sheet1": rows}))
    assert len(read.sheets) == 1
    problem = read.sheets[0]
    assert isinstance(problem, FileProblem)
    assert problem.message == (
        "文件 低保.xlsx 工作表 Sheet1：表头与任何表都不匹配；最接近 dibao（低保人员花名册），缺少必填列：户主身份证号、分类施保类别"
    )
    assert problem.closest_table == "dibao"
    assert problem.missing_columns == ["户主身份证号", "分类施保类别"]
    assert problem.rows["row_number"].to_list() == [1, 2, 3, 5]  # every non-blank row
    assert raw(problem.rows, 2) == {"A": "张三", "B": "530381198001011234", "C": "户主", "D": "1200", "E": "202001"}


def test_garbage_sheet_has_no_header_and_keeps_every_row(tmp_path, write_xlsx, raw):
    rows = [["会议纪要"], ["一、关于低保工作"], [], ["二、其他", "略"]]
    read = read_file(write_xlsx(tmp_path / "纪要.xlsx", {"Sheet1": rows}))
    problem = read.sheets[0]
    assert isinstance(problem, FileProblem)
    assert problem.message.startswith("文件 纪要.xlsx 工作表 Sheet1：未找到表头")
    assert problem.closest_table is None
    assert problem.rows["row_number"].to_list() == [1, 2, 4]
    assert raw(problem.rows, 2) == {"A": "二、其他", "B": "略"}


def test_empty_workbook_is_one_problem_with_no_rows(tmp_path, write_xlsx):
    read = read_file(write_xlsx(tmp_path / "空.xlsx", {"Sheet1": [], "Sheet2": [[None, ""]]}))
    assert len(read.sheets) == 1
    problem = read.sheets[0]
    assert isinstance(problem, FileProblem) and problem.rows.height == 0
    assert "为空" in problem.message and "空.xlsx" in problem.message


def test_sheet_with_header_and_no_data_is_an_empty_table(tmp_path, roster, write_xlsx):
    table = only_table(read_file(write_xlsx(tmp_path / "a.xlsx", {"S": [roster.header, ["合计"]]})))
    assert table.rows.height == 0 and table.footer_rows == 1
    assert {"row_number", "name", "raw"} <= set(table.rows.columns)


def test_two_level_header_uses_the_row_naming_most_columns(tmp_path, write_xlsx):
    """Group headers above sub-headers: the merged cells fill the lower header row."""
    top = ["姓名", "身份证号", "户主身份证号", "与户主关系", "保障信息", None, None]
    sub = [None, None, None, None, "分类施保类别", "户月保障金额（元）", "最初享受月份"]
    row = ["张三", "530381198001011234", "530381198001011234", "户主", "一类", "1200", "202001"]

    def merge(wb):
        ws = wb["S"]
        for col in "ABCD":
            ws.merge_cells(f"{col}1:{col}2")
        ws.merge_cells("E1:G1")

    table = only_table(read_file(write_xlsx(tmp_path / "a.xlsx", {"S": [top, sub, row]}, merge)))
    assert table.header_row == 2 and table.title_rows == 1
    assert table.rows.row(0, named=True)["name"] == "张三"
    assert table.rows["category"].to_list() == ["一类"]


def test_white_space_rows_are_blank(tmp_path, roster, write_xlsx):
    rows = [roster.header, roster.rows[0], [" ", "\u3000"], roster.rows[1], ["合　计"]]
    table = only_table(read_file(write_xlsx(tmp_path / "a.xlsx", {"S": rows})))
    assert table.rows["row_number"].to_list() == [2, 4]
    assert table.blank_rows == 1 and table.footer_rows == 1
