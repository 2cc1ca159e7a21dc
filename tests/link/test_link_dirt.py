"""One test per kind of dirt that must still link: the records end in one person, and match_method says why."""

from __future__ import annotations

import polars as pl
from link_builders import frame, make_id, record

from pipeline.link import link

PRECEDENCE = ["dibao", "tekun", "ertong", "fupin", "canlian", "yibao_canbao"]


def run(rows):
    return link(frame(rows), None, PRECEDENCE)


def person_of(linkage, record_id):
    a = linkage.assignments
    return a.filter(a["record_id"] == record_id)["person_key"].item()


def keys(linkage):
    return dict(linkage.assignments.select("record_id", "person_key").iter_rows())


def method_of(linkage, record_id):
    a = linkage.assignments
    return a.filter(a["record_id"] == record_id)["match_method"].item()


def test_traditional_and_simplified_names_share_an_id():
    pid = make_id()
    result = run([record(1, "dibao", "陈国华", pid), record(2, "canlian", "陳國華", pid)])
    assert person_of(result, 1) == person_of(result, 2) == pid
    assert method_of(result, 2) == "身份证号一致"
    assert result.persons["name"].item() in ("陈国华", "陳國華")


def test_traditional_name_with_excel_number_id():
    pid = make_id()
    excel = pid[0] + "." + pid[1:15] + "E+17"
    result = run([record(1, "dibao", "陈国华", pid), record(2, "yibao_canbao", "陳國華", excel)])
    assert person_of(result, 2) == pid
    assert "姓名繁简或分隔符不同" in method_of(result, 2)


def test_separator_variants():
    pid = make_id()
    rows = [
        record(1, "dibao", "阿·木呷", pid, household_key=f"dibao:{pid}", relation="户主"),
        record(2, "dibao", "吉克·阿依", make_id("19820303", "224"), household_key=f"dibao:{pid}", relation="配偶"),
        record(3, "canlian", "阿木呷", pid),
        record(4, "fupin", "阿•木呷", "5.30381E+17", household_key="fupin:5303810001", relation="户主"),
        record(5, "fupin", "吉克阿依", "5.30381E+17", household_key="fupin:5303810001", relation="配偶"),
    ]
    result = run(rows)
    assert person_of(result, 1) == person_of(result, 3) == person_of(result, 4) == pid
    assert "同户成员" in method_of(result, 4)


def test_homophone_typo_with_one_digit_id_typo():
    pid = make_id(seq="123")
    typo = pid[:15] + "4" + pid[16:]  # one body digit off: the check digit no longer fits
    result = run([record(1, "dibao", "张国华", pid), record(2, "linshi", "张国化", typo)])
    assert person_of(result, 2) == pid
    assert method_of(result, 2).startswith("身份证号一位之差+姓名同音")
    assert "同村" in method_of(result, 2)


def test_near_homophone_name():
    pid = make_id()
    typo = pid[:10] + "7" + pid[11:]
    result = run([record(1, "dibao", "刘建明", pid), record(2, "fafang", "刘建敏", typo)])
    assert person_of(result, 2) == pid
    assert "姓名近音" in method_of(result, 2)


def test_similar_shape_name_with_the_rest_agreeing():
    pid = make_id()
    excel = pid[0] + "." + pid[1:15] + "E+17"
    result = run([record(1, "dibao", "王玉珍", pid), record(2, "yibao_jiesuan", "王王珍", excel)])
    assert person_of(result, 2) == pid
    assert "姓名形近" in method_of(result, 2)


def test_same_id_with_similar_shape_name_stays_on_the_id():
    pid = make_id()
    result = run([record(1, "dibao", "王玉珍", pid), record(2, "fupin", "王玉珍", pid), record(3, "linshi", "王王珍", pid)])
    assert person_of(result, 3) == pid
    assert result.review.height == 0


def test_one_digit_id_typo():
    pid = make_id(seq="123")
    typo = pid[:14] + "9" + pid[15:]
    result = run([record(1, "dibao", "李春兰", pid), record(2, "fupin", "李春兰", pid), record(3, "laonian", "李春兰", typo)])
    assert person_of(result, 3) == pid
    assert method_of(result, 3).startswith("身份证号一位之差+姓名一致")
    assert result.persons.height == 1
    assert result.persons["id_number"].item() == pid  # the typo'd ID is never canonical


