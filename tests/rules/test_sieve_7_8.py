"""Sieves 7 and 8: each rule fires on its case and not on the near miss."""

from tests.rules.builder import Build

# --- S7-1 --------------------------------------------------------------------------

def test_s7_1_dead_and_in_force():
    b = Build()
    p = b.person("亡一")
    b.add("laonian", p)
    b.add("siwang", p, death_date="2026-09-30")
    case = b.fired("S7-1", p)
    assert case and "老年人补贴" in case["detail"] and case["kind"] == "exit"


def test_s7_1_near_miss_death_after_reference_date():
    b = Build()
    p = b.person("亡一", birth="1940-01-01")
    b.add("dibao", p)
    b.add("siwang", p, death_date="2026-10-01")
    assert b.fired("S7-1", p) is None
    assert b.fired("S5-1", p)  # not dead: other rules still list the person


# --- S7-2 --------------------------------------------------------------------------

def test_s7_2_income_above_standard_on_dibao_head():
    b = Build()
    head, wife = b.person("收一"), b.person("收二", female=True)
    b.add("dibao", head)
    b.add("dibao", wife, head_id_number=head, relation="配偶")
    b.add("fupin", head, household_number="H1", income_per_capita=8000.0)
    b.add("fupin", wife, household_number="H1", relation="配偶", income_per_capita=8000.0)
    cases = b.cases("S7-2")
    assert cases["person_key"].to_list() == [head]
    assert "12 个月渐退" in cases["detail"][0]


def test_s7_2_household_known_only_by_a_damaged_head_id_still_says_which():
    # the 户主身份证号 cell was an Excel number: no normalised ID, the household keyed by the cell
    b = Build()
    head = b.person("收五")
    b.add("dibao", head, head_id_number=None, household_key="dibao:5.33129E+17", relation="户主")
    b.add("fupin", head, household_number="H9", income_per_capita=8000.0)
    case = b.fired("S7-2", head)
    assert case and "户主身份证号 5.33129E+17" in case["detail"]


def test_s7_2_near_miss_in_gradual_exit_or_at_standard():
    b = Build()
    exiting, equal = b.person("收三"), b.person("收四")
    b.add("dibao", exiting, status="渐退", gradual_exit_start_month="2026-06")
    b.add("fupin", exiting, income_per_capita=9000.0)
    b.add("dibao", equal)
    b.add("fupin", equal, income_per_capita=7200.0)
    assert b.cases("S7-2").is_empty()


# --- S7-3 --------------------------------------------------------------------------

def test_s7_3_gradual_exit_due():
    b = Build()
    p = b.person("渐一")
    b.add("dibao", p, status="渐退", gradual_exit_start_month="2025-09")
    case = b.fired("S7-3", p)
    assert case and "2026-09" in case["detail"]


def test_s7_3_near_miss_still_within_period():
    b = Build()
    p = b.person("渐一")
    b.add("dibao", p, status="渐退", gradual_exit_start_month="2025-10")
    assert b.fired("S7-3", p) is None


# --- S7-4 --------------------------------------------------------------------------

def test_s7_4_two_households_or_dibao_and_tekun():
    b = Build()
    twice, both, head2 = b.person("重一"), b.person("重二"), b.person("重三")
    b.add("dibao", twice)
    b.add("dibao", head2)
    b.add("dibao", twice, head_id_number=head2, relation="之子")
    b.add("dibao", both)
    b.add("tekun", both)
    assert set(b.cases("S7-4")["person_key"]) == {twice, both}


def test_s7_4_near_miss_stopped_second_row():
    b = Build()
    p = b.person("重一")
    b.add("dibao", p)
    b.add("tekun", p, status="停保")
    assert b.fired("S7-4", p) is None


# --- S7-5 --------------------------------------------------------------------------

def test_s7_5_registry_disagrees_with_rosters():
    b = Build()
    says_yes, says_no = b.person("信一"), b.person("信二")
    b.add("fupin", says_yes, receives_dibao="是")
    b.add("fupin", says_no, receives_tekun="否")
    b.add("tekun", says_no)
    assert set(b.cases("S7-5")["person_key"]) == {says_yes, says_no}


def test_s7_5_near_miss_agrees_or_blank():
    b = Build()
    agrees, blank = b.person("信三"), b.person("信四")
    b.add("fupin", agrees, receives_dibao="是")
    b.add("dibao", agrees)
    b.add("fupin", blank)
    b.add("dibao", blank)
    assert b.cases("S7-5").is_empty()


# --- S8-1 --------------------------------------------------------------------------

def test_s8_1_month_without_payment():
    b = Build()
    p = b.person("发一")
    b.add("dibao", p, household_monthly_amount=900.0)
    b.add("fafang", p, pay_month="2026-07", amount=900.0)
    b.add("fafang", p, pay_month="2026-08", amount=900.0)
    case = b.fired("S8-1", p)
    assert case and "2026-09" in case["detail"] and case["amount"] == 900.0


