"""Department workbooks (比对结果反馈有关部门核实): every S4-5 row, every rejected row and every dead
person's in-force row of a department appears once in its workbook, and no row of another department."""

from __future__ import annotations

import polars as pl
from python_calamine import CalamineWorkbook

from pipeline.report.departments import HEADERS, department_tables, write_departments

WHERE = ["file_name", "sheet_name", "row_number"]


def _rows(path) -> pl.DataFrame:
    book = CalamineWorkbook.from_path(str(path))
    grid = book.get_sheet_by_index(0).to_python()
    header = next(i for i, r in enumerate(grid) if r[0] == HEADERS[0])
    cols = {h: grid[header].index(h) for h in ("文件", "工作表", "行号", "问题类别", "身份证号（原件）")}
    return pl.DataFrame(
        [
            {"file_name": r[cols["文件"]], "sheet_name": "" if r[cols["工作表"]] == "（CSV）" else r[cols["工作表"]],
             "row_number": int(r[cols["行号"]]), "category": r[cols["问题类别"]], "id": r[cols["身份证号（原件）"]]}
            for r in grid[header + 1 :] if r[0] != ""
        ]  # fmt: skip
    )


def test_department_workbooks(bundled_run, tmp_path):
    q = "2026Q3"
    paths = write_departments(bundled_run.db, q, tmp_path)
    owners = department_tables()
    assert len(paths) == len(owners) == 4
    origin = bundled_run.sql(
        "SELECT file_name, sheet_name, row_number, source_table FROM source_records WHERE quarter = ? "
        "UNION SELECT file_name, sheet_name, row_number, source_table FROM rejected_rows WHERE quarter = ?", [q, q]
    )
    s45 = bundled_run.sql(
        "SELECT s.file_name, s.sheet_name, s.row_number, s.source_table FROM cases c, unnest(c.record_ids) AS u(r) "
        "JOIN source_records s ON s.record_id = u.r AND s.quarter = c.quarter WHERE c.quarter = ? AND c.rule_code = 'S4-5'", [q]
    )
    rejected = bundled_run.sql("SELECT * FROM rejected_rows WHERE quarter = ? AND source_table IS NOT NULL", [q])
    dead = bundled_run.sql(
        "SELECT s.file_name, s.sheet_name, s.row_number, s.source_table FROM person_facts p, "
        "unnest(list_concat(p.in_force_record_ids, p.registry_record_ids, p.certificate_record_ids, p.insured_record_ids)) AS u(r) "
        "JOIN source_records s ON s.record_id = u.r AND s.quarter = p.quarter WHERE p.quarter = ? AND p.is_dead", [q]
    )
    assert s45.height and rejected.height and dead.height  # the bundled county has each kind
    seen = set()
    for path, (department, tables) in zip(paths, owners.items()):
        assert department in path.name and path.name == f"{q}_{department}_数据核实清单.xlsx"
        rows = _rows(path)
        assert rows.select(WHERE).is_duplicated().sum() == 0  # each row once
        tabled = rows.join(origin, on=WHERE, how="left")
        assert tabled["source_table"].is_in(tables).all(), department  # nothing of another department
        for expected in (s45, rejected, dead):
            mine = expected.filter(pl.col("source_table").is_in(tables)).select(WHERE).unique()
            assert mine.join(rows, on=WHERE, how="anti").height == 0, department
        said = rows.join(s45.select(WHERE).unique(), on=WHERE)["category"]
        assert said.str.contains("人证不符").all()
        seen |= set(rows.select(WHERE).iter_rows())
    # A rejected row still shows the ID as written, read from its raw cells under the table's aliases.
    shown = pl.concat([_rows(p) for p in paths]).filter((pl.col("category") == "未能读入") & (pl.col("id") != ""))
    raw = shown.join(rejected.select(*WHERE, "raw_values"), on=WHERE)
    assert raw.height >= rejected.height // 2 and all(i in r for i, r in raw.select("id", "raw_values").iter_rows())
    everything = pl.concat([s45.select(WHERE), rejected.select(WHERE), dead.select(WHERE)]).unique()
    assert set(everything.iter_rows()) <= seen



def test_a_department_workbook_written_row_by_row_keeps_its_layout(tmp_path):
    # its rows written as sheet XML from the frame (a province's list may be hundreds of thousands
    # of rows): title, the merged note, the bold header, frozen panes, widths, the wrapped 内容 column
    import openpyxl

    from pipeline.report.departments import WIDTHS, write_department

    frame = pl.DataFrame({
        "file_name": ["a.csv"], "sheet_name": [""], "row_number": [3], "source_table": ["dibao"], "name": ["张三"],
        "id_number_raw": ["5.33E+17"], "township": ["城关镇"], "village": [None], "category": ["身份证号无效"], "what": ["很长的说明" * 10],
    })  # fmt: skip
    ws = openpyxl.load_workbook(write_department(frame, "2026Q3", "民政", tmp_path / "民政.xlsx")).active
    assert ws.title == "需核实的数据" and ws["A1"].font.b and ws["A1"].font.sz == 14
    assert "以下 1 行" in ws["A2"].value and [str(r) for r in ws.merged_cells.ranges] == [f"A2:{openpyxl.utils.get_column_letter(len(HEADERS))}2"]
    assert [c.value for c in ws[3]] == list(HEADERS) and all(c.font.b for c in ws[3])
    assert ws.freeze_panes == "A4"
    assert [ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width for j in range(1, len(WIDTHS) + 1)] == list(WIDTHS)
    row = [c.value for c in ws[4]]
    assert row[:3] == [1, "身份证号无效", "很长的说明" * 10] and row[5] == "（CSV）" and ws["C4"].alignment.wrap_text