def test_adjacent_transposition():
    pid = make_id(seq="123")
    swapped = pid[:14] + pid[15] + pid[14] + pid[16:]
    result = run([record(1, "dibao", "李春兰", pid), record(2, "liangbu", "李春兰", swapped)])
    assert person_of(result, 2) == pid
    assert method_of(result, 2).startswith("身份证号相邻两位颠倒")


def test_excel_number_id_with_15_digits_kept():
    pid = make_id()
    excel = pid[0] + "." + pid[1:15] + "E+17"
    result = run([record(1, "dibao", "赵明", pid), record(2, "yibao_canbao", "赵明", excel)])
    assert person_of(result, 2) == pid
    assert method_of(result, 2).startswith("数值型身份证号前15位+姓名一致")


def test_e17_id_links_by_name_village_and_household_members():
    pid = make_id()
    rows = [
        record(1, "dibao", "赵明", pid, household_key=f"dibao:{pid}", relation="户主"),
        record(2, "dibao", "钱红", make_id("19830505", "246"), household_key=f"dibao:{pid}", relation="配偶"),
        record(3, "fupin", "赵明", "5.30381E+17", household_key="fupin:5303810009", relation="户主"),
        record(4, "fupin", "钱红", "5.30381E+17", household_key="fupin:5303810009", relation="配偶"),
    ]
    result = run(rows)
    assert person_of(result, 3) == pid
    assert person_of(result, 4) == person_of(result, 2)
    assert method_of(result, 3) == "姓名一致+同村且村内同名唯一+同户成员"


def test_e17_id_links_by_a_name_unique_in_its_village():
    """5.30381E+17 keeps 6 digits: the row links by name + village + county when that name is carried
    by one person in the village (inputs.md: keep the row, flag the ID, link by the other evidence)."""
    pid = make_id()
    result = run([record(1, "dibao", "赵明", pid), record(2, "linshi", "赵明", "5.30381E+17")])
    assert person_of(result, 1) == person_of(result, 2) == pid
    assert method_of(result, 2) == "姓名一致+同村且村内同名唯一"


def test_e17_id_with_two_namesakes_in_the_village_goes_to_review():
    """Two 赵明 with valid IDs in the village: a tie, never a guess."""
    a, b = make_id(seq="123"), make_id(birth="19810202", seq="125")
    rows = [record(1, "dibao", "赵明", a), record(2, "fupin", "赵明", b), record(3, "linshi", "赵明", "5.30381E+17")]
    result = run(rows)
    assert person_of(result, 3) not in (a, b)
    pairs = result.review.select("record_id_l", "record_id_r").rows()
    assert (1, 3) in pairs and (2, 3) in pairs
    assert all("同村同名者不止一人" in r for r in result.review["reasons"])


def test_e17_id_whose_digits_disagree_is_not_linked():
    """5.33129E+17 is not a number of region 530381: the row is another person's."""
    pid = make_id()
    result = run([record(1, "dibao", "赵明", pid), record(2, "linshi", "赵明", "5.33129E+17")])
    assert person_of(result, 2) != pid


def test_excel_truncated_id_links_by_its_15_digits():
    """522622196011193000: 15 digits Excel kept, then 000 - never an ID disagreement."""
    pid = make_id(region="522622", birth="19601119", seq="351")
    cut = pid[:15] + "000"
    result = run([record(1, "dibao", "王秀英", pid), record(2, "yibao_canbao", "王秀英", cut), record(3, "fupin", "王秀英", cut)])
    assert person_of(result, 2) == person_of(result, 3) == pid
    assert method_of(result, 2).startswith("数值型身份证号前15位+姓名一致+出生日期一致")


def test_twins_excel_truncated_ids_stay_apart():
    """Twins: one birth date, sequence codes 351/353, so one truncated value; different given names."""
    a, b = make_id(region="522622", birth="19601119", seq="351"), make_id(region="522622", birth="19601119", seq="353")
    assert a[:15] == b[:15]
    rows = [
        record(1, "dibao", "王大明", a), record(2, "dibao", "王小明", b),
        record(3, "yibao_canbao", "王大明", a[:15] + "000"), record(4, "yibao_canbao", "王小明", b[:15] + "000"),
    ]
    k = keys(run(rows))
    assert k[1] == k[3] == a and k[2] == k[4] == b


