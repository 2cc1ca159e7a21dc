"""Sieves 5 and 6: each rule fires on its case and not on the near miss."""

from datetime import date, timedelta

from tests.rules.builder import Build

# --- S5-1 --------------------------------------------------------------------------

def test_s5_1_elderly_dibao_without_subsidy():
    b = Build()
    p = b.person("老一", birth="1966-09-30")  # 60 on the reference date
    b.add("dibao", p)
    assert b.fired("S5-1", p)


def test_s5_1_near_miss_subsidy_in_force_or_too_young():
    b = Build()
    paid, young = b.person("老二", birth="1950-01-01"), b.person("老三", birth="1966-10-01")
    b.add("dibao", paid)
    b.add("laonian", paid, subsidy_type="经济困难老年人补贴")
    b.add("dibao", young)
    assert b.cases("S5-1").is_empty()


# --- S5-2 --------------------------------------------------------------------------

def test_s5_2_eighty_without_advanced_age_allowance():
    b = Build()
    p = b.person("老四", birth="1946-09-30")
    first = b.add("canlian", p)
    b.add("dibao", p)
    case = b.fired("S5-2", p)
    assert case and case["record_ids"] == [first]  # the evidence: the person's first record


def test_s5_2_near_miss_79_or_allowance():
    b = Build()
    young, paid = b.person("老五", birth="1946-10-01"), b.person("老六", birth="1930-01-01")
    b.add("canlian", young)
    b.add("laonian", paid, subsidy_type="高龄津贴")
    assert b.cases("S5-2").is_empty()


def test_s5_2_and_s5_1_unknown_age_fires_no_age_rule():
    """A person whose birth date nothing proves (seen only through a mistyped ID: identity leaves
    birth_date null) has no age: no age rule fires on a guess."""
    b = Build()
    p = b.person("老八", birth="1930-01-01")
    b.people[p]["birth_date"] = None
    b.add("dibao", p)
    assert b.fired("S5-2", p) is None and b.fired("S5-1", p) is None


def test_s5_2_dead_person_gets_no_other_case():
    b = Build()
    p = b.person("老七", birth="1930-01-01")
    b.add("canlian", p)
    b.add("siwang", p, death_date="2026-09-30")
    assert b.fired("S5-2", p) is None
    assert b.run()["rule_hits"].filter(rule_code="S5-2").height == 1  # the rule saw it; the stage dropped it


# --- S6-1 --------------------------------------------------------------------------

def test_s6_1_no_carer_or_agreement():
    b = Build()
    no_carer, no_agreement = b.person("特一"), b.person("特二")
    b.add("tekun", no_carer, support_mode="分散供养", carer_name=None)
    b.add("tekun", no_agreement, support_mode="分散供养", care_agreement=None)
    assert set(b.cases("S6-1")["person_key"]) == {no_carer, no_agreement}


def test_s6_1_near_miss_institutional_care():
    b = Build()
    p = b.person("特一")
    b.add("tekun", p, support_mode="集中供养", carer_name=None, care_agreement=False)
    assert b.fired("S6-1", p) is None


# --- S6-2 --------------------------------------------------------------------------

def test_s6_2_month_without_township_visit():
    b = Build()
    p = b.person("特三")
    b.add("tekun", p, support_mode="分散供养")
    for day in ("2026-07-15", "2026-08-15"):
        b.add("tekun_visit", p, visit_level="乡镇", visit_date=day)
    b.add("tekun_visit", p, visit_level="村", visit_date="2026-09-15")  # a village visit does not count
    case = b.fired("S6-2", p)
    assert case and "2026-09" in case["detail"] and "2026-08" not in case["detail"]


def test_s6_2_near_miss_counted_from_start_month():
    b = Build()
    p = b.person("特三")
    b.add("tekun", p, support_mode="分散供养", start_month="2026-08")
    for day in ("2026-08-15", "2026-09-15"):
        b.add("tekun_visit", p, visit_level="乡镇", visit_date=day)
    assert b.fired("S6-2", p) is None


# --- S6-3 --------------------------------------------------------------------------

def _weekly_visits(b: Build, p: str, skip: set[int] = frozenset()):
    start = date(2026, 7, 1)
    for week in range(13):
        if week + 1 not in skip:
            b.add("tekun_visit", p, visit_level="村", visit_date=str(start + timedelta(days=7 * week)))


def test_s6_3_a_week_without_village_visit():
    b = Build()
    p = b.person("特四")
    b.add("tekun", p, support_mode="分散供养")
    _weekly_visits(b, p, skip={5})
    case = b.fired("S6-3", p)
    assert case and "第 5 周" in case["detail"]


def test_s6_3_near_miss_last_week_runs_to_quarter_end():
    b = Build()
    p = b.person("特四")
    b.add("tekun", p, support_mode="分散供养")
    _weekly_visits(b, p, skip={13})
    b.add("tekun_visit", p, visit_level="村", visit_date="2026-09-30")  # day 92: still week 13
    assert b.fired("S6-3", p) is None


def test_s6_3_near_miss_policy_allows_a_week():
    from pipeline.policy import load_policy, validate_policy

    lenient = validate_policy({**load_policy().values, "village_visit_missing_weeks_allowed": 1}, "lenient.toml")
    b = Build()
    p = b.person("特四")
    b.add("tekun", p, support_mode="分散供养")
    _weekly_visits(b, p, skip={5})
    assert b.fired("S6-3", p, policy=lenient) is None


# --- S6-4 --------------------------------------------------------------------------

def test_s6_4_fully_dependent_at_home():
    b = Build()
    p = b.person("特五")
    b.add("tekun", p, support_mode="分散供养", self_care="全失能")
    assert b.fired("S6-4", p)


def test_s6_4_near_miss_partly_dependent():
    b = Build()
    p = b.person("特五")
    b.add("tekun", p, support_mode="分散供养", self_care="半失能")
    assert b.fired("S6-4", p) is None