def test_a_person_held_many_times_in_a_roster_is_listed_once_per_group():
    """名册内重复: each row of the group is found, with the group's count and its first rows named
    (a group is counted once, not once per row: a glued person of thousands of rows stays cheap);
    a grain column left blank still groups its rows (年度 missing on both)."""
    import duckdb

    from pipeline.report.departments import ROWS_LISTED, _duplicates

    con = duckdb.connect()
    many = ROWS_LISTED + 2
    con.execute("CREATE TABLE stg_dibao (quarter VARCHAR, record_id BIGINT, person_key VARCHAR, row_number BIGINT)")
    con.execute("INSERT INTO stg_dibao SELECT '2026Q3', i, 'p1', i + 1 FROM range(?) t(i)", [many])
    con.execute("INSERT INTO stg_dibao VALUES ('2026Q3', 100, 'p2', 7), ('2026Q3', 101, 'p2', 3), ('2026Q3', 102, 'p3', 9), ('2026Q3', 103, NULL, 4), ('2026Q3', 104, NULL, 5)")
    con.execute("CREATE TABLE stg_yibao_canbao (quarter VARCHAR, record_id BIGINT, person_key VARCHAR, insurance_year VARCHAR, row_number BIGINT)")
    con.execute("INSERT INTO stg_yibao_canbao VALUES ('2026Q3', 200, 'p1', NULL, 2), ('2026Q3', 201, 'p1', NULL, 6), ('2026Q3', 202, 'p1', '2026', 8)")
    found = _duplicates(con, "2026Q3", ["dibao", "yibao_canbao"]).sort("record_id")
    words = dict(found.select("record_id", "what").iter_rows())
    assert sorted(words) == [*range(many), 100, 101, 200, 201]
    listed = "、".join(str(i) for i in range(1, ROWS_LISTED + 1))
    assert words[0] == words[many - 1] == f"同一人在本名册中出现 {many} 次（第 {listed} 行等）"
    assert words[100] == words[101] == "同一人在本名册中出现 2 次（第 3、7 行）"
    assert words[200] == "同一人在本名册中出现 2 次（第 2、6 行）"
    assert set(found["category"]) == {"名册内重复"}


def test_a_text_longer_than_an_excel_cell_holds_is_cut_and_says_so(tmp_path):
    """Excel opens no workbook with more than 32,767 characters in a cell: a department's row (an
    S4-5 case's words over a hundred names on one ID) and a township list's row are cut, saying so."""
    import openpyxl

    from pipeline.report.sheetrows import CUT_WORDS, EXCEL_CELL_CHARS
    from pipeline.report.layout import Column, write_table
    from pipeline.report.departments import write_department
    from pipeline.report.files import save_workbook

    long = "身份证号 532526200809302760 在参保登记中为“某某”；" * 2_000
    assert len(long) > EXCEL_CELL_CHARS
    frame = pl.DataFrame({
        "category": ["人证不符"], "what": [long], "source_table": ["yibao_canbao"], "file_name": ["参保.xlsx"], "sheet_name": ["Sheet1"],
        "row_number": [5], "name": ["某某"], "id_number_raw": ["532526200809302760"], "township": [None], "village": [None],
    }, schema_overrides={"township": pl.Utf8, "village": pl.Utf8})  # fmt: skip
    path = write_department(frame, "2026Q3", "医保", tmp_path / "dept.xlsx")
    cells = [v for row in openpyxl.load_workbook(path).active.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    cut = [v for v in cells if v.endswith(CUT_WORDS)]
    assert len(cut) == 1 and len(cut[0]) == EXCEL_CELL_CHARS and long.startswith(cut[0].removesuffix(CUT_WORDS))
    wb = openpyxl.Workbook()
    write_table(wb.active, "清单", [Column("问题", wrap=True)], [[long], ["短"]])
    ws = openpyxl.load_workbook(save_workbook(wb, tmp_path / "list.xlsx")).active
    assert ws.row_dimensions[3].height == 409  # Excel's tallest row
    values = [v for (v,) in ws.iter_rows(min_row=3, values_only=True)]
    assert len(values[0]) == EXCEL_CELL_CHARS and values[0].endswith(CUT_WORDS) and values[1] == "短"