def test_old_15_digit_id():
    pid = make_id(birth="19650709", seq="031")
    old = pid[:6] + pid[8:17]
    result = run([record(1, "dibao", "孙立", pid), record(2, "canlian", "孙立", old)])
    assert person_of(result, 2) == pid
    assert method_of(result, 2) == "15位转18位一致"
    assert method_of(result, 1) == "身份证号一致"


# --- error classes found by benchmarks/eval_linkage.py on generated counties -----------------------


def test_one_digit_typo_in_the_birth_date_digits_links_on_name_and_id():
    """The birth date is read from the ID: a typo in its digits makes the dates differ, which the
    16 agreeing body digits explain; a row with no village (探访记录) still links."""
    pid = make_id("19550811", "103")
    typo = pid[:9] + "3" + pid[10:]  # 1955 -> 1953: the check digit no longer fits
    rows = [record(1, "dibao", "杜昌", pid), record(2, "tekun", "杜昌", pid), record(3, "tekun_visit", "杜昌", typo, village=None)]
    result = run(rows)
    assert person_of(result, 3) == pid
    assert method_of(result, 3).startswith("身份证号一位之差+姓名一致")


def test_one_digit_typo_making_no_date_links():
    pid = make_id("19580627", "373")
    typo = pid[:10] + "0" + pid[11:]  # month 06 -> 00: no birth date at all on that row
    result = run([record(1, "dibao", "许兴", pid), record(2, "tekun_visit", "许兴", typo, village=None)])
    assert person_of(result, 2) == pid


def test_transposition_in_the_birth_date_digits_links_with_a_homophone_name():
    pid = make_id("19640405", "305")
    swapped = pid[:12] + pid[13] + pid[12] + pid[14:]  # ...0405 -> ...0450
    result = run([record(1, "dibao", "吕林海", pid), record(2, "yibao_canbao", "吕琳海", swapped, village=None)])
    assert person_of(result, 2) == pid
    assert method_of(result, 2).startswith("身份证号相邻两位颠倒+姓名同音")


def test_excel_number_id_rounded_to_15_digits():
    """A float written with 15 significant digits rounds: ...1011786 keeps 530381198001012."""
    pid = make_id(seq="178")
    excel = f"{float(int(pid)):.15g}".upper()
    assert excel.replace(".", "")[:15] != pid[:15]
    result = run([record(1, "dibao", "赵明", pid), record(2, "fupin", "赵明", excel)])
    assert person_of(result, 2) == pid
    assert method_of(result, 2).startswith("数值型身份证号前15位+姓名一致")


def test_excel_number_id_is_rounded_from_the_double_excel_holds():
    """范凯杰's …123495 is held by Excel as the double …123520 and written 5.39921194504124E+17:
    rounding the exact number (…123) would miss his row."""
    pid = "539921194504123495"
    excel = f"{float(int(pid)):.15g}".upper()
    assert excel == "5.39921194504124E+17" and (int(pid) + 500) // 1000 == 539921194504123
    result = run([record(1, "fafang", "范凯杰", pid), record(2, "laonian", "范凯杰", excel)])
    assert person_of(result, 2) == pid


def test_excel_number_id_with_its_trailing_zero_dropped():
    pid = make_id(seq="012")
    excel = f"{float(int(pid)):.15g}".upper()  # 5.3038119800101E+17: 14 digits written
    result = run([record(1, "dibao", "赵明", pid), record(2, "canlian", "赵明", excel)])
    assert person_of(result, 2) == pid
    assert method_of(result, 2).startswith("数值型身份证号前15位")


def test_surname_slip_of_a_two_character_name_stays_on_the_id():
    pid = make_id()
    rows = [record(1, "dibao", "陈仙", pid), record(2, "fafang", "陈仙", pid), record(3, "tekun_visit", "阵仙", pid, village=None)]
    result = run(rows)
    assert person_of(result, 3) == pid
    assert result.review.height == 0


