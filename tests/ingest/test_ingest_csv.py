"""CSV: encodings, delimiters, line numbers, cells kept as text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.ingest import FileProblem, SheetTable, read_file
from pipeline.ingest.csv import widest_line


def only_table(read) -> SheetTable:
    assert len(read.sheets) == 1, read.sheets
    table = read.sheets[0]
    assert isinstance(table, SheetTable), getattr(table, "message", table)
    return table


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(tmp_path, dibao_rows, write_csv, encoding):
    read = read_file(write_csv(tmp_path / "低保.csv", dibao_rows, encoding))
    table = only_table(read)
    assert read.form == "csv" and table.sheet_name == ""
    assert table.table == "dibao"
    assert table.rows["name"].to_list() == ["张三", "李四"]
    assert list(table.header_map)[0] == "姓名"  # no BOM left on the first header


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_delimiters(tmp_path, dibao_rows, write_csv, delimiter):
    table = only_table(read_file(write_csv(tmp_path / "a.csv", dibao_rows, delimiter=delimiter)))
    assert table.rows["relation"].to_list() == ["户主", "配偶"]


def test_csv_row_number_is_the_editor_line(tmp_path, roster, write_csv):
    first = list(roster.rows[0])
    first[-1] = "第一行\n第二行"  # a quoted cell spanning two lines
    rows = [["XX县低保花名册"], [], roster.header, first, [], roster.rows[1], ["合计", "", "", "", "", "2400"], ["制表人：王五"]]
    table = only_table(read_file(write_csv(tmp_path / "a.csv", rows)))
    assert table.header_row == 3
    assert table.title_rows == 1
    assert table.rows["row_number"].to_list() == [4, 7]
    assert table.rows["start_month"][0] == "第一行\n第二行"
    assert table.blank_rows == 1 and table.footer_rows == 2


def test_csv_cells_stay_text(tmp_path, roster, write_csv, raw):
    row = ["张三", "5.30381E+17", "'530381198001011234", "户主", "一类", "1,200.00", " 202001 "]
    table = only_table(read_file(write_csv(tmp_path / "a.csv", [roster.header, row])))
    got = table.rows.row(0, named=True)
    assert got["id_number"] == "5.30381E+17"
    assert got["head_id_number"] == "'530381198001011234"
    assert got["household_monthly_amount"] == "1,200.00"
    assert got["start_month"] == " 202001 "  # not stripped: normalisation does that
    assert raw(table.rows)["身份证号"] == "5.30381E+17"


def test_csv_with_a_stray_quote_is_still_read(tmp_path, roster):
    lines = [",".join(roster.header), '张"三,530381198001011234,530381198001011234,户主,一类,1200,202001', ",".join(roster.rows[1])]
    path = tmp_path / "a.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = only_table(read_file(path))
    assert table.rows["name"].to_list() == ['张"三', "李四"]
    assert table.rows["row_number"].to_list() == [2, 3]


def test_csv_ragged_rows(tmp_path, roster, write_csv, raw):
    rows = [["XX县低保花名册"], [*roster.header, "备注"], roster.rows[0][:3], [*roster.rows[1], "", "多出来的"]]
    table = only_table(read_file(write_csv(tmp_path / "a.csv", rows)))
    assert table.rows["head_id_number"].to_list() == ["530381198001011234"] * 2
    assert table.rows["relation"].to_list() == [None, "配偶"]
    assert raw(table.rows, 1)["I列"] == "多出来的"


def test_csv_missing_required_columns(tmp_path, write_csv, raw):
    rows = [["姓名", "身份证号", "死亡"], ["张三", "530381198001011234", "2026-01-01"], [], ["李四", "x", "y"]]
    read = read_file(write_csv(tmp_path / "死亡.csv", rows, "gbk"))
    problem = read.sheets[0]
    assert isinstance(problem, FileProblem)
    assert problem.message.startswith("文件 死亡.csv：表头与任何表都不匹配；最接近 ")
    assert problem.rows["row_number"].to_list() == [1, 2, 4]
    assert raw(problem.rows, 1) == {"A": "张三", "B": "530381198001011234", "C": "2026-01-01"}


def test_empty_csv(tmp_path):
    path = tmp_path / "空.csv"
    path.write_bytes(b"\xef\xbb\xbf\r\n")
    problem = read_file(path).sheets[0]
    assert isinstance(problem, FileProblem) and problem.rows.height == 0
    assert problem.message == "文件 空.csv：文件为空，没有任何数据"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(",;\t\n\r\"a张三'5 ")), max_size=200), st.sampled_from([",", "\t", ";"]))
def test_the_widest_line_is_counted_over_the_bytes_as_over_the_lines(text, sep):
    """``widest_line`` counts a line's separators on the UTF-8 bytes; cut into lines, the text
    gives the same widest line (a line break ends a line, quoted or not; a CR is no break)."""
    by_lines = max(line.count(sep) for line in text.split("\n")) + 1
    assert widest_line(text.encode("utf-8"), sep) == by_lines


def test_a_ragged_line_wider_than_the_header_keeps_its_cells(tmp_path, dibao_rows, write_csv):
    rows = [list(r) for r in dibao_rows]
    rows[-1] += ["多出的格子", "再多一格"]
    table = only_table(read_file(write_csv(tmp_path / "低保.csv", rows, "utf-8")))
    assert table.rows.height == len(rows) - 1
    assert "再多一格" in table.rows["raw"][-1] and "再多一格" not in table.rows["raw"][0]


@pytest.mark.parametrize("looked_at", [1, 2, 1000])
def test_a_line_wider_than_the_top_lines_far_down_keeps_its_cells(tmp_path, dibao_rows, write_csv, monkeypatch, looked_at):
    # The grid is first as wide as the top lines; a wider line further down makes it as wide as
    # the widest line: every cell kept, whichever line is widest and however many lines were
    # looked at first.
    from pipeline.ingest import csv as csv_reader

    monkeypatch.setattr(csv_reader, "_WIDTH_LINES", looked_at)
    rows = [list(r) for r in dibao_rows]
    rows[-1] += ["多出的格子", "再多一格"]
    rows[1] = rows[1] + ["第一行多一格"]
    table = only_table(read_file(write_csv(tmp_path / "低保.csv", rows, "utf-8")))
    assert table.rows.height == len(rows) - 1
    assert "再多一格" in table.rows["raw"][-1] and "第一行多一格" in table.rows["raw"][0]
    assert table.rows["name"].to_list() == [r[rows[0].index("姓名")] for r in rows[1:]]
