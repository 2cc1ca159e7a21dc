"""Sieves 1 and 2 (and Y-4): each rule fires on its case and not on the near miss."""

from pipeline.policy import load_policy
from pipeline.rules.run import connect
from tests.rules.builder import Build


def three_groups(b: Build, person: str, **fupin) -> int:
    """Make ``person`` a registry member of a 未脱贫户 (a 三类对象)."""
    return b.add("fupin", person, household_type="未脱贫户", **fupin)


# --- S1-1 --------------------------------------------------------------------------

def test_s1_1_three_groups_severe_not_covered():
    b = Build()
    p = b.person("王一")
    three_groups(b, p)
    b.add("canlian", p, disability_grade=1)
    case = b.fired("S1-1", p)
    assert case and case["kind"] == "missed" and case["sieve"] == 1
    assert "重残" in case["detail"]


def test_s1_1_near_miss_in_dibao():
    b = Build()
    p = b.person("王一")
    three_groups(b, p)
    b.add("canlian", p, disability_grade=1)
    b.add("dibao", p)
    assert b.fired("S1-1", p) is None


def test_s1_1_illness_window_is_12_months_before_reference_date():
    b = Build()
    inside, outside = b.person("王二"), b.person("王三")
    for p in (inside, outside):
        three_groups(b, p)
    b.add("yibao_jiesuan", inside, settlement_date="2025-10-01", major_illness=True)
    b.add("yibao_jiesuan", outside, settlement_date="2025-09-30", major_illness=True)
    cases = b.cases("S1-1")
    assert cases["person_key"].to_list() == [inside]


def test_s1_1_flag_decides_keyword_only_when_blank():
    b = Build()
    by_keyword, flag_no = b.person("王四"), b.person("王五")
    for p in (by_keyword, flag_no):
        three_groups(b, p)
    b.add("yibao_jiesuan", by_keyword, diagnosis="肺恶性肿瘤", major_illness=None)
    b.add("yibao_jiesuan", flag_no, diagnosis="肺恶性肿瘤", major_illness=False)
    assert b.cases("S1-1")["person_key"].to_list() == [by_keyword]


# --- S1-2 --------------------------------------------------------------------------

def test_s1_2_low_income_severe():
    b = Build()
    p = b.person("李一")
    b.add("fupin", p, income_per_capita=10000.0)  # < 1.5 x 12 x 600 = 10800
    b.add("canlian", p, disability_grade=2)
    case = b.fired("S1-2", p)
    assert case and "10,800.00" in case["detail"]


def test_s1_2_near_miss_income_exactly_at_the_line():
    b = Build()
    p = b.person("李一")
    b.add("fupin", p, income_per_capita=10800.0)  # not below
    b.add("canlian", p, disability_grade=2)
    assert b.fired("S1-2", p) is None


# --- S1-3 --------------------------------------------------------------------------

def test_s1_3_low_income_ill_not_severe():
    b = Build()
    p = b.person("赵一")
    b.add("fupin", p, income_per_capita=10000.0, health="患有大病")
    case = b.fired("S1-3", p)
    assert case and case["kind"] == "review"


def test_s1_3_near_miss_household_member_in_dibao():
    b = Build()
    p, spouse = b.person("赵一"), b.person("钱一", female=True)
    b.add("fupin", p, income_per_capita=10000.0, health="患有大病", household_number="H9")
    b.add("fupin", spouse, relation="配偶", income_per_capita=10000.0, household_number="H9")
    b.add("dibao", spouse)
    assert b.fired("S1-3", p) is None


# --- S1-4 --------------------------------------------------------------------------

def test_s1_4_single_person_coverage_without_reason():
    b = Build()
    p = b.person("孙一")
    b.add("dibao", p, single_person_coverage=True)
    assert b.fired("S1-4", p)


def test_s1_4_near_miss_severe():
    b = Build()
    p = b.person("孙一")
    b.add("dibao", p, single_person_coverage=True)
    b.add("canlian", p, disability_grade=1)
    assert b.fired("S1-4", p) is None


# --- S2-1 --------------------------------------------------------------------------

def test_s2_1_one_case_per_household_on_its_head():
    b = Build()
    head, child = b.person("周一"), b.person("周二", birth="2000-01-01")
    three_groups(b, head, household_number="H1", income_per_capita=7000.0)
    three_groups(b, child, household_number="H1", relation="之子", income_per_capita=7000.0)
    cases = b.cases("S2-1")
    assert cases["person_key"].to_list() == [head]
    assert "7,200.00" in cases["detail"][0] and "2 人" in cases["detail"][0]


def test_s2_1_near_miss_income_equal_to_standard():
    b = Build()
    head = b.person("周一")
    three_groups(b, head, income_per_capita=7200.0)
    assert b.fired("S2-1", head) is None


def test_s2_1_near_miss_member_in_tekun():
    b = Build()
    head, other = b.person("周一"), b.person("周三")
    three_groups(b, head, household_number="H1", income_per_capita=7000.0)
    three_groups(b, other, household_number="H1", relation="之子", income_per_capita=7000.0)
    b.add("tekun", other)
    assert b.fired("S2-1", head) is None


# --- S2-2 --------------------------------------------------------------------------

