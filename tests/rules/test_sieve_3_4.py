"""Sieves 3 and 4: each rule fires on its case and not on the near miss."""

from tests.rules.builder import Build

# --- S3-1 --------------------------------------------------------------------------

def test_s3_1_eighteenth_birthday_on_reference_date_counts():
    b = Build()
    p = b.person("小一", birth="2008-09-30")
    b.add("ertong", p)
    case = b.fired("S3-1", p)
    assert case and case["kind"] == "exit" and "18 岁" in case["detail"]


def test_s3_1_near_miss_day_after():
    b = Build()
    p = b.person("小一", birth="2008-10-01")
    b.add("ertong", p)
    assert b.fired("S3-1", p) is None


# --- S3-2 --------------------------------------------------------------------------

def _family(b: Build, father_grade: int | None = None, father_death: str | None = "2026-03-01"):
    father, mother = b.person("父一"), b.person("母一", female=True)
    child = b.person("子一", birth="2015-05-05")
    b.add("fupin", father, household_number="H1")
    b.add("fupin", mother, household_number="H1", relation="配偶")
    b.add("fupin", child, household_number="H1", relation="之子")
    if father_death:
        b.add("siwang", father, death_date=father_death)
    b.add("canlian", mother, disability_grade=1, disability_category="精神")
    if father_grade:
        b.add("canlian", father, disability_grade=father_grade)
    return father, mother, child


def test_s3_2_father_dead_mother_severe():
    b = Build()
    _, _, child = _family(b)
    case = b.fired("S3-2", child)
    assert case and "死亡" in case["detail"] and "重残" in case["detail"]


def test_s3_2_near_miss_death_after_reference_date():
    b = Build()
    _, _, child = _family(b, father_death="2026-10-01")
    assert b.fired("S3-2", child) is None


def test_s3_2_near_miss_already_in_ertong():
    b = Build()
    _, _, child = _family(b)
    b.add("ertong", child, child_category="事实无人抚养儿童")
    assert b.fired("S3-2", child) is None


def test_s3_2_dibao_household_known_only_by_a_damaged_head_id_names_it_as_written():
    # the 户主身份证号 cell was an Excel number: the household is keyed by the cell and named so
    b = Build()
    father, mother = b.person("父三"), b.person("母三", female=True)
    child = b.person("子三", birth="2015-05-05")
    key = {"head_id_number": None, "household_key": "dibao:5.33129E+17"}
    b.add("dibao", father, relation="户主", **key)
    b.add("dibao", mother, relation="配偶", **key)
    b.add("dibao", child, relation="之子", **key)
    b.add("siwang", father, death_date="2026-03-01")
    b.add("canlian", mother, disability_grade=1, disability_category="精神")
    case = b.fired("S3-2", child)
    assert case and "户主身份证号 5.33129E+17" in case["detail"]


def test_s3_2_near_miss_household_without_spouse():
    b = Build()
    father, child = b.person("父二"), b.person("子二", birth="2015-05-05")
    b.add("dibao", father)
    b.add("dibao", child, head_id_number=father, relation="之女")
    b.add("siwang", father, death_date="2026-03-01")
    assert b.cases("S3-2").is_empty()


# --- S3-3 --------------------------------------------------------------------------

def test_s3_3_below_category_standard():
    b = Build()
    p = b.person("小二", birth="2015-01-01")
    b.add("ertong", p, child_category="集中养育孤儿", monthly_amount=1400.0)  # standard 1800
    case = b.fired("S3-3", p)
    assert case and case["amount"] == 400.0


def test_s3_3_near_miss_at_standard():
    b = Build()
    p = b.person("小二", birth="2015-01-01")
    b.add("ertong", p, child_category="社会散居孤儿", monthly_amount=1400.0)
    assert b.fired("S3-3", p) is None


# --- S4-1 --------------------------------------------------------------------------

def test_s4_1_dibao_certificate_without_living_subsidy():
    b = Build()
    p = b.person("残一")
    b.add("dibao", p, category="三类")
    b.add("canlian", p, disability_grade=4)
    case = b.fired("S4-1", p)
    assert case and "10.00" in case["detail"]


def test_s4_1_a_person_in_two_dibao_households_is_read_from_the_one_they_head_in_either_order():
    """残二 heads a 一类 household and is also listed (其他) in another's 三类 household: the category
    read is their own household's, whichever row comes first (the first row had decided)."""
    for own_first in (True, False):
        b = Build()
        p, other_head = b.person("残二"), b.person("残三")
        rows = [(p, {"category": "一类"}), (p, {"category": "三类", "head_id_number": other_head, "relation": "其他"})]
        for person, values in rows if own_first else rows[::-1]:
            b.add("dibao", person, **values)
        b.add("dibao", other_head, category="三类")
        b.add("canlian", p, disability_grade=4)
        case = b.fired("S4-1", p)
        assert case and "在保低保对象（一类）" in case["detail"], own_first


