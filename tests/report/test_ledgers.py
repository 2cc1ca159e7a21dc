"""The 三类对象 and 困难重度残疾人 ledgers, and reports from a database that lacks tables or columns."""

from __future__ import annotations

import duckdb
import openpyxl
from fixture_db import QUARTER
from fixture_db import make_db

from pipeline.report import write_reports
from pipeline.report.layout import FIRST_DATA_ROW, HEADER_ROW
from pipeline.report.ledgers import SANLEI_COLUMNS, ZHONGCAN_COLUMNS
from pipeline.report.terms import COVER_SHEET, SANLEI_SHEET, SIEVES, ZHONGCAN_SHEET


def numbered(ws) -> list[tuple]:
    return [r for r in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True) if isinstance(r[0], int)]


def people(db, where: str) -> dict[str, set[str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            f"SELECT p.township, p.id_number FROM person_facts f JOIN persons p USING (quarter, person_key) "
            f"WHERE f.quarter = ? AND ({where})",
            [QUARTER],
        ).fetchall()
    out: dict[str, set[str]] = {}
    for town, pid in rows:
        out.setdefault(town, set()).add(pid)
    return out


def test_sanlei_ledger_lists_every_sanlei_person(township_books, db):
    want = people(db, "f.is_three_groups")
    id_col = [c.header for c in SANLEI_COLUMNS].index("身份证号")
    for town, path in township_books.items():
        ws = openpyxl.load_workbook(path)[SANLEI_SHEET]
        assert [c.value for c in ws[HEADER_ROW]] == [c.header for c in SANLEI_COLUMNS]
        assert {r[id_col] for r in numbered(ws)} == want.get(town, set())


def test_zhongcan_ledger_lists_severely_disabled_in_dibao_tekun_or_sanlei(township_books, db):
    want = people(db, "f.is_severe AND (f.in_dibao OR f.in_tekun OR f.is_three_groups)")
    headers = [c.header for c in ZHONGCAN_COLUMNS]
    for town, path in township_books.items():
        ws = openpyxl.load_workbook(path)[ZHONGCAN_SHEET]
        rows = numbered(ws)
        assert {r[headers.index("身份证号")] for r in rows} == want.get(town, set())
        for r in rows:
            for h in ("低保", "特困", "残疾人生活补贴", "重度残疾人护理补贴", "参保", "资助参保"):
                assert r[headers.index(h)] in ("是", "否")


def test_ledger_shows_the_persons_case_codes(township_books, db):
    with duckdb.connect(str(db), read_only=True) as con:
        codes = con.execute(
            "SELECT c.id_number, string_agg(DISTINCT c.rule_code, '、' ORDER BY c.rule_code) FROM cases c "
            "JOIN person_facts f ON f.quarter = c.quarter AND f.person_key = c.person_key "
            "WHERE c.quarter = ? AND f.is_three_groups GROUP BY 1",
            [QUARTER],
        ).fetchall()
    assert codes
    headers = [c.header for c in SANLEI_COLUMNS]
    listed = {}
    for path in township_books.values():
        for r in numbered(openpyxl.load_workbook(path)[SANLEI_SHEET]):
            listed[r[headers.index("身份证号")]] = r[headers.index("发现问题（规则代码）")]
    for pid, joined in codes:
        assert set(listed[pid].split("、")) == set(joined.split("、"))


def test_without_person_facts_the_ledgers_say_so(tmp_path, policy):
    db = make_db(tmp_path / "nofacts.duckdb", persons_per_township=10, cases_per_township=8, with_facts=False)
    books = [p for p in write_reports(db, QUARTER, tmp_path / "r", policy).written if "九过筛子清单" in p.name]
    assert books
    wb = openpyxl.load_workbook(books[0])
    for name in (SANLEI_SHEET, ZHONGCAN_SHEET):
        assert not numbered(wb[name])
        assert "person_facts" in wb[name].cell(FIRST_DATA_ROW, 2).value
    cover = "\n".join(str(c) for r in wb[COVER_SHEET].iter_rows(values_only=True) for c in r if c)
    assert "数据库中没有人员政策享受情况（person_facts）表" in cover


def test_missing_columns_and_runs_degrade_to_words(tmp_path, policy):
    db = make_db(tmp_path / "thin.duckdb", persons_per_township=10, cases_per_township=12)
    with duckdb.connect(str(db)) as con:
        con.execute("ALTER TABLE cases DROP COLUMN evidence")
        con.execute("ALTER TABLE cases DROP COLUMN amount")
        con.execute("DROP TABLE runs")
        con.execute("DROP TABLE overlap_rates")
        n = con.execute("SELECT count(*) FROM cases WHERE quarter = ?", [QUARTER]).fetchone()[0]
    written = write_reports(db, QUARTER, tmp_path / "r", policy).written
    books = [p for p in written if "九过筛子清单" in p.name]
    total = 0
    for path in books:
        wb = openpyxl.load_workbook(path)
        total += sum(len(numbered(wb[s.sheet])) for s in SIEVES.values())
    assert total == n
    cover = "\n".join(str(c) for r in openpyxl.load_workbook(books[0])[COVER_SHEET].iter_rows(values_only=True) for c in r if c)
    assert "evidence" in cover and "运行记录（runs）" in cover
    assert "数据库中没有本乡镇的重合率" in cover


def test_person_facts_lacking_a_deciding_column_says_which(tmp_path, policy):
    db = make_db(tmp_path / "oldfacts.duckdb", persons_per_township=10, cases_per_township=6)
    with duckdb.connect(str(db)) as con:
        con.execute("ALTER TABLE person_facts DROP COLUMN is_three_groups")
        con.execute("ALTER TABLE person_facts DROP COLUMN has_care_subsidy")
    books = [p for p in write_reports(db, QUARTER, tmp_path / "r", policy).written if "九过筛子清单" in p.name]
    wb = openpyxl.load_workbook(books[0])
    for name in (SANLEI_SHEET, ZHONGCAN_SHEET):
        assert not numbered(wb[name])
        assert "缺少列 is_three_groups" in wb[name].cell(FIRST_DATA_ROW, 2).value
    cover = "\n".join(str(c) for r in wb[COVER_SHEET].iter_rows(values_only=True) for c in r if c)
    assert "is_three_groups" in cover and "has_care_subsidy" in cover


def test_a_ledger_row_says_dead_unknown_and_no_problem_in_words():
    # a dead person's name says so; a flag the database does not know is 不详, not 否; a person
    # with no case says 未发现问题; 身份 names what covers the person, in order
    import polars as pl

    from pipeline.report.ledgers import ZHONGCAN_FLAGS, _ledger, _status
    from pipeline.report.terms import UNKNOWN_VILLAGE

    people = pl.DataFrame(
        {
            "village": ["一村", None], "household": ["张三户（低保）", None], "name": ["张三", None],
            "id_number": ["110101199001011234", None], "age": [35, None], "is_dead": [True, None],
            "in_dibao": [True, None], "in_tekun": [False, True], "is_three_groups": [True, False],
            "has_living_subsidy": [None, True], "has_care_subsidy": [False, None], "is_insured": [True, False],
            "is_aided_insurance": [None, None], "codes": ["S1-1", None], "problems": ["S1-1 某问题", None],
        }
    )  # fmt: skip
    rows = _ledger(people, ZHONGCAN_FLAGS, [_status().alias("身份")]).rows()
    flags = list(ZHONGCAN_FLAGS.values())
    assert rows[0][:7] == (1, "一村", "张三户（低保）", "张三（已故）", "110101199001011234", 35, "低保、三类对象")
    assert rows[1][:7] == (2, UNKNOWN_VILLAGE, None, "", None, None, "特困")
    assert rows[0][7:-2] == tuple({True: "是", False: "否", None: "不详"}[people[c][0]] for c in flags)
    assert rows[1][7:-2] == tuple({True: "是", False: "否", None: "不详"}[people[c][1]] for c in flags)
    assert rows[0][-2:] == ("S1-1", "S1-1 某问题") and rows[1][-2:] == ("未发现问题", None)
