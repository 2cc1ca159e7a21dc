"""Traps that must NOT link, cluster splitting, person_key stability and the settings file."""

from __future__ import annotations

import polars as pl
import pytest
from link_builders import frame, make_id, record

from pipeline.link import link
from pipeline.link.cluster import components
from pipeline.link.settings import LinkSettings, load

PRECEDENCE = ["dibao", "tekun", "ertong", "fupin", "canlian", "yibao_canbao"]


def run(rows):
    return link(frame(rows), None, PRECEDENCE)


def keys(linkage):
    return dict(linkage.assignments.select("record_id", "person_key").iter_rows())


def method_of(linkage, record_id):
    a = linkage.assignments
    return a.filter(a["record_id"] == record_id)["match_method"].item()


def test_namesakes_in_one_village_stay_apart():
    a, b = make_id("19620305", "112"), make_id("19751120", "331")
    rows = [
        record(1, "dibao", "张伟", a), record(2, "fupin", "张伟", a),
        record(3, "dibao", "张伟", b), record(4, "canlian", "张伟", b),
    ]
    result = run(rows)
    k = keys(result)
    assert k[1] == k[2] == a and k[3] == k[4] == b
    assert result.review.height == 0


def test_namesake_without_id_is_not_guessed():
    a, b = make_id("19620305", "112"), make_id("19751120", "331")
    rows = [record(1, "dibao", "张伟", a), record(2, "dibao", "张伟", b), record(3, "linshi", "张伟", "5.30381E+17")]
    k = keys(run(rows))
    assert len({k[1], k[2], k[3]}) == 3


def test_twins_stay_apart():
    head = make_id("19600101", "015")
    a, b = make_id("20100606", "011"), make_id("20100606", "013")  # body differs in one digit
    rows = [
        record(1, "dibao", "李大军", a, household_key=f"dibao:{head}", relation="之子"),
        record(2, "dibao", "李小军", b, household_key=f"dibao:{head}", relation="之子"),
        record(3, "fupin", "李大军", a, household_key="fupin:77", relation="之子"),
        record(4, "fupin", "李小军", b, household_key="fupin:77", relation="之子"),
    ]
    result = run(rows)
    k = keys(result)
    assert k[1] == k[3] == a and k[2] == k[4] == b


def test_twins_with_homophone_names_stay_apart_and_go_to_review():
    head = make_id("19600101", "015")
    a, b = make_id("20100606", "011"), make_id("20100606", "013")
    rows = [
        record(1, "dibao", "张伟", a, household_key=f"dibao:{head}", relation="之子"),
        record(2, "dibao", "张玮", b, household_key=f"dibao:{head}", relation="之子"),
        record(3, "fupin", "张伟", a), record(4, "fupin", "张玮", b),
    ]
    result = run(rows)
    k = keys(result)
    assert k[1] == k[3] == a and k[2] == k[4] == b
    assert result.review.height >= 1
    assert all(r.startswith("疑似同一人") for r in result.review["reasons"])


def test_established_ids_of_different_people_do_not_link_even_as_typos():
    a, b = make_id("20100606", "011"), make_id("20100606", "013")
    rows = [
        record(1, "dibao", "张伟", a), record(2, "fupin", "张伟", a),
        record(3, "dibao", "张玮", b), record(4, "fupin", "张玮", b),
        record(5, "linshi", "张伟", b),  # a one-off row putting 张伟 on 张玮's ID
    ]
    k = keys(run(rows))
    assert k[1] == k[2] == a
    assert k[3] == k[4] == b


def test_parent_id_on_child_row_goes_to_review():
    parent, child = make_id("19700202", "031"), make_id("20050505", "052")
    rows = [
        record(1, "dibao", "张建国", parent, household_key=f"dibao:{parent}", relation="户主"),
        record(2, "dibao", "张小明", parent, household_key=f"dibao:{parent}", relation="之子"),
        record(3, "fupin", "张建国", parent, household_key="fupin:88", relation="户主"),
        record(4, "fupin", "张小明", child, household_key="fupin:88", relation="之子"),
    ]
    result = run(rows)
    k = keys(result)
    assert k[1] == k[3] == parent
    assert k[2] != parent
    row = result.review.filter((pl.col("record_id_l") == 1) & (pl.col("record_id_r") == 2))
    assert row.height == 1
    assert "身份证号为本户户主的" in row["reasons"].item()
    person = result.persons.filter(pl.col("person_key") == k[2])
    assert person["id_number"].item() != parent


