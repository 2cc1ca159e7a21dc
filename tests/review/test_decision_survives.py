"""A decision taken on a 2026Q2 export still applies in 2026Q3, after the rosters' rows were
renumbered and the pairs' IDs re-saved by Excel (a number: 15 significant digits, rounded)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl
import polars as pl
from review_filler import blocks, fill_from_truth, truth_persons

from pipeline.link.decisions import DIFFERENT, HUMAN_DIFFERENT, HUMAN_SAME, SAME
from pipeline.policy import load_policy
from pipeline.review.export import export_review
from pipeline.review.importer import import_review
from pipeline.run import run_quarter


def _excel_number(id18: str) -> str:
    return f"{int(id18[:17] + '0'):.14E}"  # 5.39921199906103E+17: 15 significant digits, rounded


def _read(path: Path) -> tuple[str, list[list[str]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return encoding, list(csv.reader(io.StringIO(path.read_text(encoding=encoding))))
        except UnicodeDecodeError:
            continue
    raise AssertionError(path)


def _resave(src: Path, dst: Path, ids: set[str]) -> int:
    """The roster's data rows in reverse order (every row renumbered), the first cell holding one of
    ``ids`` on each row written as Excel writes the number back out. Returns the cells damaged."""
    encoding, rows = _read(src)
    damaged = 0
    for cells in rows[1:]:
        hit = next((i for i, c in enumerate(cells) if c.strip() in ids), None)
        if hit is not None:
            cells[hit], damaged = _excel_number(cells[hit].strip()), damaged + 1
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([rows[0], *reversed(rows[1:])])
    dst.write_text(out.getvalue(), encoding=encoding)
    return damaged


def test_a_q2_decision_applies_in_q3_after_renumbering_and_excel(generated_copy, tmp_path):
    # The session's run of the generated county (conftest.py): its 2026Q2 as stored; its 2026Q3 is
    # replaced below by the run of the re-saved rosters.
    county = generated_copy.county
    db, q2, q3 = generated_copy.db, county / "2026Q2", tmp_path / "2026Q3"
    xlsx, _, n = export_review(db, tmp_path / "reports", "2026Q2")
    written = fill_from_truth(xlsx, tmp_path / "filled.xlsx", "2026Q2", truth_persons(county / "truth"))
    assert n >= 2 and {SAME, DIFFERENT} <= set(written.values())  # the test needs both answers
    assert import_review([tmp_path / "filled.xlsx"], db).imported == n

    def sql(query: str) -> pl.DataFrame:
        import duckdb

        with duckdb.connect(str(db), read_only=True) as con:
            return con.sql(query).pl()

    located = {code: b["records"] for code, b in blocks(openpyxl.load_workbook(xlsx).active).items()}
    rec = sql("SELECT file_name, coalesce(sheet_name, '') AS s, row_number, source_table, name, id_number FROM source_records WHERE quarter = '2026Q2'")
    ident = {(f, s, r): (t, nm, i) for f, s, r, t, nm, i in rec.iter_rows()}
    pairs = {code: [ident[loc] for loc in locs] for code, locs in located.items()}
    files = {loc[0] for locs in located.values() for loc in locs}
    full_ids = {i for p in pairs.values() for _, _, i in p if i and i[-1].isdigit()}  # …X stays text in Excel

    # 2026Q3: the same county, every roster holding a pair's record re-saved by Excel.
    shutil.copytree(q2, q3)
    assert sum(_resave(q2 / f, q3 / f, full_ids) for f in files) >= 1
    run_quarter(q3, "2026Q3", load_policy(), db)
    now = sql("SELECT record_id, source_table, name, id_number, id_prefix, person_key, match_method FROM source_records WHERE quarter = '2026Q3'")
    damaged = pl.col("id_number").is_null() & pl.col("id_prefix").str.slice(0, 12).is_in([i[:12] for i in full_ids])
    assert now.filter(damaged).height >= 1  # damaged indeed

    def find(t: str, nm: str, id18: str | None) -> list[dict]:
        hit = now.filter((pl.col("source_table") == t) & (pl.col("name") == nm))
        if id18:
            hit = hit.filter(pl.coalesce("id_number", "id_prefix").str.starts_with(id18[:12]))
        assert hit.height >= 1, (t, nm, id18)
        return hit.rows(named=True)

    review = sql("SELECT record_id_l, record_id_r FROM match_review WHERE quarter = '2026Q3'")
    in_review = {tuple(sorted(r)) for r in review.iter_rows()}
    for code, (a, b) in pairs.items():
        for ra in find(*a):
            for rb in find(*b):
                if written[code] == SAME:
                    assert ra["person_key"] == rb["person_key"], code
                    assert HUMAN_SAME in ra["match_method"] + rb["match_method"], code
                else:
                    assert ra["person_key"] != rb["person_key"], code
                    assert ra["match_method"].endswith(HUMAN_DIFFERENT), code
                assert tuple(sorted((ra["record_id"], rb["record_id"]))) not in in_review, code