def test_given_name_slip_of_a_two_character_name_stays_on_the_id():
    pid = make_id()
    rows = [record(1, "dibao", "贺林", pid), record(2, "fafang", "贺林", pid), record(3, "yibao_canbao", "贺材", pid, village=None)]
    assert person_of(run(rows), 3) == pid


def test_child_row_with_parent_id_links_to_the_child_through_the_family_household():
    """张小明 as 之子 on his father's ID in the 防返贫 roster (the row's own relation contradicts the
    ID): detached from the father, and linked to the 张小明 of the father's 低保 household - the ID
    ties the row to the family, the name to the member."""
    parent, child = make_id("19700202", "031"), make_id("20050505", "052")
    rows = [
        record(1, "dibao", "张建国", parent, household_key=f"dibao:{parent}", relation="户主"),
        record(2, "dibao", "张小明", child, household_key=f"dibao:{parent}", relation="之子"),
        record(3, "fupin", "张小明", parent, household_key="fupin:H1", relation="之子"),
        record(4, "fupin", "张建国", parent, household_key="fupin:H1", relation="户主"),
    ]
    result = run(rows)
    assert person_of(result, 1) == person_of(result, 4) == parent
    assert person_of(result, 3) == person_of(result, 2) == child
    assert "所填身份证号为其同户家人的" in method_of(result, 3)
    assert result.persons.filter(result.persons["person_key"] == child)["n_records"].item() == 2


def test_child_name_on_the_parents_id_without_a_relation_is_the_parents_row():
    """The same row in a table without relations: nothing on it contradicts the ID, so it is the
    father's (the systems enrol by ID) and S4-5 names the mismatch."""
    parent, child = make_id("19700202", "031"), make_id("20050505", "052")
    rows = [
        record(1, "dibao", "张建国", parent, household_key=f"dibao:{parent}", relation="户主"),
        record(2, "dibao", "张小明", child, household_key=f"dibao:{parent}", relation="之子"),
        record(3, "yibao_canbao", "张小明", parent, village=None),
    ]
    result = run(rows)
    assert person_of(result, 3) == parent and person_of(result, 2) == child


def test_e17_row_links_to_the_one_person_of_its_name_whose_records_say_no_village():
    """The person's valid-ID records come from files without region columns: the Excel-damaged row
    (village known) links when no one else of that name may live in its village."""
    pid = make_id()
    rows = [record(1, "fafang", "黄明明", pid, village=None, township=None), record(2, "fafang", "黄明明", pid, village=None, township=None),
            record(3, "laonian", "黄明明", "5.30381E+17")]
    result = run(rows)
    assert person_of(result, 3) == pid
    assert "村内同名唯一" in method_of(result, 3)


def test_e17_row_links_to_the_villager_not_to_a_villageless_namesake():
    """Residence known outranks residence unknown: the one 黄明明 living in the row's village is
    its person; a 黄明明 whose records say no village is no second candidate there."""
    a, b = make_id(seq="123"), make_id(birth="19810202", seq="125")
    rows = [record(1, "fafang", "黄明明", a, village=None, township=None), record(2, "dibao", "黄明明", b),
            record(3, "laonian", "黄明明", "5.30381E+17")]
    result = run(rows)
    assert person_of(result, 3) == b and "村内同名唯一" in method_of(result, 3)


def test_e17_row_with_two_villageless_namesakes_is_a_tie():
    a, b = make_id(seq="123"), make_id(birth="19810202", seq="125")
    rows = [record(1, "fafang", "黄明明", a, village=None, township=None), record(2, "yibao_jiesuan", "黄明明", b, village=None, township=None),
            record(3, "laonian", "黄明明", "5.30381E+17")]
    result = run(rows)
    assert person_of(result, 3) not in (a, b)


def test_e17_row_with_an_excel_damaged_namesake_in_the_village_is_a_tie():
    """A 赵明 seen in the village only through an Excel number whose 15 digits no valid ID holds is
    a second 赵明 there: the ID-less row is not the valid-ID 赵明's by name and village."""
    a, other = make_id(seq="123"), make_id(birth="19620305", seq="112")
    rows = [record(1, "dibao", "赵明", a), record(2, "canlian", "赵明", other[0] + "." + other[1:15] + "E+17"),
            record(3, "laonian", "赵明", "5.30381E+17")]
    result = run(rows)
    assert person_of(result, 3) not in (person_of(result, 1), person_of(result, 2))
    # the damaged row of the valid-ID 赵明 himself is no second person
    rows[1] = record(2, "canlian", "赵明", a[0] + "." + a[1:15] + "E+17")
    result = run(rows)
    assert person_of(result, 3) == person_of(result, 2) == a


