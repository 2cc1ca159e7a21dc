"""Township workbooks: sheets, headers, one row per case, grouping, print settings, validations."""

from __future__ import annotations

import duckdb
import openpyxl
import pytest
from fixture_db import QUARTER

from pipeline.report.layout import FIRST_DATA_ROW, HEADER_ROW, display_width, print_scale
from pipeline.report.terms import COVER_SHEET, DISPUTED_SHEET, POLICY_SHEET, SANLEI_SHEET, SIEVES, ZHONGCAN_SHEET, quarter_label
from pipeline.report.figures import pair_words
from pipeline.report.workbook import CASE_HEADERS

EXPECTED_SHEETS = [COVER_SHEET, *[s.sheet for s in SIEVES.values()], DISPUTED_SHEET, POLICY_SHEET, SANLEI_SHEET, ZHONGCAN_SHEET]


def data_rows(ws) -> list[tuple]:
    """The numbered rows under the header (序号 is an integer)."""
    return [r for r in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True) if isinstance(r[0], int)]


def counts(db, sql: str, params=()) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        return {tuple(r[:-1]): r[-1] for r in con.execute(sql, list(params)).fetchall()}


def test_one_workbook_per_township_and_the_county_summary(reports, township_books, db):
    towns = counts(db, "SELECT DISTINCT township, 1 FROM persons WHERE quarter = ?", [QUARTER])
    assert set(township_books) == {t for (t,) in towns}
    names = sorted(p.name for p in reports)
    assert f"{QUARTER}_县汇总.xlsx" in names and f"{QUARTER}_县汇总.html" in names
    assert all(p.parent.name == QUARTER and p.exists() for p in reports)


def test_sheets_and_headers(township_books):
    for town, path in township_books.items():
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == EXPECTED_SHEETS
        for sieve in SIEVES.values():
            ws = wb[sieve.sheet]
            assert [c.value for c in ws[HEADER_ROW]] == CASE_HEADERS
            assert town in ws.cell(1, 1).value and quarter_label(QUARTER) in ws.cell(1, 1).value
        assert town in wb[COVER_SHEET].cell(1, 1).value


def test_header_words():
    flat = [h.replace("\n", "") for h in CASE_HEADERS]
    for h in ("序号", "村户", "姓名身份证号", "问题及详情", "规则代码", "数据来源", "状态", "首次发现季度",
              "上次反馈", "核查结果", "整改措施", "整改时限", "责任人", "销号日期", "问题编号"):
        assert h in flat


def test_one_row_per_case_in_its_sieve_sheet(township_books, db):
    per = counts(db, "SELECT township, sieve, count(*) FROM cases WHERE quarter = ? GROUP BY ALL", [QUARTER])
    seen = 0
    for town, path in township_books.items():
        wb = openpyxl.load_workbook(path)
        for n, sieve in SIEVES.items():
            rows = data_rows(wb[sieve.sheet])
            assert len(rows) == per.get((town, n), 0), (town, sieve.sheet)
            assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
            seen += len(rows)
    assert seen == sum(per.values()) > 0


def test_case_rows_carry_the_case(township_books, db):
    with duckdb.connect(str(db), read_only=True) as con:
        cases = con.sql("SELECT * FROM cases WHERE quarter = ?", params=[QUARTER]).pl()
    by_key = {(r["id_number"], r["rule_code"]): r for r in cases.iter_rows(named=True)}
    col = {h: i for i, h in enumerate(CASE_HEADERS)}
    wb = openpyxl.load_workbook(next(iter(township_books.values())))
    for sieve in SIEVES.values():
        for row in data_rows(wb[sieve.sheet]):
            name, id_number = row[col["姓名\n身份证号"]].split("\n")
            case = by_key[(id_number, row[col["规则代码"]])]
            assert name == case["name"]
            assert row[col["问题及详情"]] == f"{case['rule_name']}：{case['detail']}"
            assert row[col["状态"]] == case["status"]
            assert row[col["首次发现季度"]] == case["first_seen_quarter"]
            assert row[col["问题编号"]] == case["case_id"]  # how a filled-in list finds its case again
            assert row[col["上次反馈"]] is None  # no answers imported into the fixture database
            assert all(row[col[h]] is None for h in ("核查结果", "整改措施", "整改时限", "责任人", "销号日期"))


