"""残联: the second-generation certificate number gives ID, category and grade when blank."""

from __future__ import annotations

from datetime import date

from contracts.sources import TABLES
from normalise_builders import REFERENCE, ingest_rows, make_id
from pipeline.normalise import normalise

CANLIAN = TABLES["canlian"]
HOLDER = make_id("530381", "19800101", "123")
OTHER = make_id("530381", "19700505", "456")


def canlian(**columns):
    return normalise(CANLIAN, ingest_rows(**columns), REFERENCE).to_dicts()


def test_certificate_parts():
    (row,) = canlian(name=["张三"], certificate_number=[HOLDER + "42B1"])
    assert row["certificate_number"] == HOLDER + "42B1"
    assert row["cert_id_number"] == HOLDER
    assert row["cert_id_number_valid"] is True
    assert row["cert_category"] == "肢体"
    assert row["cert_grade"] == 2


def test_blank_id_category_grade_come_from_the_certificate():
    (row,) = canlian(name=["张三"], certificate_number=[HOLDER + "71"], id_number=[None])
    assert row["id_number_raw"] is None  # as read
    assert row["id_number"] == HOLDER
    assert row["id_number_valid"] is True
    assert row["id_number_issue"] == "取自残疾人证号"
    assert row["birth_date"] == date(1980, 1, 1)
    assert row["disability_category"] == "多重"
    assert row["disability_grade"] == 1
    assert row["problems"] == []


def test_absent_id_column_also_comes_from_the_certificate():
    (row,) = canlian(name=["张三"], certificate_number=[HOLDER.lower()[:-1] + HOLDER[-1].lower() + "11b2"])
    assert row["id_number"] == HOLDER
    assert row["cert_category"] == "视力"


def test_cells_present_win_and_both_ids_are_kept():
    (row,) = canlian(
        name=["张三"],
        certificate_number=[HOLDER + "42"],
        id_number=[OTHER],
        disability_category=["精神"],
        disability_grade=["三级"],
    )
    # S4-5 人证不符 compares these two: nothing is reconciled here
    assert row["id_number"] == OTHER
    assert row["cert_id_number"] == HOLDER
    assert row["id_number_issue"] is None
    assert (row["disability_category"], row["disability_grade"]) == ("精神", 3)
    assert (row["cert_category"], row["cert_grade"]) == ("肢体", 2)


def test_unreadable_category_is_a_problem_not_filled():
    (row,) = canlian(name=["张三"], certificate_number=[HOLDER + "42"], disability_category=["九"])
    assert row["disability_category"] is None
    assert row["problems"] == ['残疾类别："九" 不是残疾类别']


def test_certificate_of_another_form():
    (row,) = canlian(name=["张三"], certificate_number=["残字第12345号"])
    assert row["cert_id_number"] is None
    assert row["cert_id_number_issue"] == "残疾人证号不是第二代格式"
    assert row["id_number"] is None and row["id_number_issue"] == "为空"
    assert row["problems"] == []


def test_liangbu_certificate_parsed_but_not_filled():
    out = normalise(
        TABLES["liangbu"], ingest_rows(name=["张三"], certificate_number=[HOLDER + "42"], id_number=[None]), REFERENCE
    ).row(0, named=True)
    assert out["cert_id_number"] == HOLDER
    assert out["id_number"] is None  # 身份证号 is required in liangbu: the contract decides
