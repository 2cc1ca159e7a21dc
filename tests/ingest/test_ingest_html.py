"""HTML pages named .xls (web-based 救助 / 医保 systems): read like a sheet, as Excel shows them."""

from __future__ import annotations

import json

from pipeline.ingest import FileProblem, SheetTable, read_file

LINSHI_HEADER = ["姓名", "身份证号", "救助类型", "救助金额（元）", "救助日期", "救助事由"]


def _tr(cells, tag="td"):
    return "<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>"


def test_gbk_page_without_meta_with_title_and_footer(tmp_path):
    """GBK bytes, no <meta charset>: a title row spanning the table, <th> header, a 合计 footer."""
    html = (
        "<html><body><table border=1>"
        '<tr><td colspan="6">青岚县2026年9月临时救助记录</td></tr>'
        + _tr(LINSHI_HEADER, "th")
        + _tr(["张三", "530381198001011234", "急难型", "1300", "2026-07-25", "因灾"])
        + _tr(["李&nbsp;四", "&nbsp;53038119820302122X ", "支出型", "800.50", "2026/8/1", "因病"])
        + '<tr><td colspan="3">合计</td><td>2100.5</td><td></td><td></td></tr>'
        + "</table></body></html>"
    )
    path = tmp_path / "临时救助.xls"
    path.write_bytes(html.encode("gbk"))
    read = read_file(path)
    assert read.form == "html"
    (sheet,) = read.sheets
    assert isinstance(sheet, SheetTable) and sheet.table == "linshi" and sheet.sheet_name == ""
    assert sheet.header_row == 2 and sheet.title_rows == 1 and sheet.footer_rows == 1
    assert sheet.rows["row_number"].to_list() == [3, 4]
    assert sheet.rows["name"].to_list() == ["张三", "李 四"]
    assert sheet.rows["id_number"].to_list() == ["530381198001011234", "53038119820302122X"]
    assert sheet.rows["amount"].to_list() == ["1300", "800.50"]  # text exactly as written
    assert json.loads(sheet.rows["raw"][0])["救助事由"] == "因灾"