def test_rows_grouped_by_village_then_household(township_books):
    col = {h: i for i, h in enumerate(CASE_HEADERS)}
    for path in township_books.values():
        wb = openpyxl.load_workbook(path)
        for sieve in SIEVES.values():
            villages = [r[col["村\n户"]].split("\n")[0] for r in data_rows(wb[sieve.sheet])]
            assert villages == sorted(villages)


def test_print_settings(township_books):
    for town, path in township_books.items():
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            assert ws.page_setup.orientation == "landscape", ws.title
            assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
            assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
            # at 100 % when the printed columns fit the page, else fitted to its width
            fits = print_scale(ws) >= 1.0
            assert ws.sheet_properties.pageSetUpPr.fitToPage == (not fits)
            assert not fits or int(ws.page_setup.scale) == 100
            assert town in ws.oddHeader.left.text and quarter_label(QUARTER) in ws.oddHeader.right.text
            assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
            if ws.title != COVER_SHEET:
                assert ws.print_title_rows.replace("$", "") == "1:2"
                assert ws.freeze_panes == "A3"


def test_columns_fit_their_values(township_books):
    wb = openpyxl.load_workbook(next(iter(township_books.values())))
    ws = wb[SIEVES[2].sheet]
    id_col = CASE_HEADERS.index("姓名\n身份证号") + 1
    width = ws.column_dimensions[openpyxl.utils.get_column_letter(id_col)].width
    assert width >= 18 * 0.95  # an 18-digit ID shows whole
    assert display_width("张三") == 4 and display_width("53038119") == 8 and display_width("（元）") == 6
    detail = ws.cell(FIRST_DATA_ROW, CASE_HEADERS.index("问题及详情") + 1)
    assert detail.alignment.wrap_text


def validations(ws) -> dict[tuple[int, int, int, int], list]:
    """(min_col, min_row, max_col, max_row) of each range -> the validations on it."""
    out: dict[tuple, list] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out.setdefault(rng.bounds, []).append(dv)
    return out


def test_rectification_columns_have_choice_lists_and_date_checks(township_books):
    col = {h: i + 1 for i, h in enumerate(CASE_HEADERS)}
    checked = 0
    for path in township_books.values():
        wb = openpyxl.load_workbook(path)
        for sieve in SIEVES.values():
            ws = wb[sieve.sheet]
            n = len(data_rows(ws))
            dvs = validations(ws)
            if n == 0:
                assert not dvs
                continue
            last = FIRST_DATA_ROW + n - 1
            on = lambda h: dvs[(col[h], FIRST_DATA_ROW, col[h], last)]  # noqa: E731
            (verify,) = on("核查结果")
            assert verify.type == "list" and verify.formula1 == '"属实,不属实,部分属实"' and verify.showErrorMessage
            (measure,) = on("整改措施")
            assert measure.type == "list" and not measure.showErrorMessage  # suggestions, free text allowed
            (d,) = on("销号日期")
            assert d.type == "date" and d.showErrorMessage
            assert ws.cell(FIRST_DATA_ROW, col["销号日期"]).number_format == "yyyy-mm-dd"
            # 整改时限 takes words too (12月底, 长期坚持: the importer reads them): a prompt, no check
            (free,) = on("整改时限")
            assert free.type is None and not free.showErrorMessage and "长期坚持" in free.prompt
            checked += 1
    assert checked > 0


def test_empty_sieve_sheet_says_so(db, policy, tmp_path):
    from fixture_db import make_db

    from pipeline.report import write_reports

    small = make_db(tmp_path / "small.duckdb", persons_per_township=5, cases_per_township=1, townships=("城关镇",))
    books = [p for p in write_reports(small, QUARTER, tmp_path / "r", policy).written if "九过筛子清单" in p.name]
    wb = openpyxl.load_workbook(books[0])
    empty = [s.sheet for s in SIEVES.values() if not data_rows(wb[s.sheet])]
    assert empty
    assert "未发现此类问题" in wb[empty[0]].cell(FIRST_DATA_ROW, 2).value