def test_relation_with_an_impossible_age_alone_does_not_detach():
    head, son = make_id("19680808", "011"), make_id("19700202", "031")
    rows = [
        record(1, "dibao", "李军", son, household_key=f"dibao:{head}", relation="之子"),  # relation mistyped
        record(2, "fupin", "李军", son),
    ]
    assert set(keys(run(rows)).values()) == {son}


def test_parent_id_on_child_row_outside_the_head_is_caught_by_age():
    head, mother = make_id("19680808", "011"), make_id("19700202", "042")
    rows = [
        record(1, "dibao", "王芳", mother, household_key=f"dibao:{head}", relation="配偶"),
        record(2, "dibao", "李小芳", mother, household_key=f"dibao:{head}", relation="之女"),
    ]
    result = run(rows)
    k = keys(result)
    assert k[1] == mother and k[2] != mother
    assert "年龄与关系不符" in result.review["reasons"].item()


def test_a_record_bridging_two_valid_ids_is_split():
    a, b = make_id("19800101", "123"), make_id("19850505", "456")
    c, d = make_id("19810303", "224"), make_id("19860606", "248")
    rows = [
        record(1, "dibao", "刘洋", a, household_key="dibao:H1"), record(2, "dibao", "陈红", c, household_key="dibao:H1"),
        record(3, "tekun", "刘洋", b, household_key="dibao:H2"), record(4, "tekun", "陈红", d, household_key="dibao:H2"),
        record(5, "fupin", "刘洋", "5.30381E+17", household_key="fupin:9"),
        record(6, "fupin", "陈红", "5.30381E+17", household_key="fupin:9"),
    ]
    result = run(rows)
    k = keys(result)
    assert k[1] == a and k[3] == b and k[2] == c and k[4] == d
    assert k[5] not in (a, b) and k[6] not in (c, d)  # equally good for both: no guess
    assert result.counts["split_links"] == 4
    split = result.review.filter(pl.col("reasons").str.contains("已拆分"))
    assert split.height == 4


def test_a_bridging_record_keeps_its_clearly_best_link():
    a, b = make_id("19800101", "123"), make_id("19850505", "456")
    c, d = make_id("19810303", "224"), make_id("19860606", "248")
    rows = [
        record(1, "dibao", "刘阳", a, household_key="dibao:H1"), record(2, "dibao", "陈红", c, household_key="dibao:H1"),
        record(3, "tekun", "刘洋", b, household_key="dibao:H2"), record(4, "tekun", "陈红", d, household_key="dibao:H2"),
        record(5, "fupin", "刘洋", "5.30381E+17", household_key="fupin:9"),
        record(6, "fupin", "陈红", "5.30381E+17", household_key="fupin:9"),
    ]
    result = run(rows)
    k = keys(result)
    assert k[5] == b  # 刘洋 = 刘洋 beats 刘阳 (同音)
    assert k[6] not in (c, d)  # a tie: review
    assert result.review.filter((pl.col("record_id_l") == 1) & (pl.col("record_id_r") == 5)).height == 1


def test_components_joins_chains():
    edges = pl.DataFrame({"entity_l": [5, 1, 2, 10], "entity_r": [9, 2, 3, 11]})
    got = dict(components(edges).iter_rows())
    assert got == {1: 1, 2: 1, 3: 1, 5: 5, 9: 5, 10: 10, 11: 10}


def _world():
    pid, other = make_id(), make_id("19551010", "222")
    return [
        record(1, "dibao", "陈国华", pid),
        record(2, "linshi", "陈国化", pid[:15] + "4" + pid[16:]),
        record(3, "tekun", "周桂英", other),
        record(4, "linshi", "吴老三", "5.30381E+17", village="河边村"),
    ]


def test_person_key_is_the_same_for_the_same_input():
    first, second = run(_world()), run(_world())
    assert first.assignments.equals(second.assignments)
    assert first.persons.equals(second.persons)
    assert first.review.equals(second.review)


def test_person_key_survives_added_records():
    before = keys(run(_world()))
    more = _world() + [
        record(10, "fupin", "陈国华", make_id()),
        record(11, "dibao", "何平", make_id("19880808", "777")),
        record(12, "fupin", "吴老四", "5.30381E+17", village="河边村"),
        record(0, "canlian", "周桂英", make_id("19551010", "222")),
    ]
    after = keys(run(more))
    assert {r: after[r] for r in before} == before
    assert after[10] == before[1] and after[0] == before[3]
    assert before[4].startswith("X")


def test_settings_round_trip_and_refuse_unknown_keys():
    s = load()
    assert LinkSettings.from_dict(s.to_dict()) == s
    bad = s.to_dict()
    bad["thresholds"]["link_scor"] = 0.9
    with pytest.raises(ValueError, match="thresholds.link_scor"):
        LinkSettings.from_dict(bad)
    bad = s.to_dict()
    del bad["weights"]["name"]["pinyin"]
    with pytest.raises(ValueError, match="weights.name.pinyin"):
        LinkSettings.from_dict(bad)


