"""Sieve 9, 政策"一口清": every parameter of the policy in force, in words and figures.

Every figure comes from the ``Policy`` object (never from here): this module holds only the words.
A parameter with no words here is still listed, under its key, so a new key can never go missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.sources import TABLES
from pipeline.policy import Policy
from pipeline.report.terms import GRADES


@dataclass(frozen=True)
class PolicyRow:
    topic: str  # 政策事项
    key: str  # 参数名 in the policy file (``orphan_standard.集中养育孤儿``, ``care_subsidy[0]``)
    value: object  # the figure (a number, or words for lists)
    unit: str
    rules: str  # the rule codes that read it
    words: str  # what it means, in a sentence


# key -> (事项, 单位, 规则, 说明)
SCALAR_WORDS: dict[str, tuple[str, str, str, str]] = {
    "dibao_monthly_standard": ("农村低保标准", "元/人/月", "S2-1、S1-2、S1-3、S7-2、Y-4", "家庭人均纯收入（元/年）与 12 × 本标准比较"),
    "low_income_multiple": ("低收入家庭认定倍数", "倍", "S1-2、S1-3", "防返贫监测户人均纯收入低于 本倍数 × 12 × 低保标准 为低收入"),
    "exit_income_multiple": ("低保收入超标倍数", "倍", "S7-2", "低保家庭人均纯收入高于 本倍数 × 12 × 低保标准 为收入超标，应启动渐退"),
    "gradual_exit_months": ("渐退期", "个月", "S7-2、S7-3", "收入超标后渐退的月数；渐退起始月份加本月数到期即应退出"),
    "tekun_min_age": ("特困供养年龄", "周岁", "S2-2", "无劳动能力的三类对象年满本年龄（或未满16周岁、重度残疾）应纳入特困供养"),
    "elderly_min_age": ("经济困难老年人补贴年龄", "周岁", "S5-1", "低保、特困、三类对象年满本年龄应享受经济困难老年人补贴"),
    "advanced_age": ("高龄津贴年龄", "周岁", "S5-2", "年满本年龄应享受高龄津贴"),
    "urgent_out_of_pocket": ("急难救助个人负担线", "元/季度", "S2-3", "三类对象本季度住院个人负担合计达到本金额，未获临时救助和医疗救助即为应救未救"),
    "expense_relief_multiple": ("支出型救助倍数", "倍", "Y-4", "扣除个人负担后人均收入低于 本倍数 × 12 × 低保标准 为支出型救助对象"),
    "subsidy_dibao": ("低保对象资助参保标准", "元/人/年", "Y-2", "低保对象居民医保个人缴费的资助金额（特困人员、孤儿和事实无人抚养儿童全额资助）"),
    "subsidy_monitored": ("三类对象资助参保标准", "元/人/年", "Y-2", "三类对象居民医保个人缴费的资助金额"),
    "aid_ratio_key": ("医疗救助比例（特困、低保、孤儿）", "比例", "Y-3", "基本医保、大病保险报销后的政策范围内费用按本比例救助"),
    "aid_ratio_low_income": ("医疗救助比例（三类对象）", "比例", "Y-3", "基本医保、大病保险报销后的政策范围内费用按本比例救助"),
    "village_visit_missing_weeks_allowed": ("村级探访允许缺失周数", "周", "S6-3", "分散供养特困人员每周至少探访一次；一个季度内最多允许本周数没有村级探访"),
}
SCALAR_UNITS_FALLBACK = ""


def _derived(policy: Policy) -> list[PolicyRow]:
    """Lines worked out from the parameters, so village staff need not multiply (still no numbers here)."""
    year = policy["dibao_monthly_standard"] * 12
    return [
        PolicyRow("农村低保年标准（推算）", "12 × dibao_monthly_standard", _num(year), "元/人/年", "S2-1、Y-4", "低保标准 × 12：家庭人均纯收入低于此数应保未保"),
        PolicyRow("低收入家庭收入线（推算）", "low_income_multiple × 12 × dibao_monthly_standard", _num(policy["low_income_multiple"] * year), "元/人/年", "S1-2、S1-3", "人均纯收入低于此数为低收入家庭"),
        PolicyRow("低保收入超标线（推算）", "exit_income_multiple × 12 × dibao_monthly_standard", _num(policy["exit_income_multiple"] * year), "元/人/年", "S7-2", "低保家庭人均纯收入高于此数为收入超标"),
        PolicyRow("支出型救助收入线（推算）", "expense_relief_multiple × 12 × dibao_monthly_standard", _num(policy["expense_relief_multiple"] * year), "元/人/年", "Y-4", "扣除个人负担后人均收入低于此数为支出型救助对象"),
    ]


def _num(v: float | int) -> float | int:
    return int(v) if isinstance(v, float) and v.is_integer() else v


def policy_rows(policy: Policy) -> list[PolicyRow]:
    """One row per figure of ``policy``, in the order of the policy file, then the derived lines."""
    rows: list[PolicyRow] = []
    for key, value in policy.values.items():
        if key in SCALAR_WORDS:
            topic, unit, rules, words = SCALAR_WORDS[key]
            rows.append(PolicyRow(topic, key, value, unit, rules, words))
        elif key == "orphan_standard":
            for cat, amount in value.items():
                rows.append(PolicyRow(f"{cat}基本生活费", f"{key}.{cat}", amount, "元/人/月", "S3-3", "孤儿、事实无人抚养儿童月保障金额不得低于此标准"))
        elif key == "living_subsidy":
            for cat, amount in value.items():
                rows.append(PolicyRow(f"困难残疾人生活补贴（{cat}低保家庭）", f"{key}.{cat}", amount, "元/人/月", "S4-1、S4-3、S4-4", f"持证残疾人所在低保家庭为{cat}时的生活补贴标准"))
        elif key == "care_subsidy":
            for i, rule in enumerate(policy.care_subsidy):
                cats = "、".join(rule.categories)
                rows.append(PolicyRow(f"重度残疾人护理补贴（{GRADES.get(rule.grade, rule.grade)}：{cats}）", f"{key}[{i}]", _num(rule.amount), "元/人/月", "S4-2、S4-3、S4-4", f"{GRADES.get(rule.grade, rule.grade)}{cats}残疾人的护理补贴标准；表中未列的等级和类别不享受护理补贴"))
        elif key == "major_illness_keywords":
            rows.append(PolicyRow("重特大疾病病种", key, "、".join(value), "", "S1-1、S1-3、S2-3（重病认定）", "住院结算“是否重特大疾病”为空时，诊断名称含以上病种即认定为重特大疾病"))
        elif key == "residence_precedence":
            names = " → ".join(TABLES[t].title if t in TABLES else t for t in value)
            rows.append(PolicyRow("居住地认定顺序", key, names, "", "全部（按乡镇、村分发清单）", "一人出现在多个名册时，按此顺序取第一个名册登记的乡镇、村作为居住地"))
        elif key == "tables_not_exported":
            names = "、".join(TABLES[t].title if t in TABLES else t for t in value) or "无"
            rows.append(PolicyRow("本县不导出的表", key, names, "", "读取这些表的规则", "这些表本县不导出：季度数据不要求有这些表，读取它们的规则不运行（未筛查）"))
        else:
            rows.append(PolicyRow(key, key, value if isinstance(value, (int, float, str)) else str(value), SCALAR_UNITS_FALLBACK, "", "（本参数暂无说明）"))
    return rows + _derived(policy)
