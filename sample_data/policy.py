"""The policy values the generator plants against: read once, from one place.

The pipeline's shipped default (``pipeline/policy_default.toml``) is used when it exists so the
generator and the rules agree; otherwise the defaults of rules.md below.  Nothing else in
``sample_data`` writes a policy number.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

POLICY_FILE = Path(__file__).resolve().parent.parent / "pipeline" / "policy_default.toml"

DEFAULT_POLICY: dict = {
    "dibao_monthly_standard": 600,
    "low_income_multiple": 1.5,
    "exit_income_multiple": 1.0,
    "gradual_exit_months": 12,
    "tekun_min_age": 60,
    "elderly_min_age": 60,
    "advanced_age": 80,
    "urgent_out_of_pocket": 5000,
    "expense_relief_multiple": 2.0,
    "subsidy_dibao": 70,
    "subsidy_monitored": 70,
    "aid_ratio_key": 0.70,
    "aid_ratio_low_income": 0.60,
    "village_visit_missing_weeks_allowed": 0,
    "orphan_standard": {"集中养育孤儿": 1800, "社会散居孤儿": 1400, "事实无人抚养儿童": 1400},
    "living_subsidy": {"一类": 100, "二类": 100, "三类": 10, "四类": 10},
    "care_subsidy": [
        {"grade": 1, "categories": ["视力", "肢体", "智力", "精神", "多重"], "amount": 100},
        {"grade": 2, "categories": ["智力", "精神"], "amount": 100},
        {"grade": 1, "categories": ["听力", "言语"], "amount": 50},
        {"grade": 2, "categories": ["视力", "肢体", "听力", "言语", "多重"], "amount": 50},
    ],
    "major_illness_keywords": ["恶性肿瘤", "尿毒症", "白血病", "血友病", "终末期肾病", "重性精神病", "器官移植"],
    "residence_precedence": ["dibao", "tekun", "ertong", "fupin", "canlian", "yibao_canbao"],
}

# Disability categories in certificate-code order (code = index + 1).
DISABILITY_CATEGORIES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")


@lru_cache(maxsize=1)
def policy() -> dict:
    if POLICY_FILE.exists():
        with POLICY_FILE.open("rb") as fh:
            return {**DEFAULT_POLICY, **tomllib.load(fh)}
    return dict(DEFAULT_POLICY)


def care_amount(category_code: int, grade: int) -> float:
    """护理补贴 the policy gives a certificate (0 when none)."""
    cat = DISABILITY_CATEGORIES[category_code - 1]
    for row in policy()["care_subsidy"]:
        if row["grade"] == grade and cat in row["categories"]:
            return float(row["amount"])
    return 0.0


def annual_standard() -> float:
    """12 x the monthly 低保 standard: the yardstick of every household income test."""
    return 12.0 * policy()["dibao_monthly_standard"]