def test_s8_1_near_miss_paid_from_start_month_and_dead_after_death_month():
    b = Build()
    new, dead = b.person("发二"), b.person("发三")
    b.add("tekun", new, start_month="2026-09")
    b.add("fafang", new, item="特困供养金", pay_month="2026-09", amount=800.0)
    b.add("laonian", dead, monthly_amount=50.0)
    b.add("fafang", dead, item="老年人补贴", pay_month="2026-07", amount=50.0)
    b.add("siwang", dead, death_date="2026-07-20")
    assert b.cases("S8-1").is_empty()


def test_s8_1_near_miss_a_member_row_with_the_heads_id_does_not_make_the_member_the_payee():
    """曹丽月's 低保 row carries her 户主 叶俊's 身份证号; identity put it on her. The 户主 is paid: no
    S8-1 on her, whichever of the two rows comes first in the roster (the first row had decided)."""
    for member_first in (True, False):
        b = Build()
        head, member = b.person("叶俊"), b.person("曹丽月", female=True)
        rows = [("dibao", head, {"household_monthly_amount": 900.0, "relation": "户主"}),
                ("dibao", member, {"id_number": head, "head_id_number": head, "relation": "之女", "household_monthly_amount": 900.0})]  # fmt: skip
        for table, person, values in rows[::-1] if member_first else rows:
            b.add(table, person, **values)
        for month in ("2026-07", "2026-08", "2026-09"):
            b.add("fafang", head, pay_month=month, amount=900.0)
        assert b.cases("S8-1").is_empty(), member_first


# --- S8-2 --------------------------------------------------------------------------

def test_s8_2_payment_differs_from_roster():
    b = Build()
    head, member = b.person("额一"), b.person("额二")
    b.add("dibao", head, household_monthly_amount=1200.0)
    b.add("dibao", member, head_id_number=head, relation="配偶", household_monthly_amount=1200.0)
    for month in ("2026-07", "2026-08"):
        b.add("fafang", head, pay_month=month, amount=1200.0)
    b.add("fafang", head, pay_month="2026-09", amount=1000.0)
    case = b.fired("S8-2", head)
    assert case and case["amount"] == -200.0


def test_s8_2_near_miss_second_correct_payment_is_s8_5():
    b = Build()
    p = b.person("额三")
    b.add("laonian", p, monthly_amount=50.0)
    b.add("laonian", p, subsidy_type="高龄津贴", monthly_amount=100.0)
    for month in ("2026-07", "2026-08", "2026-09"):
        b.add("fafang", p, item="老年人补贴", pay_month=month, amount=150.0)
    b.add("fafang", p, item="老年人补贴", pay_month="2026-09", amount=150.0)
    assert b.fired("S8-2", p) is None
    case = b.fired("S8-5", p)
    assert case and case["amount"] == 150.0


# --- S8-3 --------------------------------------------------------------------------

def test_s8_3_paid_after_death():
    b = Build()
    p = b.person("亡二")
    b.add("dibao", p, household_monthly_amount=620.0)
    b.add("siwang", p, death_date="2026-07-12")
    for month in ("2026-07", "2026-08", "2026-09"):
        b.add("fafang", p, pay_month=month, amount=620.0)
    case = b.fired("S8-3", p)
    assert case["amount"] == 1240.0
    assert "死亡日期 2026-07-12 后仍发放 低保金 2 个月" in case["detail"] and "1,240.00 元" in case["detail"]
    assert "资金发放明细.xlsx/城关镇 第3、4行" in case["evidence"]


def test_s8_3_near_miss_month_of_death_is_due():
    b = Build()
    p = b.person("亡三")
    b.add("dibao", p)
    b.add("siwang", p, death_date="2026-07-12")
    b.add("fafang", p, pay_month="2026-07")
    assert b.fired("S8-3", p) is None


# --- S8-4 --------------------------------------------------------------------------

def test_s8_4_payment_without_roster_row():
    b = Build()
    p = b.person("无一")
    b.add("dibao", p)
    b.add("fafang", p, item="特困供养金", amount=800.0)
    case = b.fired("S8-4", p)
    assert case and case["amount"] == 800.0


def test_s8_4_near_miss_any_status_row_or_head_id():
    b = Build()
    stopped, head = b.person("无二"), b.person("无三")
    member = b.person("无四")
    b.add("tekun", stopped, status="停保")
    b.add("fafang", stopped, item="特困供养金", amount=800.0)
    b.add("dibao", member, head_id_number=head, relation="配偶")  # the head has no dibao row of its own
    b.add("fafang", head, item="低保金")
    assert b.cases("S8-4").is_empty()


