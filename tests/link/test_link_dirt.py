"""One test per kind of dirt that must still link: the records end in one person, and match_method says why."""

from __future__ import annotations

from link_builders import frame, make_id, record

from pipeline.link import link

PRECEDENCE = ["dibao", "tekun", "ertong", "fupin", "canlian", "yibao_canbao"]


def run(rows):
    return link(frame(rows), None, PRECEDENCE)


def person_of(linkage, record_id):
    a = linkage.assignments
    return a.filter(a["record_id"] == record_id)["person_key"].item()


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
    assert method_of(result, 3) == "姓名一致+同村+同户成员"


def test_e17_id_with_name_and_village_only_goes_to_review():
    pid = make_id()
    result = run([record(1, "dibao", "赵明", pid), record(2, "linshi", "赵明", "5.30381E+17")])
    assert person_of(result, 1) != person_of(result, 2)
    assert result.review.select("record_id_l", "record_id_r").rows() == [(1, 2)]
    reasons = result.review["reasons"].item()
    assert reasons.startswith("疑似同一人") and "仅姓名相同" in reasons


def test_old_15_digit_id():
    pid = make_id(birth="19650709", seq="031")
    old = pid[:6] + pid[8:17]
    result = run([record(1, "dibao", "孙立", pid), record(2, "canlian", "孙立", old)])
    assert person_of(result, 2) == pid
    assert method_of(result, 2) == "15位转18位一致"
    assert method_of(result, 1) == "身份证号一致"