def test_s2_2_old_without_work_capacity_alone():
    b = Build()
    p = b.person("吴一", birth="1960-01-01")  # 66
    three_groups(b, p, labour_skill="无劳动力")
    b.add("dibao", p)  # being in 低保 does not exclude
    assert b.fired("S2-2", p)


def test_s2_2_child_under_16_and_dead_able_member_does_not_count():
    b = Build()
    child, father = b.person("吴二", birth="2012-01-01"), b.person("吴三")
    three_groups(b, child, household_number="H1", relation="之子", labour_skill="无劳动力")
    three_groups(b, father, household_number="H1", labour_skill="普通劳动力")
    b.add("siwang", father, death_date="2026-05-01")
    assert b.fired("S2-2", child)


def test_s2_2_near_miss_other_member_able():
    b = Build()
    p, son = b.person("吴一", birth="1950-01-01"), b.person("吴四")
    three_groups(b, p, household_number="H1", labour_skill="丧失劳动力")
    three_groups(b, son, household_number="H1", relation="之子", labour_skill="弱劳动力或半劳动力")
    assert b.fired("S2-2", p) is None


def test_s2_2_near_miss_in_tekun():
    b = Build()
    p = b.person("吴一", birth="1950-01-01")
    three_groups(b, p, labour_skill="无劳动力")
    b.add("tekun", p)
    assert b.fired("S2-2", p) is None


# --- S2-3 --------------------------------------------------------------------------

def test_s2_3_burden_at_threshold_without_aid():
    b = Build()
    p = b.person("郑一")
    three_groups(b, p)
    b.add("yibao_jiesuan", p, out_of_pocket=3000.0, settlement_date="2026-07-05")
    b.add("yibao_jiesuan", p, out_of_pocket=2000.0, settlement_date="2026-09-30")
    b.add("yibao_jiesuan", p, out_of_pocket=9000.0, settlement_date="2026-06-30")  # last quarter
    case = b.fired("S2-3", p)
    assert case and case["amount"] == 5000.0


def test_s2_3_near_miss_temporary_relief_in_quarter():
    b = Build()
    p = b.person("郑一")
    three_groups(b, p)
    b.add("yibao_jiesuan", p, out_of_pocket=6000.0)
    b.add("linshi", p, relief_date="2026-09-01")
    assert b.fired("S2-3", p) is None


def test_s2_3_near_miss_some_medical_aid():
    b = Build()
    p = b.person("郑一")
    three_groups(b, p)
    b.add("yibao_jiesuan", p, out_of_pocket=6000.0, medical_aid=100.0)
    assert b.fired("S2-3", p) is None


# --- Y-4 ---------------------------------------------------------------------------

def test_y_4_expense_tiers():
    b = Build()
    poor, relief, fine = b.person("冯一"), b.person("冯二"), b.person("冯三")
    b.add("fupin", poor, household_number="H1", income_per_capita=9000.0)
    b.add("fupin", relief, household_number="H2", income_per_capita=15000.0)
    b.add("fupin", fine, household_number="H3", income_per_capita=20000.0)
    for p in (poor, relief, fine):
        b.add("yibao_jiesuan", p, out_of_pocket=3000.0, settlement_date="2025-12-01")
    cases = {r["person_key"]: r["detail"] for r in b.cases("Y-4").to_dicts()}
    assert set(cases) == {poor, relief}
    assert "支出型应保未保" in cases[poor] and "支出型救助" in cases[relief]


def test_y_4_near_miss_in_dibao_or_no_burden():
    b = Build()
    covered, no_cost = b.person("冯四"), b.person("冯五")
    b.add("fupin", covered, income_per_capita=9000.0)
    b.add("dibao", covered)
    b.add("yibao_jiesuan", covered, out_of_pocket=3000.0)
    b.add("fupin", no_cost, income_per_capita=9000.0)
    assert b.cases("Y-4").is_empty()


def test_y_4_household_without_a_head_row_is_filed_on_its_lowest_person_key_in_either_order():
    """No row of registry household H1 says 户主: the case goes to the member with the lowest person
    key, whichever row comes first; a row that says 户主 wins wherever it stands."""
    for reverse in (False, True):
        b = Build()
        first, second = sorted([b.person("冯六"), b.person("冯七")])
        rows = [(first, "之子"), (second, "之女")]
        record = {}
        for p, relation in rows[::-1] if reverse else rows:
            record[p] = b.add("fupin", p, household_number="H1", relation=relation, income_per_capita=9000.0)
            b.add("yibao_jiesuan", p, out_of_pocket=3000.0, settlement_date="2025-12-01")
        assert b.cases("Y-4")["person_key"].to_list() == [first], reverse
        con, _ = connect(b.tables(), load_policy(), b.quarter)  # the head's row is the head's, not the first row
        assert con.execute("SELECT head_person_key, head_record_id FROM int_registry_households").fetchall() == [(first, record[first])]
        con.close()

        b = Build()
        first, second = sorted([b.person("冯六"), b.person("冯七")])
        rows = [(first, "之子"), (second, "户主")]
        for p, relation in rows[::-1] if reverse else rows:
            b.add("fupin", p, household_number="H1", relation=relation, income_per_capita=9000.0)
            b.add("yibao_jiesuan", p, out_of_pocket=3000.0, settlement_date="2025-12-01")
        assert b.cases("Y-4")["person_key"].to_list() == [second], reverse
