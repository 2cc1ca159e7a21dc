"""The run's Prefect artifact: a markdown page of counts and rates, without personal data.

Counts per table, cases per sieve and kind (new / carried), the townships' answers carried in,
and the county-level overlap rates.  No name, ID number, person key, case id or file row is read.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.report.terms import KINDS, MEASURES, SIEVES, percent
from pipeline.run import RunResult


def _table(headers: list[str], rows: list[list[object]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join("" if v is None else str(v) for v in r) + " |" for r in rows]
    return "\n".join(out)


def _columns(con, table: str) -> set[str]:
    return {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()}


def summary_markdown(db_path: Path, result: RunResult) -> str:
    q = result.quarter
    seconds = sum(result.stage_seconds.values())
    parts = [
        f"# doudi {q} 比对结果",
        f"运行编号 `{result.run_id}`，各阶段用时合计 {seconds:.1f} 秒，未采用的输入行 {result.rejected_rows} 行，"
        f"未能识别的文件或工作表 {len(result.problem_sheets)} 个。",
        "## 各表行数",
        _table(["表", "行数"], [[name, f"{n:,}"] for name, n in result.counts.items()]),
        "## 各阶段用时（秒）",
        _table(["阶段", "秒"], [[s, f"{v:.1f}"] for s, v in result.stage_seconds.items()]),
    ]
    with duckdb.connect(str(db_path), read_only=True) as con:
        by_sieve = con.execute(
            "SELECT sieve, kind, status, count(*) FROM cases WHERE quarter = ? GROUP BY ALL", [q]
        ).fetchall()
        have = _columns(con, "cases")
        feedback = None
        if {"feedback_quarter", "false_report", "rectification_failed"} <= have:
            feedback = con.execute(
                "SELECT count(feedback_quarter), count(*) FILTER (false_report), count(*) FILTER (rectification_failed) "
                "FROM cases WHERE quarter = ?",
                [q],
            ).fetchall()[0]
        overlap = con.execute(
            "SELECT unit, pair, measure, left_count, right_count, overlap_count, left_rate, right_rate "
            "FROM overlap_rates WHERE quarter = ? AND level = '县' ORDER BY pair, measure",
            [q],
        ).fetchall()
    rows = []
    for n, sieve in SIEVES.items():
        mine = [r for r in by_sieve if r[0] == n]
        per_kind = [sum(r[3] for r in mine if r[1] == k) for k in KINDS]
        new = sum(r[3] for r in mine if r[2] == "新增")
        total = sum(r[3] for r in mine)
        rows.append([sieve.sheet, *per_kind, new, total - new, total])
    totals = [sum(r[i] for r in rows) for i in range(1, len(rows[0]))]
    rows.append(["合计", *totals])
    parts += ["## 问题线索（按筛子与类别）", _table(["筛子", *KINDS.values(), "新增", "延续", "合计"], rows)]
    if feedback is not None:
        parts += [
            "## 乡镇反馈",
            f"带入上次核查结果的问题 {feedback[0]} 条；其中核实不属实 {feedback[1]} 条，整改未到位（已整改或已销号后再次发现）{feedback[2]} 条。",
        ]
    parts += [
        "## 县级重合率",
        _table(
            ["县", "比对对象", "口径", "甲方数", "乙方数", "重合数", "重合数占甲方", "重合数占乙方"],
            [[u, p, MEASURES.get(m, m), lc, rc, oc, percent(lr), percent(rr)] for u, p, m, lc, rc, oc, lr, rr in overlap],
        )
        if overlap
        else "数据库中没有本季度的县级重合率。",
    ]
    return "\n\n".join(parts) + "\n"