def test_utf8_page_with_meta_and_household_rowspan(tmp_path):
    """UTF-8 with <meta charset>, a household's columns spanning its member rows."""
    header = ["序号", "姓名", "身份证号", "户主身份证号", "与户主关系", "分类施保类别", "户月保障金额（元）", "最初享受月份"]
    head_id = "530381198001011234"
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>低保</title></head><body>
    <table><thead>{_tr(header, "th")}</thead><tbody>
    <tr><td>1</td><td>张三</td><td>{head_id}</td><td rowspan="3">{head_id}</td><td>户主</td>
        <td rowspan="3">一类</td><td rowspan="3">1800</td><td rowspan="3">202001</td></tr>
    <tr><td>2</td><td>李四</td><td>530381198203021226</td><td>配偶</td></tr>
    <tr><td>3</td><td>张小</td><td>530381201003021234</td><td>之子</td></tr>
    <tr><td>4</td><td>王五</td><td>530381197001011234</td><td>530381197001011234</td><td>户主</td>
        <td>二类</td><td>600</td><td>2021年3月</td></tr>
    </tbody></table></body></html>"""
    path = tmp_path / "低保花名册.xls"
    path.write_text(html, encoding="utf-8")
    (sheet,) = read_file(path).sheets
    assert sheet.table == "dibao" and sheet.header_row == 1
    assert sheet.rows["row_number"].to_list() == [2, 3, 4, 5]
    assert sheet.rows["head_id_number"].to_list() == [head_id] * 3 + ["530381197001011234"]
    assert sheet.rows["relation"].to_list() == ["户主", "配偶", "之子", "户主"]
    assert sheet.rows["household_monthly_amount"].to_list() == ["1800"] * 3 + ["600"]
    assert sheet.rows["start_month"].to_list() == ["202001"] * 3 + ["2021年3月"]


def test_meta_declared_gb2312_and_br_in_headers(tmp_path):
    """http-equiv content type gb2312 (read as GB18030); a header broken with <br>."""
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><table>'
        "<tr><td>姓名</td><td>身份证号</td><td>补贴类型</td><td>月补贴<br>金额（元）</td></tr>"
        "<tr><td>王奶奶</td><td>530381193001011234</td><td>高龄津贴</td><td>100</td></tr>"
        "</table></body></html>"
    )
    path = tmp_path / "老年人补贴.xls"
    path.write_bytes(html.encode("gb2312"))
    (sheet,) = read_file(path).sheets
    assert sheet.table == "laonian"
    assert "月补贴\n金额（元）" in sheet.header_map
    assert sheet.rows["name"].to_list() == ["王奶奶"] and sheet.rows["monthly_amount"].to_list() == ["100"]


def test_several_tables_keep_the_data_table_and_count_rows_over_the_page(tmp_path):
    """A query-conditions table above the data, a signature table below: Excel stacks them."""
    html = (
        '<html><head><meta charset="utf-8"></head><body>'
        "<table><tr><td>查询条件：</td><td>2026年9月</td></tr><tr><td>导出时间</td><td>2026-10-08</td></tr></table>"
        "<table>"
        + _tr(LINSHI_HEADER)
        + _tr(["张三", "530381198001011234", "急难型", "1300", "2026-07-25", ""])
        + "</table>"
        "<table><tr><td>制表人：</td><td>李会计</td></tr></table></body></html>"
    )
    path = tmp_path / "导出.xls"
    path.write_text(html, encoding="utf-8")
    read = read_file(path)
    (sheet,) = read.sheets
    assert sheet.table == "linshi" and sheet.sheet_name == "表2"
    assert sheet.header_row == 3 and sheet.rows["row_number"].to_list() == [4]
    assert [name for name, _ in read.skipped_sheets] == ["表1", "表3"]


def test_utf8_bom_page_and_a_page_without_a_table_is_a_problem(tmp_path):
    path = tmp_path / "a.xls"
    rows = _tr(["姓名", "身份证号", "死亡日期"]) + _tr(["张三", "530381198001011234", "2026-08-01"])
    path.write_bytes(b"\xef\xbb\xbf" + f"<table>{rows}</table>".encode())
    assert read_file(path).sheets[0].table == "siwang"

    other = tmp_path / "b.xls"
    other.write_text("<html><body><table><tr><td>页面</td><td>出错</td></tr></table></body></html>", encoding="utf-8")
    (problem,) = read_file(other).sheets
    assert isinstance(problem, FileProblem) and problem.message.startswith("文件 b.xls：未找到表头")
    assert problem.rows["row_number"].to_list() == [1]


def test_truncated_workbook_says_the_file_is_damaged(tmp_path, dibao_rows, write_xlsx):
    whole = write_xlsx(tmp_path / "whole.xlsx", {"S": dibao_rows}).read_bytes()
    path = tmp_path / "低保花名册.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    (problem,) = read_file(path).sheets
    assert isinstance(problem, FileProblem) and problem.rows.height == 0
    assert problem.message.startswith("文件 低保花名册.xlsx：无法读取为 xlsx 文件")
    assert "已损坏或不完整" in problem.message


def test_page_declaring_utf8_but_holding_gbk_bytes_is_read_as_gbk(tmp_path):
    html = '<html><head><meta charset="utf-8"></head><body><table>' + _tr(LINSHI_HEADER) + _tr(
        ["张三", "530381198001011234", "急难型", "1300", "2026-07-25", "因灾"]
    ) + "</table></body></html>"
    path = tmp_path / "临时救助.xls"
    path.write_bytes(html.encode("gbk"))
    (sheet,) = read_file(path).sheets
    assert sheet.table == "linshi" and sheet.rows["name"].to_list() == ["张三"]


def test_spans_across_and_down_fill_every_cell_they_cover(tmp_path):
    """A 2 x 2 block (rowspan and colspan at once) and a rowspan in the last column."""
    header = ["姓名", "身份证号", "补贴类型", "月补贴金额（元）", "状态"]
    html = (
        '<table><tr><th colspan="5">老年人补贴名册</th></tr>' + _tr(header, "th")
        + '<tr><td>甲</td><td>530381193001011234</td><td rowspan="2" colspan="2">高龄津贴 100</td><td rowspan="3">正常</td></tr>'
        + "<tr><td>乙</td><td>530381193001021234</td></tr>"
        + "<tr><td>丙</td><td>530381193001031234</td><td>高龄津贴</td><td>200</td></tr></table>"
    )
    path = tmp_path / "老年人补贴.xls"
    path.write_text(html, encoding="utf-8")
    (sheet,) = read_file(path).sheets
    rows = sheet.rows
    assert rows["row_number"].to_list() == [3, 4, 5]
    assert rows["subsidy_type"].to_list() == ["高龄津贴 100", "高龄津贴 100", "高龄津贴"]
    assert rows["monthly_amount"].to_list() == ["高龄津贴 100", "高龄津贴 100", "200"]
    assert rows["status"].to_list() == ["正常"] * 3


def test_a_layout_table_around_the_data_is_not_read_twice(tmp_path):
    inner = "<table>" + _tr(["姓名", "身份证号", "死亡日期"]) + _tr(["张三", "530381198001011234", "2026-08-01"]) + "</table>"
    html = f"<html><body><table><tr><td>青岚县死亡登记</td></tr><tr><td>{inner}</td></tr></table></body></html>"
    path = tmp_path / "死亡.xls"
    path.write_text(html, encoding="utf-8")
    read = read_file(path)
    (sheet,) = read.sheets
    assert sheet.table == "siwang" and sheet.rows.height == 1 and sheet.rows["name"].to_list() == ["张三"]


def test_other_files_named_xls_say_what_they_are(tmp_path):
    """A PDF or an Excel 2003 XML workbook under an .xls name: unreadable, and the message says why."""
    pdf = tmp_path / "低保花名册.xls"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n")
    (problem,) = read_file(pdf).sheets
    assert problem.message.startswith("文件 低保花名册.xls：无法读取为 xls 文件") and "PDF" in problem.message
    xml = tmp_path / "老年人补贴.xls"
    xml.write_text(
        '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
        "<Worksheet><Table><Row><Cell><Data>姓名</Data></Cell></Row></Table></Worksheet></Workbook>",
        encoding="utf-8",
    )
    (problem,) = read_file(xml).sheets
    assert isinstance(problem, FileProblem) and "Excel 2003 XML" in problem.message and "另存为 .xlsx" in problem.message