def test_valid_ids_one_birth_digit_apart_are_two_namesakes():
    """Two valid IDs one digit apart in the birth date, one name: two people (the ID typo rule
    needs the birth dates to agree when both IDs are valid)."""
    a, b = make_id("19800101", "123"), make_id("19800102", "123")
    rows = [record(1, "dibao", "张伟", a), record(2, "fupin", "张伟", a), record(3, "canlian", "张伟", b)]
    k = keys(run(rows))
    assert k[1] == k[2] == a and k[3] == b


def test_row_under_another_name_on_a_valid_id_stays_the_id_owners():
    """李明 on his father 李军's ID in a table without relations: the systems enrol by ID, so the row
    is 李军's (rules.md, S4-5 reading: the name mismatch is a case, not a second person), even though
    李明 has records of his own; nothing on the row itself contradicts the ID."""
    father, son = make_id("19700202", "031"), make_id("20050505", "053")
    rows = [
        record(1, "dibao", "李军", father), record(2, "fupin", "李军", father),
        record(3, "yibao_canbao", "李明", father, village=None),
        record(4, "fupin", "李明", son), record(5, "canlian", "李明", son),
    ]
    result = run(rows)
    k = keys(result)
    assert k[1] == k[2] == k[3] == father and k[4] == k[5] == son
    assert method_of(result, 3) == "身份证号一致"


def test_two_character_child_on_a_suspect_row_stays_apart():
    """李明 as 之子 with the 户主 李军's ID: the relation says it is not 李军, whatever the names."""
    father = make_id("19700202", "031")
    rows = [
        record(1, "dibao", "李军", father, household_key=f"dibao:{father}", relation="户主"),
        record(2, "dibao", "李明", father, household_key=f"dibao:{father}", relation="之子"),
        record(3, "fupin", "李军", father),
    ]
    k = keys(run(rows))
    assert k[1] == k[3] == father and k[2] != father


def test_row_with_a_family_id_and_a_stranger_name_stays_the_id_owners():
    """A row on the father's ID under a name no member of his household carries: still his row."""
    parent, child = make_id("19700202", "031"), make_id("20050505", "052")
    rows = [
        record(1, "dibao", "张建国", parent, household_key=f"dibao:{parent}", relation="户主"),
        record(2, "dibao", "张小明", child, household_key=f"dibao:{parent}", relation="之子"),
        record(3, "yibao_canbao", "王小红", parent, village=None),
        record(4, "fupin", "王小红", make_id("20060606", "064"), village="河边村"),
    ]
    k = keys(run(rows))
    assert k[3] == parent and k[4] not in (parent, child)


def test_person_key_of_a_detached_row_comes_from_its_own_name():
    """Two children each on a parent's ID, with no records of their own: two persons keyed by their
    own names, not one hash of nothing numbered -2 by record order."""
    p1, p2 = make_id("19700202", "031"), make_id("19720303", "045")
    rows = [
        record(1, "dibao", "张建国", p1, household_key=f"dibao:{p1}", relation="户主"),
        record(2, "dibao", "张小明", p1, household_key=f"dibao:{p1}", relation="之子"),
        record(3, "dibao", "李军", p2, household_key=f"dibao:{p2}", relation="户主"),
        record(4, "dibao", "李小红", p2, household_key=f"dibao:{p2}", relation="之女"),
    ]
    k = keys(run(rows))
    assert k[2].startswith("X") and k[4].startswith("X") and k[2] != k[4]
    assert "-" not in k[2] and "-" not in k[4]


def test_twins_are_not_bridged_by_a_row_whose_id_typo_is_the_other_twins_body():
    """李大军's ID mistyped in the digit that tells the twins apart: the row is one digit from 李大军's
    ID and only a check digit from 李小军's. It may join 李大军 (its name), never merge the twins."""
    head = make_id("19600101", "015")
    a, b = make_id("20100606", "011"), make_id("20100606", "013")
    typo = b[:17] + a[17]  # 李小军's 17 body digits under 李大军's check digit
    rows = [
        record(1, "dibao", "李大军", a, household_key=f"dibao:{head}", relation="之子"),
        record(2, "dibao", "李小军", b, household_key=f"dibao:{head}", relation="之子"),
        record(3, "fupin", "李大军", a), record(4, "fupin", "李小军", b),
        record(5, "linshi", "李大军", typo),
    ]
    k = keys(run(rows))
    assert k[1] == k[3] == a and k[2] == k[4] == b
    assert k[5] == a


