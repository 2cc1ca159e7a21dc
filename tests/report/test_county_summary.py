"""The county summary a director reads in a minute, on the bundled county (2026Q2 then 2026Q3):
新增 / 延续 / 销号 and the answers per township, ranked; money; data quality; rates as numbers."""

from __future__ import annotations

import openpyxl
import pytest

from pipeline.report.figures import COUNTY_ROW
from pipeline.report.layout import FIRST_DATA_ROW, HEADER_ROW
from pipeline.report.summary import OVERVIEW_SHEET, QUALITY_SHEET


@pytest.fixture(scope="module")
def summary_book(bundled_run):
    return openpyxl.load_workbook(bundled_run.reports / "2026Q3" / "2026Q3_县汇总.xlsx")


def overview(book) -> dict[str, dict]:
    ws = book[OVERVIEW_SHEET]
    head = [str(c.value).replace("\n", "") for c in ws[HEADER_ROW]]
    return {r[1]: dict(zip(head, r)) for r in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True) if r[1]}


def test_overview_counts_new_carried_and_closed_per_township(bundled_run, summary_book):
    rows = overview(summary_book)
    per = bundled_run.sql(
        "SELECT township, count(*) FILTER (status = '新增') AS new, count(*) FILTER (status = '延续') AS old "
        "FROM cases WHERE quarter = '2026Q3' AND township IS NOT NULL GROUP BY 1"
    )
    closed = dict(bundled_run.sql("SELECT township, count(*) FROM resolved_cases WHERE quarter = '2026Q3' GROUP BY 1").rows())
    assert sum(closed.values()) > 0  # the bundled county closes cases between Q2 and Q3
    for r in per.iter_rows(named=True):
        row = rows[r["township"]]
        assert (row["新增"], row["延续"], row["销号"]) == (r["new"], r["old"], closed.get(r["township"], 0))
    county = rows[COUNTY_ROW]
    assert county["销号"] == sum(closed.values())
    previous = bundled_run.sql("SELECT count(*) FROM cases WHERE quarter = '2026Q2'").item()
    assert county["上季问题"] == previous
    assert county["销号率"] == pytest.approx(sum(closed.values()) / previous)


def test_overview_is_ranked_and_rates_are_numbers(summary_book):
    ws = summary_book[OVERVIEW_SHEET]
    ranked = [r for r in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True) if isinstance(r[0], int)]
    assert [r[0] for r in ranked] == list(range(1, len(ranked) + 1))
    assert [r[2] for r in ranked] == sorted((r[2] for r in ranked), reverse=True)
    head = [str(c.value).replace("\n", "") for c in ws[HEADER_ROW]]
    for name in ("销号率", "反馈率"):
        cell = ws.cell(FIRST_DATA_ROW, head.index(name) + 1)
        assert isinstance(cell.value, (int, float)) and cell.number_format == "0.0%"


def test_money_to_recover_per_township(bundled_run, summary_book):
    rows = overview(summary_book)
    head = next(h for h in next(iter(rows.values())) if "应追回" in h)
    recover = dict(bundled_run.sql(
        "SELECT coalesce(township, '居住地不详'), sum(amount) FROM cases WHERE quarter = '2026Q3' AND rule_code = 'S8-3' GROUP BY 1"
    ).rows())
    assert sum(recover.values()) > 0
    for town, amount in recover.items():
        assert rows[town][head] == pytest.approx(amount)
    assert rows[COUNTY_ROW][head] == pytest.approx(sum(recover.values()))
    html = (bundled_run.reports / "2026Q3" / "2026Q3_县汇总.html").read_text(encoding="utf-8")
    assert "元" in html and f"{sum(recover.values()):,.2f}" in html


def test_feedback_progress_per_township(bundled_copy):
    """Answers to the 2026Q2 list count as 已反馈 / 属实 / 不属实 on the 2026Q3 summary."""
    import duckdb

    from pipeline.policy import load_policy
    from pipeline.report import write_reports

    with duckdb.connect(str(bundled_copy.db)) as con:
        picked = con.sql(
            "SELECT case_id, rule_code, township FROM cases WHERE quarter = '2026Q2' AND township IS NOT NULL ORDER BY case_id LIMIT 3"
        ).fetchall()
        for (case_id, rule, town), answer in zip(picked, ("属实", "属实", "不属实")):
            con.execute(
                "INSERT INTO case_feedback (quarter, case_id, rule_code, township, check_result, rectified, source_file, source_sheet, source_row, imported_at) "
                "VALUES ('2026Q2', ?, ?, ?, ?, false, 'x.xlsx', 's', 3, now())",
                [case_id, rule, town, answer],
            )
    out = write_reports(bundled_copy.db, "2026Q3", bundled_copy.reports, load_policy())
    book = openpyxl.load_workbook(next(p for p in out.written if p.name == "2026Q3_县汇总.xlsx"))
    county = overview(book)[COUNTY_ROW]
    assert (county["已反馈"], county["属实"], county["不属实"]) == (3, 2, 1)
    assert county["反馈率"] == pytest.approx(3 / county["上季问题"])


def test_data_quality_section(bundled_run, summary_book):
    ws = summary_book[QUALITY_SHEET]
    text = "\n".join(str(c) for r in ws.iter_rows(values_only=True) for c in r if c is not None)
    rejected = bundled_run.sql("SELECT count(*) FROM rejected_rows WHERE quarter = '2026Q3'").item()
    assert rejected > 0 and f"共 {rejected} 行" in text
    files = bundled_run.sql("SELECT files FROM runs WHERE quarter = '2026Q3' AND status = 'succeeded'").item()
    assert "低保人员花名册" in text  # tables by their Chinese names
    assert "完整性" in text and "读取的文件" in text
    assert files


def test_the_page_reads_in_words_with_round_axes(bundled_run):
    from pipeline.report.charts import _ticks
    from pipeline.report.figures import pair_words

    html = (bundled_run.reports / "2026Q3" / "2026Q3_县汇总.html").read_text(encoding="utf-8")
    assert "各乡镇概览" in html and "数据质量" in html and "上季销号" in html
    assert " or " not in html and "重残×（低保或特困）" in html
    assert pair_words("重残 x (低保 or 特困)") == "重残×（低保或特困）" and pair_words("低保 x 防返贫") == "低保×防返贫"
    for top in (3, 7, 46, 50, 125, 999):
        ticks = _ticks(top)
        assert ticks[-1] >= top and all(float(t).is_integer() for t in ticks) and len(ticks) <= 6


def test_sieve_titles_do_not_repeat_themselves(bundled_run):
    from pipeline.report.terms import SIEVES

    wb = openpyxl.load_workbook(bundled_run.reports / "2026Q3" / "2026Q3_白水乡_九过筛子清单.xlsx")
    title = wb[SIEVES[7].sheet].cell(1, 1).value
    assert title.startswith("七、应退尽退　") and "（应退尽退）" not in title
