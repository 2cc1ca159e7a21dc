"""The closing summary of ``doudi run``, built from the database after the run (no Prefect):
completeness, rejected files and rows, cases per township (新增 / 延续 / 销号), money to recover,
pairs waiting for a person, where the workbooks and the database are, the next command."""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from flows.console import summary_text, table_title


def township_counts(bundled_run, quarter: str) -> dict[str, tuple[int, int, int]]:
    rows = bundled_run.sql(
        """
        SELECT coalesce(township, '（乡镇不详）') AS t,
               count(*) FILTER (WHERE src = 'c' AND status = '新增'),
               count(*) FILTER (WHERE src = 'c' AND status <> '新增'),
               count(*) FILTER (WHERE src = 'r')
        FROM (SELECT township, status, 'c' AS src FROM cases WHERE quarter = ?
              UNION ALL SELECT township, NULL, 'r' FROM resolved_cases WHERE quarter = ?)
        GROUP BY t
        """,
        [quarter, quarter],
    ).rows()
    return {t: (n, c, r) for t, n, c, r in rows}


def test_summary_of_the_bundled_quarter(bundled_run):
    q3 = bundled_run.q3
    text = summary_text(bundled_run.db, q3.run_id, bundled_run.reports)
    assert text.startswith(f"2026Q3 比对完成（运行 {q3.run_id}，用时 ")
    files = bundled_run.sql("SELECT count(DISTINCT file_name), sum(accepted_rows), sum(rejected_rows) FROM run_files WHERE run_id = ?", [q3.run_id]).row(0)
    assert f"输入：{files[0]} 个文件" in text and f"采用 {files[1]:,} 行，未采用 {files[2]:,} 行" in text
    assert "输入齐全：13 张表都已找到" in text

    # every township with its new, carried and resolved cases, and the totals
    counts = township_counts(bundled_run, "2026Q3")
    assert any(c or r for _, c, r in counts.values()), "the bundled Q3 carries or resolves some Q2 cases"
    for township, (new, carried, resolved) in counts.items():
        assert re.search(rf"^\s*{re.escape(township)}\s+{new:,}\s+{carried:,}\s+{resolved:,}\s+{new + carried:,}\s*$", text, re.M), township
    totals = [sum(v[i] for v in counts.values()) for i in range(3)]
    assert re.search(rf"^\s*合计\s+{totals[0]:,}\s+{totals[1]:,}\s+{totals[2]:,}\s+{totals[0] + totals[1]:,}\s*$", text, re.M)

    # the money paid after a death, the pairs for a person, the rejected files and rows
    n, amount = bundled_run.sql("SELECT count(*), sum(amount) FROM cases WHERE quarter = '2026Q3' AND rule_code = 'S8-3'").row(0)
    assert n > 0 and f"{n:,} 条线索，共 {amount:,.2f} 元" in text
    pairs = bundled_run.sql("SELECT count(*) FROM match_review WHERE quarter = '2026Q3'").item()
    assert (f"疑似同一人待人工判定：{pairs:,} 对" if pairs else "疑似同一人待人工判定：无") in text
    unread = bundled_run.sql(
        "SELECT file_name FROM run_files WHERE run_id = ? AND message IS NOT NULL AND data_rows > 0 AND accepted_rows = 0", [q3.run_id]
    )
    assert unread.height and all(f in text for f in unread["file_name"])
    # every file rejected whole is listed, also one that yielded no data rows (a cut-short workbook)
    whole = bundled_run.sql("SELECT file_name FROM rejected_rows WHERE quarter = '2026Q3' AND row_number IS NULL")
    assert whole.height >= 2 and all(f in text for f in whole["file_name"])
    for file, rows in bundled_run.sql(
        "SELECT file_name, count(*) FROM rejected_rows WHERE quarter = '2026Q3' AND source_table IS NOT NULL GROUP BY ALL"
    ).rows():
        assert f"  - {file}：{rows:,} 行，如第 " in text

    # where things are, and what to type next
    assert f"乡镇清单：{(bundled_run.reports / '2026Q3').resolve()}" in text
    assert f"数据库：{bundled_run.db.resolve()}" in text
    assert (f'doudi review export --quarter 2026Q3 --db "{bundled_run.db}"' in text) == (pairs > 0)
    assert f"doudi runs --run {q3.run_id}" in text
    # internal names stay out of it
    assert "stg_" not in text and "succeeded" not in text


def set_run(db, run_id: str, **values) -> None:
    with duckdb.connect(str(db)) as con:
        for column, value in values.items():
            if column == "completeness":
                con.execute("ALTER TABLE runs ADD COLUMN IF NOT EXISTS completeness JSON")
            con.execute(f"UPDATE runs SET {column} = ? WHERE run_id = ?", [value, run_id])


def test_summary_shows_what_the_completeness_column_says(bundled_copy):
    run_id = bundled_copy.q3.run_id
    completeness = {
        "missing_tables": [],
        "not_exported": ["linshi"],
        "unscreened_rules": ["S3-3"],
        "volume_drops": [{"table": "dibao", "previous": 300, "current": 150}],
    }
    set_run(bundled_copy.db, run_id, completeness=json.dumps(completeness))
    text = summary_text(bundled_copy.db, run_id, bundled_copy.reports)
    assert "声明未导出的表：临时救助记录" in text
    assert "输入齐全：其余 12 张表都已找到" in text and "缺少的表" not in text
    assert "未筛查的规则（缺表）：S3-3" in text
    assert "行数骤降：低保人员花名册 上季 300 行，本季 150 行" in text
    set_run(bundled_copy.db, run_id, completeness=json.dumps({**completeness, "missing_tables": ["ertong", "siwang"]}))
    assert "缺少的表：孤儿和事实无人抚养儿童花名册、死亡(火化)登记" in summary_text(bundled_copy.db, run_id, bundled_copy.reports)


def test_summary_of_a_run_whose_reports_were_not_all_written(bundled_copy):
    run_id = bundled_copy.q3.run_id
    set_run(bundled_copy.db, run_id, status="reports_incomplete", error="2026Q3_青山镇_九过筛子清单.xlsx 正被 Excel 打开，未能替换")
    text = summary_text(bundled_copy.db, run_id, bundled_copy.reports)
    assert text.startswith("2026Q3 比对报表未全部写出")
    assert "2026Q3_青山镇_九过筛子清单.xlsx 正被 Excel 打开" in text
    assert f'doudi report --quarter 2026Q3 --db "{bundled_copy.db}" --reports "{bundled_copy.reports}"' in text


@pytest.mark.parametrize(
    "name, title",
    [("stg_linshi", "临时救助记录"), ("linshi", "临时救助记录"), ("match_review", "疑似同一人"), ("rejected_rows", "未采用的输入行及原因"), ("other", "other")],
)
def test_table_titles(name, title):
    assert table_title(name) == title