def test_child_name_on_the_parents_id_without_a_relation_stays_the_parents():
    """邓亮 on his father 邓亮健's ID, in a table without relations: the father's row (S4-5 then
    names the mismatch); 邓亮's own records stay his."""
    father, son = make_id("19670828", "161"), make_id("19950505", "053")
    rows = [
        record(1, "dibao", "邓亮健", father), record(2, "fafang", "邓亮健", father),
        record(3, "yibao_canbao", "邓亮", father, village=None),
        record(4, "fupin", "邓亮", son), record(5, "canlian", "邓亮", son),
    ]
    k = keys(run(rows))
    assert k[1] == k[2] == k[3] == father and k[4] == k[5] == son


def test_similar_shape_name_on_a_suspect_row_is_detached():
    """张建华 as 之子 with the 户主 张建国's ID: similar names, but the relation says another person."""
    father = make_id("19700202", "031")
    rows = [
        record(1, "dibao", "张建国", father, household_key=f"dibao:{father}", relation="户主"),
        record(2, "dibao", "张建华", father, household_key=f"dibao:{father}", relation="之子"),
        record(3, "fupin", "张建国", father),
    ]
    k = keys(run(rows))
    assert k[1] == k[3] == father and k[2] != father


def test_namesake_twins_valid_ids_one_sequence_digit_apart_go_to_review():
    """Twins with one full name and valid IDs differing only in the sequence code: a slip that kept
    the check digit valid, or namesake twins - review, never a guess."""
    a, b = make_id("20100515", "031"), make_id("20100515", "033")
    rows = [
        record(1, "dibao", "王芳", a, household_key=f"dibao:{a}"), record(2, "fupin", "王芳", a),
        record(3, "ertong", "王芳", b), record(4, "canlian", "王芳", b),
    ]
    result = run(rows)
    k = keys(result)
    assert k[1] == k[2] == a and k[3] == k[4] == b
    reasons = result.review["reasons"].to_list()
    assert any("笔误或同名双胞胎" in r for r in reasons)


def test_twins_valid_ids_with_different_given_names_are_two_people_without_review():
    a, b = make_id("20100515", "031"), make_id("20100515", "033")
    result = run([record(1, "dibao", "王大芳", a), record(2, "dibao", "王小芳", b)])
    k = keys(result)
    assert k[1] == a and k[2] == b
    assert result.review.height == 0


def test_same_day_namesake_whose_own_id_ends_in_000_is_not_rounded_into_the_other():
    """谭燕 and 谭燕, born one day in one village: …240980 and …241000 (a real ID ending in 000, read
    as 15 digits Excel kept). Truncation keeps 530381195108241, which only *rounding* the other's
    ID would give: a text …000 is truncated, never rounded - two people."""
    a = "530381195108240980"
    b15 = "530381195108241"
    rows = [
        record(1, "dibao", "谭燕", a), record(2, "canlian", "谭燕", a),
        record(3, "fupin", "谭燕", b15 + "000"), record(4, "linshi", "谭燕", b15 + "000"),
    ]
    k = keys(run(rows))
    assert k[1] == k[2] == a
    assert k[3] == k[4] != a


def test_excel_number_form_is_compared_rounded():
    """5.30381195108241E+17 is a float's 15 digits, rounded: it is …240980's."""
    a = "530381195108240980"
    rows = [record(1, "dibao", "谭燕", a), record(2, "canlian", "谭燕", "5.30381195108241E+17")]
    assert keys(run(rows))[2] == a


def test_a_daughters_row_without_an_id_never_joins_an_older_namesake():
    """王华 as 之女 of a 户主 born 1960, her ID lost to Excel: the only other 王华 of the village was
    born 1956 - the row's own relation says she is not him, however unique the name."""
    head, older = make_id("19600101", "031"), make_id("19560721", "485")
    rows = [
        record(1, "dibao", "王建国", head, household_key=f"dibao:{head}", relation="户主"),
        record(2, "dibao", "王华", "5.30381E+17", household_key=f"dibao:{head}", relation="之女"),
        record(3, "canlian", "王华", older), record(4, "laonian", "王华", older),
    ]
    k = keys(run(rows))
    assert k[2] not in (head, older)


def test_a_members_row_without_an_id_never_joins_its_own_head():
    head = make_id("19600101", "031")
    rows = [
        record(1, "dibao", "王华", head, household_key=f"dibao:{head}", relation="户主"),
        record(2, "dibao", "王华", "5.30381E+17", household_key=f"dibao:{head}", relation="之女"),
        record(3, "canlian", "王华", head),
    ]
    k = keys(run(rows))
    assert k[1] == k[3] == head and k[2] != head