def test_s8_4_near_miss_head_paid_on_a_row_whose_id_cell_has_a_slip():
    """The 户主 paid 低保金 on a row whose 身份证号 cell carries a one-digit slip: identity put the row
    on the 户主 (person_key = the 户主's ID), so the payee is the 户主 and nothing is unlisted."""
    b = Build()
    head, member = b.person("无五"), b.person("无六")
    b.add("dibao", member, head_id_number=head, relation="之子")
    slip = head[:10] + str((int(head[10]) + 1) % 10) + head[11:]
    b.add("fafang", head, item="低保金", id_number=slip)
    assert b.cases("S8-4").is_empty()


# --- S8-5 --------------------------------------------------------------------------

def test_s8_5_near_miss_different_months():
    b = Build()
    p = b.person("复一")
    b.add("dibao", p)
    b.add("fafang", p, pay_month="2026-07")
    b.add("fafang", p, pay_month="2026-08")
    assert b.fired("S8-5", p) is None


def test_s8_5_counts_what_was_paid_beyond_the_largest_payment_in_either_order():
    """800 and 50 paid for one item and month: the amount beyond one payment is 50, not 800 or 50
    by which row came first; the words list the larger first."""
    for amounts in ((800.0, 50.0), (50.0, 800.0)):
        b = Build()
        p = b.person("复二")
        b.add("tekun", p)
        for amount in amounts:
            b.add("fafang", p, item="特困供养金", pay_month="2026-07", amount=amount)
        case = b.fired("S8-5", p)
        assert case and case["amount"] == 50.0, amounts
        assert "800.00 + 50.00" in case["detail"]


# --- corrections (冲正): a negative payment row nets its month ---------------------------

def test_correction_nets_the_month_payment_and_reversal_is_not_paid():
    """A 600 payment and a -600 correction in one month: the month is unpaid (S8-1), no S8-5, no S8-2."""
    b = Build()
    p = b.person("冲一")
    b.add("dibao", p, household_monthly_amount=600.0)
    b.add("fafang", p, pay_month="2026-07", amount=600.0)
    b.add("fafang", p, pay_month="2026-08", amount=600.0)
    b.add("fafang", p, pay_month="2026-09", amount=600.0)
    b.add("fafang", p, pay_month="2026-09", amount=-600.0)
    case = b.fired("S8-1", p)
    assert case and "低保金 2026-09 未发放" in case["detail"] and case["amount"] == 600.0
    assert b.fired("S8-5", p) is None
    assert b.fired("S8-2", p) is None


def test_correction_then_repayment_is_one_payment_not_a_duplicate():
    """Paid 700 by mistake, reversed, paid 600 again: the month holds one right payment."""
    b = Build()
    p = b.person("冲二")
    b.add("dibao", p, household_monthly_amount=600.0)
    for month in ("2026-07", "2026-08"):
        b.add("fafang", p, pay_month=month, amount=600.0)
    b.add("fafang", p, pay_month="2026-09", amount=700.0)
    b.add("fafang", p, pay_month="2026-09", amount=-700.0)
    b.add("fafang", p, pay_month="2026-09", amount=600.0)
    for rule in ("S8-1", "S8-2", "S8-5"):
        assert b.fired(rule, p) is None, rule


def test_a_duplicate_left_after_a_partial_correction_is_still_s8_5():
    b = Build()
    p = b.person("冲三")
    b.add("dibao", p, household_monthly_amount=600.0)
    for month in ("2026-07", "2026-08", "2026-09"):
        b.add("fafang", p, pay_month=month, amount=600.0)
    b.add("fafang", p, pay_month="2026-09", amount=600.0)
    b.add("fafang", p, pay_month="2026-09", amount=-100.0)
    case = b.fired("S8-5", p)
    assert case and case["amount"] == 500.0
    assert b.fired("S8-2", p) is None


def test_reversed_payments_after_death_and_without_roster_leave_nothing_to_recover():
    b = Build()
    dead, stranger = b.person("冲四"), b.person("冲五")
    b.add("dibao", dead, household_monthly_amount=600.0)
    b.add("siwang", dead, death_date="2026-07-12")
    b.add("fafang", dead, pay_month="2026-07", amount=600.0)
    b.add("fafang", dead, pay_month="2026-08", amount=600.0)
    b.add("fafang", dead, pay_month="2026-08", amount=-600.0)
    b.add("fafang", dead, pay_month="2026-09", amount=600.0)
    case = b.fired("S8-3", dead)
    assert case and case["amount"] == 600.0 and "低保金 1 个月（2026-09）" in case["detail"]
    b.add("dibao", stranger)
    b.add("fafang", stranger, item="特困供养金", amount=800.0)
    b.add("fafang", stranger, item="特困供养金", amount=-800.0)
    assert b.fired("S8-4", stranger) is None