@pytest.mark.parametrize("sheet", [COVER_SHEET])
def test_cover_counts_per_sieve(township_books, db, sheet):
    per = counts(
        db,
        "SELECT township, sieve, status, count(*) FROM cases WHERE quarter = ? GROUP BY ALL",
        [QUARTER],
    )
    for town, path in township_books.items():
        ws = openpyxl.load_workbook(path)[sheet]
        rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r[0] in {s.sheet for s in SIEVES.values()} | {"合计"}}
        for n, s in SIEVES.items():
            new, old = per.get((town, n, "新增"), 0), per.get((town, n, "延续"), 0)
            assert rows[s.sheet][2:5] == (new, old, new + old)
        total = sum(v for (t, _, _), v in per.items() if t == town)
        assert rows["合计"][4] == total
        text = "\n".join(str(c) for r in ws.iter_rows(values_only=True) for c in r if c)
        assert "低保花名册2026年9月.xlsx" in text  # the run's files
        assert "运行成功" in text


def test_cover_shows_the_townships_overlap_rates(township_books, db):
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT unit, pair, overlap_count, left_rate FROM overlap_rates WHERE quarter = ? AND level = '乡镇' AND measure = 'persons'",
            [QUARTER],
        ).fetchall()
    for town, path in township_books.items():
        cover = list(openpyxl.load_workbook(path)[COVER_SHEET].iter_rows(values_only=True))
        for unit, pair, n, rate in rows:
            if unit == town:
                assert any(r[0] == pair_words(pair) and r[1] == "按人" and r[4] == n and r[5] == pytest.approx(rate) for r in cover)


def _cells(path) -> dict:
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: (
            [tuple(r) for r in ws.iter_rows(values_only=True)],
            sorted(str(m) for m in ws.merged_cells.ranges),
            {k: d.width for k, d in ws.column_dimensions.items()},
        )
        for ws in wb.worksheets
    }


def test_workbooks_written_in_parallel_from_township_slices_equal_the_serial_ones(reports, db, policy, tmp_path):
    # A province writes its township workbooks in worker processes, each from
    # ReportData.for_township: every sheet, cell, merge and width must be what the whole gives.
    from pipeline.report import write_reports

    lists = ("_九过筛子清单.xlsx", "_居住地不详人员清单.xlsx")  # the persons of no township: a slice too
    parallel = write_reports(db, QUARTER, tmp_path, policy, workers=2).written
    serial = {p.name: p for p in reports if p.name.endswith(lists)}
    books = {p.name: p for p in parallel if p.name.endswith(lists)}
    assert set(books) == set(serial) and len(books) >= 2
    for name in serial:
        assert _cells(books[name]) == _cells(serial[name]), name


def test_township_slices_of_the_bundled_county_give_the_same_workbooks(tmp_path, policy, bundled_run):
    # Real households cross townships (a 户主 living elsewhere, a case filed where a person lives).
    from pipeline.report import PARALLEL_MIN_PERSONS, write_reports

    # The session's run wrote its workbooks serially (a county this small: one process).
    assert bundled_run.sql("SELECT count(*) FROM persons WHERE quarter = '2026Q3'").item() < PARALLEL_MIN_PERSONS
    lists = ("_九过筛子清单.xlsx", "_居住地不详人员清单.xlsx")  # the persons of no township: from a slice too
    serial = sorted(p for p in (bundled_run.reports / "2026Q3").glob("*.xlsx") if p.name.endswith(lists))
    parallel = write_reports(bundled_run.db, "2026Q3", tmp_path / "parallel", policy, workers=2).written
    books = {p.name: p for p in parallel if p.name.endswith(lists)}
    assert len(serial) >= 3 and {s.name for s in serial} == set(books)
    assert any(name.endswith(lists[1]) for name in books)
    for s in serial:
        assert _cells(books[s.name]) == _cells(s), s.name
    # the departments' workbooks, written in the worker processes too (each read from the database)
    departments = {p.name: p for p in parallel if p.parent.name == "部门核实"}
    serial_departments = sorted((bundled_run.reports / "2026Q3" / "部门核实").glob("*.xlsx"))
    assert len(serial_departments) == 4 and {s.name for s in serial_departments} == set(departments)
    for s in serial_departments:
        assert _cells(departments[s.name]) == _cells(s), s.name