def test_twins_with_names_alike_in_shape_are_not_joined_by_their_common_excel_prefix():
    """赵敏 / 赵兰敏, twins: the 15 digits Excel kept of 赵兰敏's ID are 赵敏's too."""
    a, b = make_id("20090623", "256"), make_id("20090623", "258")
    rows = [
        record(1, "dibao", "赵敏", a), record(2, "canlian", "赵敏", a),
        record(3, "fupin", "赵兰敏", b[:15] + "000"), record(4, "laonian", "赵兰敏", b),
    ]
    k = keys(run(rows))
    assert k[1] == k[2] == a and k[3] == k[4] == b


def test_a_birth_date_the_relation_rules_out_is_not_the_persons():
    """邵才 as 之子 on his father's ID (detached), and a row whose mistyped ID says 1918: linked as
    one person without a valid ID, whose birth date is not 1918 (a child of a 户主 born 1960)."""
    father = make_id("19600819", "369")
    real = make_id("19180308", "233")
    typo = real[:17] + ("1" if real[17] != "1" else "2")  # a wrong check digit: not valid
    rows = [
        record(1, "fupin", "邵建国", father, household_key="fupin:H9", relation="户主"),
        record(2, "fupin", "邵才", father, household_key="fupin:H9", relation="之子"),
        record(3, "yibao_canbao", "邵才", typo),
    ]
    result = run(rows)
    k = keys(result)
    assert k[2] == k[3] != father
    person = result.persons.filter(pl.col("person_key") == k[2])
    assert person["birth_date"].item() is None


def test_a_birth_date_from_an_id_failing_its_check_is_not_the_persons():
    """郑桂兰 seen only through an ID with her birth year transposed (1945 for 1954: the check digit
    fails): the date is not proven, her age unknown. 钱芳 seen only through an Excel number keeps
    the 8 date digits it holds."""
    real = make_id("19540312", "222")
    transposed = real[:8] + "45" + real[10:]
    excel = make_id("19440615", "232")
    rows = [record(1, "yibao_canbao", "郑桂兰", transposed), record(2, "linshi", "郑桂兰", transposed),
            record(3, "canlian", "钱芳", excel[0] + "." + excel[1:15] + "E+17")]
    result = run(rows)
    persons = result.persons.join(result.assignments.select("record_id", "person_key"), on="person_key")
    born = dict(persons.select("record_id", "birth_date").iter_rows())
    assert born[1] is None and born[2] is None
    assert str(born[3]) == "1944-06-15"


def test_an_id_under_two_names_as_often_gets_the_same_owner_in_any_row_order():
    """The 户主 叶俊's ID under his name twice and under 曹丽月 twice, once on her row as 之女 of his
    household: which name owns the ID is a tie (same count, same table), and it decides whether
    the 之女 row, whose ID contradicts its relation, stays on the ID or is a person of its own.
    The file's order must not break the tie (a re-sorted export changed a province's person count)."""
    head = make_id("19680515", "065")
    rows = [
        dict(source_table="dibao", name="叶俊", id_raw=head, household_key="hk", relation="户主"),
        dict(source_table="dibao", name="叶俊", id_raw=head),
        dict(source_table="dibao", name="曹丽月", id_raw=head),
        dict(source_table="dibao", name="曹丽月", id_raw=head, household_key="hk", relation="之女"),
    ]

    def people(order):
        k = keys(run([record(i + 1, **rows[j]) for i, j in enumerate(order)]))
        return [k[order.index(j) + 1] for j in range(len(rows))]

    assert people([0, 1, 2, 3]) == people([2, 0, 1, 3]) == people([3, 2, 1, 0])


def test_between_record_pairs_as_good_the_decision_does_not_follow_the_rows_order():
    """Two record pairs of the same two entities score the same and neither links; one has names
    that agree. Whichever comes first, the entity pair goes to review."""
    from pipeline.link.scoring import decide

    settings = load()
    score = (settings.review_score + settings.link_score) / 2
    pairs = pl.DataFrame({
        "entity_l": [1, 1], "entity_r": [9, 9], "refused": ["两个身份证号均有效且不同"] * 2, "score": [score, score],
        "name_level": ["different", "exact"], "record_id_l": [1, 2], "record_id_r": [9, 8],
    })  # fmt: skip
    flipped = pairs.with_columns(pl.col("record_id_l").reverse(), pl.col("record_id_r").reverse())
    assert decide(pairs, settings)["decision"].to_list() == decide(flipped, settings)["decision"].to_list() == ["review"]
