"""Folders, file forms told by content, unreadable and unsupported files."""

from __future__ import annotations

from pipeline.ingest import FileProblem, SheetTable, read_folder, read_file


def test_read_folder_sorted_skipping_lock_and_hidden_files(tmp_path, dibao_rows, write_xlsx, write_csv):
    write_csv(tmp_path / "b.csv", dibao_rows)
    write_xlsx(tmp_path / "a.xlsx", {"S": dibao_rows})
    (tmp_path / "~$a.xlsx").write_bytes(b"lock")
    (tmp_path / ".DS_Store").write_bytes(b"x")
    (tmp_path / "医保").mkdir()
    write_csv(tmp_path / "医保" / "c.csv", dibao_rows)
    (tmp_path / "说明.docx").write_bytes(b"PK\x03\x04 not a sheet")
    reads = read_folder(tmp_path)
    assert [r.file_name for r in reads] == ["a.xlsx", "b.csv", "医保/c.csv", "说明.docx"]
    assert [type(r.sheets[0]) for r in reads] == [SheetTable, SheetTable, SheetTable, FileProblem]
    assert reads[3].sheets[0].message == "文件 说明.docx：不支持的文件类型 .docx，只读取 .xlsx、.xls、.csv"


def test_corrupt_workbook_is_a_problem_not_a_crash(tmp_path):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 100)
    read = read_file(path)
    problem = read.sheets[0]
    assert isinstance(problem, FileProblem) and problem.rows.height == 0
    assert problem.message.startswith("文件 坏.xlsx：无法读取为 xlsx 文件")


def test_xls_that_is_really_tab_separated_text(tmp_path, dibao_rows, write_csv):
    """Many systems export tab-separated GBK text under an .xls name."""
    read = read_file(write_csv(tmp_path / "导出.xls", dibao_rows, "gbk", "\t"))
    assert read.form == "csv"
    assert read.sheets[0].table == "dibao"


def test_xlsx_named_xls_is_read_as_xlsx(tmp_path, dibao_rows, write_xlsx):
    read = read_file(write_xlsx(tmp_path / "a.xls", {"S": dibao_rows}))
    assert read.form == "xlsx" and read.sheets[0].table == "dibao"


def test_recognised_by_header_not_file_name(tmp_path, write_csv):
    rows = [["姓名", "身份证号码", "补贴类型", "月补贴金额（元）"], ["王奶奶", "530381193001011234", "高龄津贴", "100"]]
    read = read_file(write_csv(tmp_path / "低保花名册.csv", rows))
    assert read.sheets[0].table == "laonian"


def test_one_of_group_and_closest_message(tmp_path, write_csv):
    ok = [["姓名", "身份证号", "护理补贴"], ["张三", "530381198001011234", "80"]]
    assert read_file(write_csv(tmp_path / "a.csv", ok)).sheets[0].table == "liangbu"
    bad = [["身份证号", "状态", "残疾人证号"], ["530381198001011234", "正常", "53038119800101123442"]]
    problem = read_file(write_csv(tmp_path / "b.csv", bad)).sheets[0]
    assert isinstance(problem, FileProblem)
    assert problem.closest_table == "liangbu"
    assert problem.missing_columns == ["生活补贴（元/月）或护理补贴（元/月）"]


def test_excel_unicode_text_is_read_as_tab_separated(tmp_path, dibao_rows, write_csv):
    """Excel's "Unicode text" save (UTF-16 with BOM, tab-separated), named .xls or .txt."""
    for name in ("导出.xls", "导出.txt"):
        read = read_file(write_csv(tmp_path / name, dibao_rows, "utf-16", "\t"))
        assert read.form == "csv"
        (sheet,) = read.sheets
        assert sheet.table == "dibao" and sheet.rows["row_number"].to_list() == [2, 3]
        assert sheet.rows["name"].to_list() == ["张三", "李四"]