def test_s4_1_near_miss_living_subsidy_present():
    b = Build()
    p = b.person("残一")
    b.add("dibao", p)
    b.add("canlian", p, disability_grade=4)
    b.add("liangbu", p, living_subsidy=100.0)
    assert b.fired("S4-1", p) is None


# --- S4-2 --------------------------------------------------------------------------

def test_s4_2_grade_one_without_care_subsidy():
    b = Build()
    p = b.person("残二")
    b.add("canlian", p, disability_grade=1, disability_category="听力")
    case = b.fired("S4-2", p)
    assert case and "50.00" in case["detail"]


def test_s4_2_near_miss_grade_three_earns_none():
    b = Build()
    p = b.person("残二")
    b.add("canlian", p, disability_grade=3, disability_category="肢体")
    assert b.fired("S4-2", p) is None


def test_s4_2_near_miss_cancelled_certificate():
    b = Build()
    p = b.person("残二")
    b.add("canlian", p, disability_grade=1, certificate_status="注销")
    assert b.fired("S4-2", p) is None


# --- S4-3 --------------------------------------------------------------------------

def test_s4_3_amounts_differ_from_standard():
    b = Build()
    p = b.person("残三")
    b.add("dibao", p, category="一类")
    b.add("canlian", p, disability_grade=2, disability_category="视力")  # care 50
    b.add("liangbu", p, living_subsidy=50.0, care_subsidy=100.0)
    case = b.fired("S4-3", p)
    assert case and "生活补贴" in case["detail"] and "护理补贴" in case["detail"]


def test_s4_3_near_miss_amounts_right():
    b = Build()
    p = b.person("残三")
    b.add("dibao", p, category="二类")
    b.add("canlian", p, disability_grade=2, disability_category="智力")  # care 100
    b.add("liangbu", p, living_subsidy=100.0, care_subsidy=100.0)
    assert b.fired("S4-3", p) is None


# --- S4-4 --------------------------------------------------------------------------

def test_s4_4_grade_three_with_care_subsidy():
    b = Build()
    p = b.person("残四")
    b.add("canlian", p, disability_grade=3)
    b.add("liangbu", p, care_subsidy=50.0)
    case = b.fired("S4-4", p)
    assert case and "护理补贴范围" in case["detail"]
    assert b.fired("S4-3", p) is None  # a subsidy the rules give none of is S4-4 only


def test_s4_4_no_certificate_or_living_without_dibao():
    b = Build()
    no_cert, no_dibao = b.person("残五"), b.person("残六")
    b.add("liangbu", no_cert, living_subsidy=100.0)
    b.add("dibao", no_cert)
    b.add("canlian", no_dibao, disability_grade=4)
    b.add("liangbu", no_dibao, living_subsidy=100.0)
    cases = {r["person_key"]: r["detail"] for r in b.cases("S4-4").to_dicts()}
    assert "无有效残疾人证" in cases[no_cert] and "不是在保低保对象" in cases[no_dibao]


def test_s4_4_near_miss_stopped_liangbu_row():
    b = Build()
    p = b.person("残七")
    b.add("liangbu", p, care_subsidy=50.0, status="停保")
    assert b.fired("S4-4", p) is None


# --- S4-5 --------------------------------------------------------------------------

def test_s4_5_certificate_of_another_id():
    b = Build()
    p, other = b.person("证一"), b.person("证二")
    b.add("canlian", p, cert_id_number=other, certificate_number=f"{other}43")
    assert b.fired("S4-5", p)


def test_s4_5_certificate_with_a_slip_of_the_rows_own_id():
    """rules.md: a certificate ID part with a one-digit or transposition slip of the person's ID is
    S4-5 too (the 残联 record must be corrected)."""
    b = Build()
    p = b.person("证三")
    own = p if len(p) == 18 else None
    assert own, "fixture persons are keyed by their 18-digit ID"
    swapped = own[:10] + own[11] + own[10] + own[12:]
    one_digit = own[:5] + str((int(own[5]) + 1) % 10) + own[6:]
    b.add("canlian", p, cert_id_number=swapped, certificate_number=f"{swapped}43")
    b.add("liangbu", p, cert_id_number=one_digit, certificate_number=f"{one_digit}43", living_subsidy=100.0)
    case = b.fired("S4-5", p)
    assert case and swapped in case["detail"] and one_digit in case["detail"]


def test_s4_5_near_miss_certificate_of_the_rows_own_id():
    b = Build()
    p = b.person("证四")
    b.add("canlian", p, cert_id_number=p, certificate_number=f"{p}43")
    assert b.fired("S4-5", p) is None


