"""A decision taken on a 2026Q2 export still applies in 2026Q3, after the roster's rows were
renumbered and an ID re-saved by Excel (a number: 15 significant digits, rounded)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import polars as pl
from review_filler import blocks, fill_from_truth, truth_persons

from pipeline.link.decisions import DIFFERENT, HUMAN_SAME, SAME
from pipeline.policy import load_policy
from pipeline.review.export import export_review
from pipeline.review.importer import import_review
from pipeline.run import run_quarter
from tests.conftest import BUNDLED, BundledRun

YIBAO = "青岚县2026年6月参保登记（资助参保）.csv"


def _excel_number(id18: str) -> str:
    return f"{int(id18[:17] + '0'):.14E}"  # 5.39921199906103E+17: 15 significant digits, rounded


def _resave(src: Path, dst: Path, damaged: set[str]) -> None:
    """The roster's data rows in reverse order (every row renumbered), ``damaged`` names' IDs as Excel numbers."""
    lines = src.read_text(encoding="utf-8-sig").splitlines()
    out = [lines[0]]
    for line in reversed(lines[1:]):
        cells = line.split(",")
        if cells[0].strip() in damaged:
            cells[1] = _excel_number(cells[1])
        out.append(",".join(cells))
    dst.write_text("\n".join(out) + "\n", encoding="utf-8-sig")


def test_a_q2_decision_applies_in_q3_after_renumbering_and_excel(tmp_path):
    db, q2, q3 = tmp_path / "c.duckdb", tmp_path / "2026Q2", tmp_path / "2026Q3"
    shutil.copytree(BUNDLED / "2026Q2", q2)
    run_quarter(q2, "2026Q2", load_policy(), db)
    run = BundledRun(db, tmp_path, None, None)
    xlsx, _, n = export_review(db, tmp_path / "reports", "2026Q2")
    written = fill_from_truth(xlsx, tmp_path / "filled.xlsx", "2026Q2", truth_persons(BUNDLED / "truth"))
    assert n >= 2 and {SAME, DIFFERENT} <= set(written.values())  # the test needs both answers
    assert import_review([tmp_path / "filled.xlsx"], db).imported == n
    located = {code: b["records"] for code, b in blocks(openpyxl.load_workbook(xlsx).active).items()}
    rec = run.sql("SELECT file_name, sheet_name, row_number, source_table, name, id_number FROM source_records WHERE quarter = '2026Q2'")
    ident = {(f, s, r): (t, nm, i) for f, s, r, t, nm, i in rec.iter_rows()}
    pairs = {code: [ident[loc] for loc in locs] for code, locs in located.items()}
    damaged = {nm for p in pairs.values() for t, nm, _ in p if t == "yibao_canbao"}
    assert damaged

    shutil.copytree(q2, q3)
    _resave(q2 / YIBAO, q3 / YIBAO, damaged)
    run_quarter(q3, "2026Q3", load_policy(), db)
    now = run.sql("SELECT record_id, source_table, name, id_number, id_prefix, id_issue, person_key, match_method FROM source_records WHERE quarter = '2026Q3'")
    assert now.filter(pl.col("name").is_in(list(damaged)) & pl.col("id_number").is_null()).height >= 1  # damaged indeed

    def find(t: str, nm: str, id18: str) -> dict:
        hit = now.filter(
            (pl.col("source_table") == t) & (pl.col("name") == nm)
            & pl.coalesce("id_number", "id_prefix").str.starts_with(id18[:12])
        )
        assert hit.height == 1, (t, nm, id18)
        return hit.row(0, named=True)

    review = run.sql("SELECT record_id_l, record_id_r FROM match_review WHERE quarter = '2026Q3'")
    in_review = {tuple(sorted(r)) for r in review.iter_rows()}
    for code, (a, b) in pairs.items():
        ra, rb = find(*a), find(*b)
        if written[code] == SAME:
            assert ra["person_key"] == rb["person_key"], code
            assert HUMAN_SAME in (ra["match_method"], rb["match_method"]), code
        else:
            assert ra["person_key"] != rb["person_key"], code
        assert tuple(sorted((ra["record_id"], rb["record_id"]))) not in in_review
