"""Amounts, whole numbers, years, yes/no, enums (synonyms, blank_as), grades and categories."""

from __future__ import annotations

import pytest

from contracts.sources import TABLES
from normalise_builders import read

PAID = TABLES["fafang"].column("amount")  # 发放金额（元）
RELIEF = TABLES["linshi"].column("amount")  # 救助金额（元）
PERSONS = TABLES["dibao"].column("covered_persons")  # 保障人口数
YEAR = TABLES["yibao_canbao"].column("insurance_year")  # 参保年度
SINGLE = TABLES["dibao"].column("single_person_coverage")  # 是否单人户施保
STATUS = TABLES["dibao"].column("status")  # 状态, blank = 在保
CATEGORY = TABLES["dibao"].column("category")  # 分类施保类别
SELF_CARE = TABLES["tekun"].column("self_care")
CERT_STATUS = TABLES["canlian"].column("certificate_status")
GRADE = TABLES["canlian"].column("disability_grade")
KIND = TABLES["canlian"].column("disability_category")


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("1234.5", 1234.5),
        ("1,234.50", 1234.5),
        ("1234.5元", 1234.5),
        ("￥1234", 1234.0),
        ("¥ 1 234", 1234.0),
        ("RMB1234", 1234.0),
        ("１２３４．５", 1234.5),  # full-width digits and point
        ("１，２３４元", 1234.0),
        ("800元整", 800.0),
        ("0", 0.0),
        ("12.345", 12.35),  # rounded to the cent, half away from zero
        ("0.125", 0.13),
        (".5", 0.5),
    ],
)
def test_amount_forms(cell, value):
    values, problems = read(PAID, [cell])
    assert values == [pytest.approx(value)]
    assert problems == [None]


@pytest.mark.parametrize("cell", ["12元5", "一千", "1.2.3", "12%"])
def test_unreadable_amounts_are_problems(cell):
    assert read(PAID, [cell]) == ([None], [f'发放金额（元）："{cell}" 不是金额'])


def test_negative_amount_is_a_problem():
    assert read(RELIEF, ["-50"]) == ([None], ['救助金额（元）："-50" 金额为负数'])


def test_negative_payment_is_a_correction():
    """资金发放's 发放金额 is signed: a 冲正 row keeps its negative amount."""
    assert read(PAID, ["-50", "-1,200.5元"]) == ([-50.0, -1200.5], [None, None])


@pytest.mark.parametrize("cell", [None, "", " ", "-", "—", "/", "无"])
def test_blank_amounts(cell):
    assert read(PAID, [cell]) == ([None], [None])


def test_ints():
    values, problems = read(PERSONS, ["3", "3.0", "3人", "３", "三", None])
    assert values == [3, 3, 3, 3, None, None]
    assert problems == [None] * 4 + ['保障人口数："三" 不是整数', None]


def test_years():
    values, problems = read(YEAR, ["2026", "2026年", "2026年度", "2026.0", "26年", None])
    assert values == [2026, 2026, 2026, 2026, None, None]
    assert problems[4] == '参保年度："26年" 不是年份'


def test_bools_with_synonyms():
    values, problems = read(SINGLE, ["是", "否", "Y", "n", "有", "无", "1", "0", " 是 ", "对", None])
    assert values == [True, False, True, False, True, False, True, False, True, None, None]
    assert problems[9] == '是否单人户施保："对" 不是“是”或“否”'
    assert problems[:9] == [None] * 9 and problems[10] is None


def test_enum_synonyms_and_blank_as():
    values, problems = read(STATUS, ["在保", "正常", "停发", " 渐退 ", None, "", "暂停"])
    # an unknown value is kept as written: the contract judges membership
    assert values == ["在保", "在保", "停保", "渐退", "在保", "在保", "暂停"]
    assert problems == [None] * 7


def test_enum_synonyms_are_case_insensitive_and_full_width_folded():
    values, _ = read(CATEGORY, ["A类", "a类", "Ａ类", "2类", "三类", None])
    assert values == ["一类", "一类", "一类", "二类", "三类", None]  # no blank_as: blank stays blank


def test_enum_synonyms_of_other_tables():
    assert read(SELF_CARE, ["部分失能", "完全失能", "自理"])[0] == ["半失能", "全失能", "全自理"]
    assert read(CERT_STATUS, ["有效", "已注销", None])[0] == ["正常", "注销", "正常"]


def test_grades():
    values, problems = read(GRADE, ["一级", "二级", "三级", "四级", "1", "2级", "Ⅲ级", "４", "五级", None])
    assert values == [1, 2, 3, 4, 1, 2, 3, 4, None, None]
    assert problems[8] == '残疾等级："五级" 不是残疾等级'


def test_categories():
    cells = ["视力", "听力残疾", "言语", "肢体残疾", "5", "6", "7", "语言残疾", "无", "8", None]
    values, problems = read(KIND, cells)
    assert values == ["视力", "听力", "言语", "肢体", "智力", "精神", "多重", "言语", None, None, None]
    assert problems[9] == '残疾类别："8" 不是残疾类别'
    assert [p for i, p in enumerate(problems) if i != 9] == [None] * 10


@pytest.mark.parametrize("wide_share", [0, 1, 3, 9])
def test_nfkc_of_a_column_normalises_every_cell_whatever_the_share_of_plain_ascii(wide_share):
    # Plain ASCII cells are left as they are (their own NFKC), the others normalised: the same as
    # normalising every cell, nulls kept, in order.
    import polars as pl

    from pipeline.normalise.cells import nfkc

    wide = ["５３３１２９", "１２０．５元", "ｘ", "\u3000４\u3000", "㍻", "张三"]
    plain = ["533129", "120.5", None, " 7 ", "x"]
    cells = (wide[:wide_share] + plain) * 3 if wide_share < len(wide) else (wide * 3 + plain)
    column = pl.Series("c", cells, dtype=pl.Utf8)
    assert pl.select(nfkc(pl.lit(column))).to_series().to_list() == column.str.normalize("NFKC").to_list()
