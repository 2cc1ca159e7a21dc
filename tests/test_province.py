"""A province's quarter (one sub-folder per county) run end to end: reports keyed by (county, township).

County A is the bundled 青岚县; county B is a generated county renamed 白岩县 (its CSV cells and
file names rewritten, generated under the code 539922).  The generator names townships
from one list, so both counties have a 青山镇, a 白水乡 ...: each must get its own workbook, in its
county's folder, and the province summary one line per county.
"""

import re
import shutil
from pathlib import Path

import openpyxl

from pipeline.policy import load_policy
from pipeline.run import run_quarter
from sample_data.province import COUNTIES, generate_county
from tests.conftest import BUNDLED

A, B = COUNTIES[0][0], COUNTIES[1][0]  # 青岚县 (the bundled county) and 白岩县, generated


def test_two_counties_with_the_same_township_names_get_their_own_workbooks(tmp_path):
    province = tmp_path / "province" / "2026Q3"
    shutil.copytree(BUNDLED / "2026Q3", province / A)
    generate_county(province / B, 1, households=80, seed=9)
    reports = tmp_path / "reports"
    result = run_quarter(province, "2026Q3", load_policy(), tmp_path / "province.duckdb", reports)
    assert result.status == "succeeded"
    quarter_dir = reports / "2026Q3"
    both = [f"2026Q3_{t}_九过筛子清单.xlsx" for t in ("青山镇", "白水乡")]
    for county in (A, B):
        for name in both:
            assert (quarter_dir / county / name).exists(), (county, name)
    assert not any((quarter_dir / name).exists() for name in both)  # no shared workbook at the top
    # each county's cover names its own county
    for county in (A, B):
        cover = openpyxl.load_workbook(quarter_dir / county / both[0], read_only=True).worksheets[0]
        text = " ".join(str(v) for row in cover.iter_rows(max_row=3, values_only=True) for v in row if v)
        assert county in text and ({A, B} - {county}).pop() not in text, text
    province_book = openpyxl.load_workbook(quarter_dir / "2026Q3_全省汇总.xlsx", read_only=True).worksheets[0]
    cells = {str(v) for row in province_book.iter_rows(values_only=True) for v in row if v}
    assert {A, B} <= cells


def _ids(folder: Path) -> set[str]:
    text = "".join(p.read_text(encoding="utf-8-sig", errors="ignore") for p in folder.iterdir())
    return set(re.findall(r"(?<![\d.])\d{17}[\dX](?!\d)", text))


def test_two_generated_counties_share_no_id_number_by_chance(tmp_path):
    # each county's people are mostly born there (its code in their IDs): generated alike, two
    # counties must not give different people one ID (a province of such counties would be all
    # 人证不符; 17 of ~800 IDs were shared at 300 households when every county was born in 539921)
    a = generate_county(tmp_path / "A", 0, households=300, seed=1)
    b = generate_county(tmp_path / "B", 1, households=300, seed=2)
    ids_a, ids_b = _ids(a), _ids(b)
    assert len(ids_a) > 500 and len(ids_b) > 500
    assert not ids_a & ids_b
    assert sum(i.startswith(COUNTIES[1][1]) for i in ids_b) > 0.8 * len(ids_b)
