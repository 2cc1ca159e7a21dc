"""The whole cycle on a generated county (conftest.py): export the review, fill every pair from the
generator's truth, import, rerun: linkage equals the truth on those pairs and match_review is empty;
a 2026Q2 decision still applies in 2026Q3."""

from __future__ import annotations

import openpyxl
from review_filler import blocks, fill_from_truth, truth_persons
from typer.testing import CliRunner

from flows.cli import app
from pipeline.link.decisions import HUMAN_DIFFERENT, HUMAN_SAME
from pipeline.policy import load_policy
from pipeline.review.pending import PENDING
from pipeline.run import run_quarter

def _persons_of_pairs(run, quarter: str, pairs: list[tuple]) -> list[tuple[str, str]]:
    """Each pair's two (file, sheet, row) -> their person keys in ``quarter``."""
    rec = run.sql("SELECT file_name, sheet_name, row_number, person_key, match_method FROM source_records WHERE quarter = ?", [quarter])
    where = {(f, s, r): (p, m) for f, s, r, p, m in rec.iter_rows()}
    return [(where[a], where[b]) for a, b in pairs]


def test_review_export_fill_import_rerun(generated_copy, tmp_path):
    run, runner = generated_copy, CliRunner()
    county, truth = run.county, truth_persons(run.county / "truth")
    exported, filled, pairs = {}, [], {}
    for quarter in ("2026Q2", "2026Q3"):
        out = runner.invoke(app, ["review", "export", "--quarter", quarter, "--db", str(run.db), "--reports", str(run.reports)])
        assert out.exit_code == 0, out.output
        xlsx = run.reports / quarter / "人工核对" / f"{quarter}_疑似同一人核对表.xlsx"
        assert xlsx.exists() and xlsx.with_suffix(".html").exists()
        exported[quarter] = run.sql("SELECT count(*) AS n FROM match_review WHERE quarter = ?", [quarter])["n"].item()
        assert exported[quarter] > 0
        # Q2 comes back renamed and saved as .xls with its blocks moved; Q3 as .xlsx.
        dst = tmp_path / ("核对完毕.xls" if quarter == "2026Q2" else f"{quarter}_核对（张）.xlsx")
        written = fill_from_truth(xlsx, dst, quarter, truth, as_xls=quarter == "2026Q2")
        assert len(written) == exported[quarter]
        filled.append(dst)
        pairs[quarter] = [tuple(b["records"]) for b in blocks(openpyxl.load_workbook(xlsx).active).values()]
    # The 2026Q2 answers alone already decide the 2026Q3 pairs that are 2026Q2 pairs (their records'
    # keys), though 2026Q3 is another export: rows renumbered, other rows damaged.
    out = runner.invoke(app, ["review", "import", str(filled[0]), "--db", str(run.db)])
    assert out.exit_code == 0, out.output
    run_quarter(county / "2026Q3", "2026Q3", load_policy(), run.db)
    left = run.sql("SELECT count(*) AS n FROM match_review WHERE quarter = '2026Q3'")["n"].item()
    carried = [
        (a, b, pa == pb)
        for (a, b), ((pa, ma), (pb, mb)) in zip(pairs["2026Q3"], _persons_of_pairs(run, "2026Q3", pairs["2026Q3"]))
        if HUMAN_SAME in ma + mb or ma.endswith(HUMAN_DIFFERENT)
    ]
    assert carried and left == exported["2026Q3"] - len(carried)
    assert all(linked == (truth[("2026Q3", *a)] == truth[("2026Q3", *b)]) for a, b, linked in carried)
    out = runner.invoke(app, ["review", "import", *map(str, filled), "--db", str(run.db)])
    assert out.exit_code == 0, out.output
    decisions = run.sql("SELECT * FROM link_decisions")
    assert decisions["decided_by"].unique().to_list() == ["张科员"]
    assert set(decisions["decision"]) <= {"同一人", "不是同一人"}

    for quarter in ("2026Q2", "2026Q3"):
        run_quarter(county / quarter, quarter, load_policy(), run.db)
        assert run.sql("SELECT count(*) AS n FROM match_review WHERE quarter = ?", [quarter])["n"].item() == 0
        assert run.sql("SELECT count(*) AS n FROM cases WHERE quarter = ? AND detail LIKE ?", [quarter, f"%{PENDING}%"])["n"].item() == 0
        for (a, b), ((pa, ma), (pb, mb)) in zip(pairs[quarter], _persons_of_pairs(run, quarter, pairs[quarter])):
            same = truth[(quarter, *a)] == truth[(quarter, *b)]
            assert (pa == pb) == same, (quarter, a, b)
            if same:
                assert HUMAN_SAME in ma + mb  # a record may also carry a 不是同一人 with a third
            else:
                assert ma.endswith(HUMAN_DIFFERENT) and mb.endswith(HUMAN_DIFFERENT)
    # A rerun never deletes the decisions (history), and the export now has nothing left to decide.
    assert run.sql("SELECT count(*) AS n FROM link_decisions")["n"].item() == decisions.height
    out = runner.invoke(app, ["review", "export", "--quarter", "2026Q3", "--db", str(run.db), "--reports", str(run.reports)])
    assert "共 0 对" in out.output
