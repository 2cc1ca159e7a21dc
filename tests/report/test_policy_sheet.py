"""Sieve 9 (政策“一口清”) states every parameter of the policy in force, figures from the Policy."""

from __future__ import annotations

import openpyxl
from fixture_db import QUARTER

from pipeline.policy import KEYS, load_policy, validate_policy
from pipeline.report import write_reports
from pipeline.report.layout import FIRST_DATA_ROW
from pipeline.report.policy_sheet import SCALAR_WORDS, policy_rows
from pipeline.report.terms import POLICY_SHEET
from pipeline.report.workbook import POLICY_COLUMNS

KEY_COL = [c.header for c in POLICY_COLUMNS].index("参数名（政策文件）")
VALUE_COL = [c.header for c in POLICY_COLUMNS].index("标准")


def sheet_values(path) -> dict[str, object]:
    ws = openpyxl.load_workbook(path)[POLICY_SHEET]
    return {r[KEY_COL]: r[VALUE_COL] for r in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True) if r[KEY_COL]}


def expected(policy) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in policy.values.items():
        if key in ("orphan_standard", "living_subsidy"):
            out |= {f"{key}.{k}": v for k, v in value.items()}
        elif key == "care_subsidy":
            out |= {f"{key}[{i}]": r["amount"] for i, r in enumerate(value)}
        elif key == "major_illness_keywords":
            out[key] = "、".join(value)
        elif key in ("residence_precedence", "tables_not_exported"):
            continue  # written as the tables' Chinese titles
        else:
            out[key] = value
    return out


def test_every_scalar_key_has_words():
    structured = {"orphan_standard", "living_subsidy", "care_subsidy", "major_illness_keywords", "residence_precedence", "tables_not_exported"}
    assert set(SCALAR_WORDS) == set(KEYS) - structured


def test_sheet_nine_values_equal_the_policy(township_books, policy):
    want = expected(policy)
    for path in township_books.values():
        got = sheet_values(path)
        for key, value in want.items():
            assert got[key] == value, key
        assert {k.split(".")[0].split("[")[0] for k in got if " " not in k} == set(KEYS)


def test_sheet_nine_follows_another_policy(db, tmp_path):
    values = dict(load_policy().values)
    values["dibao_monthly_standard"] = 735
    values["orphan_standard"] = {**values["orphan_standard"], "集中养育孤儿": 2000}
    values["care_subsidy"] = values["care_subsidy"][:1]
    other = validate_policy(values, tmp_path / "county.toml")
    books = [p for p in write_reports(db, QUARTER, tmp_path / "r", other).written if "九过筛子清单" in p.name]
    got = sheet_values(books[0])
    assert got["dibao_monthly_standard"] == 735
    assert got["orphan_standard.集中养育孤儿"] == 2000
    assert "care_subsidy[1]" not in got
    assert got["12 × dibao_monthly_standard"] == 735 * 12
    assert got["low_income_multiple × 12 × dibao_monthly_standard"] == 735 * 12 * values["low_income_multiple"]
    ws = openpyxl.load_workbook(books[0])[POLICY_SHEET]
    assert "county.toml" in ws.cell(1, 1).value


def test_rows_are_words_and_units(policy):
    rows = policy_rows(policy)
    assert all(r.topic and r.words for r in rows)
    precedence = next(r for r in rows if r.key == "residence_precedence")
    assert precedence.value.startswith("低保人员花名册")