def test_s4_5_near_miss_right_certificate_beside_a_mistyped_id_cell():
    """The certificate names the person; the slip is in the row's 身份证号 cell: no S4-5."""
    b = Build()
    p = b.person("证五")
    typo = p[:8] + p[9] + p[8] + p[10:]
    b.add("canlian", p, id_number=typo, cert_id_number=p, certificate_number=f"{p}43")
    assert b.fired("S4-5", p) is None


def test_s4_5_same_id_different_names():
    b = Build()
    p = b.person("张三")
    b.add("dibao", p, name="张三", name_pinyin_fuzzy="zan san")
    b.add("fupin", p, name="李四", name_pinyin_fuzzy="ni si")
    case = b.fired("S4-5", p)
    assert case and "李四" in case["detail"]


def test_s4_5_names_the_name_on_most_records_first_in_either_order():
    """The words list each name once, the one on most records first, then in name order: the
    same detail whatever order the rows come in."""
    details = set()
    for reverse in (False, True):
        b = Build()
        p = b.person("张三")
        rows = [("dibao", "王五", "wan wu"), ("fupin", "李四", "ni si"), ("laonian", "李四", "ni si"), ("tekun", "赵六", "zao liu")]
        for table, name, fuzzy in rows[::-1] if reverse else rows:
            b.add(table, p, name=name, name_pinyin_fuzzy=fuzzy)
        case = b.fired("S4-5", p)
        assert case, reverse
        said = case["detail"]
        assert said.index("“李四”") < said.index("“王五”") < said.index("“赵六”"), said
        details.add(said)
    assert len(details) == 1


def test_s4_5_near_miss_homophone_typo():
    b = Build()
    p = b.person("张三")
    b.add("dibao", p, name="张三", name_pinyin_fuzzy="zan san")
    b.add("fupin", p, name="章三", name_pinyin_fuzzy="zan san")
    assert b.fired("S4-5", p) is None


def test_s4_5_near_miss_shape_typo_in_a_three_character_name():
    b = Build()
    p = b.person("林娜洁")
    b.add("dibao", p, name="林娜洁", name_pinyin_fuzzy="lin la jie")
    b.add("fupin", p, name="材娜洁", name_pinyin_fuzzy="cai la jie")
    assert b.fired("S4-5", p) is None


def test_s4_5_near_miss_shape_typo_in_a_two_character_name_kept_on_one_person():
    """Identity kept 彭斌 and 彭赋 on one person: a slip of one character, not 人证不符."""
    b = Build()
    p = b.person("彭斌")
    b.add("tekun", p, name="彭斌", name_pinyin_fuzzy="pen bin")
    b.add("yibao_canbao", p, name="彭赋", name_pinyin_fuzzy="pen fu")
    assert b.fired("S4-5", p) is None


def test_s4_5_one_number_on_two_persons_is_a_case_on_each():
    """Identity split a son's row carrying his father's ID: the number names two people."""
    b = Build()
    father, son = b.person("彭斌"), b.person("彭亮")
    b.add("dibao", father, name="彭斌", name_pinyin_fuzzy="pen bin")
    b.add("fupin", son, id_number=father, name="彭亮", name_pinyin_fuzzy="pen liang")
    assert b.fired("S4-5", father) and b.fired("S4-5", son)


def test_s4_5_names_each_different_name_once_however_many_records_share_the_id():
    """An ID under many names (a shared 参保 number) names each name once, with its tables, not every pair:
    the words grow with the names, not with their square; repeated rows of one name are listed."""
    b = Build()
    p = b.person("彭斌")
    b.add("dibao", p, name="彭斌", name_pinyin_fuzzy="pen bin")
    b.add("fupin", p, name="彭斌", name_pinyin_fuzzy="pen bin")
    others = [chr(0x4E00 + 2 * i) + chr(0x4F00 + 2 * i) for i in range(30)]
    for i, other in enumerate(others):
        b.add("yibao_canbao", p, name=other, name_pinyin_fuzzy=f"x{i} y{i}")
    b.add("yibao_canbao", p, name=others[0], name_pinyin_fuzzy="x0 y0")
    case = b.fired("S4-5", p)
    assert case
    assert case["detail"].count("彭斌") == 1 and all(case["detail"].count(o) == 1 for o in others)
    assert len(case["record_ids"]) == 33


# --- S4-6 --------------------------------------------------------------------------

def test_s4_6_registry_disabled_without_certificate():
    b = Build()
    p, q = b.person("残八"), b.person("残九")
    b.add("fupin", p, health="残疾")
    b.add("fupin", q, disability_category="肢体")
    b.add("canlian", q, certificate_status="注销")
    assert set(b.cases("S4-6")["person_key"]) == {p, q}


def test_s4_6_near_miss_certificate_in_force():
    b = Build()
    p = b.person("残八")
    b.add("fupin", p, health="残疾")
    b.add("canlian", p)
    assert b.fired("S4-6", p) is None