def test_head_row_with_a_lost_id_is_the_person_of_its_household_head_id():
    """A 低保 户主's row whose ID Excel lost carries 户主身份证号: his own ID. With a namesake in
    the village it still links, by 户主身份证号 + 姓名."""
    head, namesake = make_id(seq="123"), make_id(birth="19810202", seq="125")
    rows = [record(1, "canlian", "赵明", head), record(2, "tekun", "赵明", namesake),
            record(3, "dibao", "赵明", "5.30381E+17", household_key=f"dibao:{head}", relation="户主")]
    result = run(rows)
    assert person_of(result, 3) == head and "户主身份证号一致" in method_of(result, 3)


def test_member_row_with_a_lost_id_links_to_the_member_of_one_head_in_another_roster():
    """赵明's 低保 row lost its ID; the registry lists a 赵明 as a member of the same 户主's household
    (户主身份证号 of the 低保 row = the registry 户主's ID): one family, one 赵明, though another
    赵明 lives in the village. Two such members under one 户主 are a tie."""
    head, son, namesake = make_id("19550505", "111"), make_id(seq="123"), make_id(birth="19810202", seq="125")
    rows = [record(1, "fupin", "赵大山", head, household_key="fupin:7", relation="户主"),
            record(2, "fupin", "赵明", son, household_key="fupin:7", relation="之子"),
            record(3, "tekun", "赵明", namesake),
            record(4, "dibao", "赵明", "5.30381E+17", household_key=f"dibao:{head}", relation="之子")]
    result = run(rows)
    assert person_of(result, 4) == son and "户主身份证号一致" in method_of(result, 4)
    rows.append(record(5, "fupin", "赵明", make_id("19880808", "131"), household_key="fupin:7", relation="之孙"))
    result = run(rows)
    assert person_of(result, 4) not in (son, namesake, make_id("19880808", "131"))


def test_payment_row_with_an_excel_damaged_id_links_by_its_account():
    """A 资金发放 row whose ID Excel ruined links to the payee's other payments by 一卡通账号 + name,
    even where the name is not unique in the village."""
    a, b = make_id(seq="123"), make_id(birth="19810202", seq="125")
    rows = [record(1, "fafang", "赵明", a), record(2, "fafang", "赵明", b), record(3, "fafang", "赵明", "5.30381E+17")]
    f = frame(rows).with_columns(pl.Series("account", ["6217001", "6217002", "6217002"]))
    result = link(f, None, PRECEDENCE)
    assert person_of(result, 3) == b
    assert "一卡通账号一致" in method_of(result, 3)


def test_a_real_id_ending_in_000_links_its_mistyped_row():
    """崔珍's own ID ends in 000 (read as 15 digits Excel kept); a row with a slip in its month, also
    ending in 000, is one number mistyped, not another person."""
    body = "539921198602191"
    rows = [record(1, "canlian", "崔珍", body + "000"), record(2, "fupin", "崔珍", body + "000"),
            record(3, "liangbu", "崔珍", "539921198605191000")]
    k = keys(run(rows))
    assert k[1] == k[2] == k[3]


def test_two_rows_with_two_slips_of_one_id_link_by_name_birth_date_and_village():
    """吕凤华's registry row and her 参保 row each carry a different slip of her ID (two body digits
    apart, no transposition): neither is valid, nothing says two numbers, and she is the village's
    only 吕凤华 - one person. With a valid-ID 吕凤华 in the village it stays a doubt."""
    real = make_id("19680328", "143")
    one, other = real[:15] + "34" + real[17], real[:15] + "41" + real[17]
    rows = [record(1, "fupin", "吕凤华", one), record(2, "yibao_canbao", "吕凤华", other)]
    k = keys(run(rows))
    assert k[1] == k[2]
    rows.append(record(3, "tekun", "吕凤华", make_id("19700101", "222")))
    k = keys(run(rows))
    assert k[1] != k[2]
