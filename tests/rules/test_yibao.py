"""Medical insurance rules Y-1 .. Y-3 (Y-4 is with sieve 2's household rules)."""

from pipeline.policy import load_policy
from tests.rules.builder import Build


def test_y_1_dibao_without_enrolment_this_year():
    b = Build()
    none, last_year = b.person("医一"), b.person("医二")
    for p in (none, last_year):
        b.add("dibao", p)
    b.add("yibao_canbao", last_year, insurance_year=2025)
    assert set(b.cases("Y-1")["person_key"]) == {none, last_year}


def test_y_1_near_miss_enrolled():
    b = Build()
    p = b.person("医一")
    b.add("tekun", p)
    b.add("yibao_canbao", p, subsidy_amount=380.0)
    assert b.fired("Y-1", p) is None


def test_y_2_subsidy_short():
    b = Build()
    dibao, tekun = b.person("医三"), b.person("医四")
    b.add("dibao", dibao)
    b.add("yibao_canbao", dibao, subsidy_amount=50.0)
    b.add("tekun", tekun)
    b.add("yibao_canbao", tekun, contribution=380.0, subsidy_amount=70.0)
    cases = {r["person_key"]: r["amount"] for r in b.cases("Y-2").to_dicts()}
    assert cases == {dibao: 20.0, tekun: 310.0}


def test_y_2_near_miss_highest_subsidy_of_the_year_counts():
    b = Build()
    p = b.person("医三")
    b.add("dibao", p)
    b.add("yibao_canbao", p, subsidy_amount=0.0)
    b.add("yibao_canbao", p, subsidy_amount=70.0)
    assert b.fired("Y-2", p) is None


def test_y_3_medical_aid_below_ratio():
    b = Build()
    p = b.person("医五")
    b.add("dibao", p)
    b.add("yibao_jiesuan", p, total_cost=10000.0, basic_fund=6000.0, critical_illness_fund=1000.0, medical_aid=2000.0)
    case = b.fired("Y-3", p)  # due 0.7 x 3000 = 2100
    assert case and round(case["amount"], 2) == 100.0


def test_y_3_near_miss_within_one_yuan():
    b = Build()
    p = b.person("医五")
    b.add("dibao", p)
    b.add("yibao_jiesuan", p, total_cost=10000.0, basic_fund=6000.0, critical_illness_fund=1000.0, medical_aid=2099.0)
    assert b.fired("Y-3", p) is None


def test_y_3_three_groups_use_low_income_ratio():
    b = Build()
    p = b.person("医六")
    b.add("fupin", p, household_type="监测户", risk_eliminated=False)
    b.add("yibao_jiesuan", p, total_cost=10000.0, basic_fund=6000.0, critical_illness_fund=1000.0, medical_aid=1850.0)
    assert b.fired("Y-3", p) is None  # 0.6 x 3000 = 1800


def _one_ulp_above_the_cent(ratio: float) -> tuple[float, float, float]:
    """(total, basic, aid): aid is ratio x (total - basic) - 1 to the cent, while the same sum in
    floating point lands just above it (0.8 x (5321.52 - 2831.52) - 1 = 1991.0000000000005)."""
    basic = 2831.52
    for cents in range(200_000, 900_000):
        total = round(basic + cents / 100, 2)
        due = ratio * (total - basic) - 1
        aid = round(due, 2)
        if due > aid and abs(due - aid) < 1e-9:
            return total, basic, aid
    raise AssertionError("no such amounts")


def test_y_3_near_miss_money_compared_to_the_cent():
    ratio = float(load_policy()["aid_ratio_key"])
    total, basic, aid = _one_ulp_above_the_cent(ratio)
    assert aid < ratio * (total - basic) - 1  # in floating point the aid looks a hair short
    b = Build()
    p = b.person("医七")
    b.add("dibao", p)
    b.add("yibao_jiesuan", p, total_cost=total, basic_fund=basic, critical_illness_fund=0.0, medical_aid=aid)
    assert b.fired("Y-3", p) is None
