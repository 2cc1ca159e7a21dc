"""The input tables doudi accepts: one declaration per logical table (see ../shared/spec/inputs.md).

This module is the single place that says which headers (and aliases) make up each table,
which columns are required and what kind of value each column holds.  Ingest uses it to
recognise a file by its header row, normalisation uses the kinds to parse values, the
Pandera contracts in this package are built from it, and the sample-data generator writes
its headers from it.  It reads no files and imports no database.

Column keys are the canonical (English, snake_case) names used everywhere downstream:
staging tables ``stg_<table>``, the rules' SQL and the contracts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Kinds of value a column holds.  Normalisation turns each kind into one typed column.
TEXT = "text"  # free text, stripped
NAME = "name"  # a person's name: NFKC, traditional -> simplified, separators folded
ID = "id"  # a resident ID number (GB 11643)
DATE = "date"  # any date form of inputs.md -> Date
MONTH = "month"  # any month form -> Date (first day of the month)
AMOUNT = "amount"  # money in yuan -> Float64 rounded to the cent
INT = "int"  # whole number
YEAR = "year"  # a year -> Int32
BOOL = "bool"  # 是 / 否 -> Boolean
ENUM = "enum"  # one of a closed list of values (with synonyms)
GRADE = "grade"  # disability grade 一级..四级 / 1..4 -> Int8
CATEGORY = "category"  # disability category 视力..多重 / codes 1..7 -> text


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = TEXT
    aliases: tuple[str, ...] = ()
    required: bool = False
    # ENUM: canonical values, and synonyms mapping other spellings onto them.
    values: tuple[str, ...] = ()
    synonyms: dict[str, str] = field(default_factory=dict)
    # Value used when the cell is blank (e.g. 状态 blank = 在保).
    blank_as: str | None = None
    # AMOUNT: a negative value is a correction (冲正) and is kept; else a negative amount is refused.
    signed: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


@dataclass(frozen=True)
class Table:
    name: str  # logical name: dibao, fupin, ...
    title: str  # Chinese name of the export
    system: str  # which government system exports it
    columns: tuple[Column, ...]
    grain: str  # 粒度："每 ... 一行"
    # Groups of column keys of which at least one must be present (e.g. liangbu amounts).
    one_of: tuple[tuple[str, ...], ...] = ()

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"{self.name} has no column {key!r}")

    def keys(self) -> list[str]:
        return [c.key for c in self.columns]


# --- columns shared by many tables -------------------------------------------------

REGION = (
    Column("region_code", "区划代码", TEXT, ("行政区划代码", "村级区划代码")),
    Column("county", "县", TEXT, ("县(市、区、旗)", "所属区县", "区县", "县(市、区)")),
    Column(
        "township",
        "乡镇",
        TEXT,
        ("乡", "乡(镇)", "乡镇(街道)", "所属街道", "所属街", "镇(街)", "所属乡镇"),
    ),
    Column("village", "村", TEXT, ("行政村", "村(社区)", "村(居)", "所属社区", "所属社", "所属村")),
)

STATUS_VALUES = ("在保", "渐退", "停保")
# Rosters other than dibao use the same 状态 words; "正常"/"在册" are common spellings of 在保.
STATUS_SYNONYMS = {"正常": "在保", "在册": "在保", "正常享受": "在保", "停发": "停保", "退出": "停保", "终止": "停保"}
YESNO = {"是": "是", "否": "否", "Y": "是", "N": "否", "有": "是", "无": "否", "1": "是", "0": "否"}


def _name(required: bool = True) -> Column:
    return Column("name", "姓名", NAME, ("成员姓名", "家庭成员姓名"), required)


def _id() -> Column:
    return Column("id_number", "身份证号", ID, ("身份证号码", "证件号码", "成员身份证号"), True)


def _status() -> Column:
    return Column(
        "status", "状态", ENUM, ("保障状态",), values=STATUS_VALUES, synonyms=STATUS_SYNONYMS, blank_as="在保"
    )


def _start_month(required: bool) -> Column:
    return Column("start_month", "最初享受月份", MONTH, ("最初享受月", "起始保障年月"), required)


# --- 民政 civil affairs ---------------------------------------------------------------

DIBAO = Table(
    "dibao",
    "低保人员花名册",
    "民政",
    (
        _name(),
        _id(),
        Column("head_id_number", "户主身份证号", ID, ("户主证件号码",), True),
        Column("relation", "与户主关系", TEXT, (), True),
        Column("dibao_type", "保障类型", ENUM, ("救助类型",), values=("城市低保", "农村低保")),
        Column(
            "category",
            "分类施保类别",
            ENUM,
            ("分档类型", "保障类别"),
            True,
            values=("一类", "二类", "三类", "四类"),
            synonyms={"1类": "一类", "2类": "二类", "3类": "三类", "4类": "四类", "A类": "一类", "B类": "二类", "C类": "三类", "D类": "四类"},
        ),
        Column("household_monthly_amount", "户月保障金额（元）", AMOUNT, ("月保障金额", "保障金额（元）"), True),
        Column("covered_persons", "保障人口数", INT, ("保障人口",)),
        _start_month(True),
        _status(),
        Column("gradual_exit_start_month", "渐退起始月份", MONTH),
        Column("single_person_coverage", "是否单人户施保", BOOL, ("单人户施保",), synonyms=YESNO),
        Column("household_income_per_capita", "家庭年人均收入（元）", AMOUNT, ("家庭年均收入（元）",)),
    ),
    "每个在册低保家庭成员一行",
)

TEKUN = Table(
    "tekun",
    "特困人员花名册",
    "民政",
    (
        _name(),
        _id(),
        Column("support_mode", "供养方式", ENUM, (), True, values=("集中供养", "分散供养")),
        Column(
            "self_care",
            "生活自理能力",
            ENUM,
            ("自理能力",),
            True,
            values=("全自理", "半失能", "全失能"),
            synonyms={"部分失能": "半失能", "完全失能": "全失能", "生活能自理": "全自理", "自理": "全自理"},
        ),
        Column("basic_standard", "基本生活标准（元）", AMOUNT, ("月供养标准",), True),
        Column("care_standard", "照料护理标准（元）", AMOUNT, ("照料护理费用（元）",)),
        Column("carer_name", "照料人姓名", NAME, ("委托照料人",)),
        Column("carer_id_number", "照料人身份证号", ID),
        Column("care_agreement", "是否签订照料协议", BOOL, ("照料协议",), synonyms=YESNO),
        _start_month(True),
        _status(),
    ),
    "每个特困人员一行",
)

TEKUN_VISIT = Table(
    "tekun_visit",
    "特困人员探访记录",
    "民政",
    (
        _name(False),
        _id(),
        Column("visit_date", "探访日期", DATE, (), True),
        Column("visitor", "探访人", TEXT),
        Column(
            "visit_level",
            "探访层级",
            ENUM,
            (),
            True,
            values=("乡镇", "村"),
            synonyms={"乡": "乡镇", "镇": "乡镇", "乡级": "乡镇", "村级": "村", "社区": "村", "村(社区)": "村"},
        ),
    ),
    "每次探访一行",
)

LINSHI = Table(
    "linshi",
    "临时救助记录",
    "民政",
    (
        _name(False),
        _id(),
        Column("relief_type", "救助类型", ENUM, (), values=("急难型", "支出型")),
        Column("amount", "救助金额（元）", AMOUNT, (), True),
        Column("relief_date", "救助日期", DATE, (), True),
        Column("reason", "救助事由", TEXT),
    ),
    "每次临时救助一行",
)

ERTONG = Table(
    "ertong",
    "孤儿和事实无人抚养儿童花名册",
    "民政",
    (
        _name(False),
        _id(),
        Column("child_category", "儿童类别", ENUM, (), True, values=("集中养育孤儿", "社会散居孤儿", "事实无人抚养儿童")),
        Column("monthly_amount", "月保障金额（元）", AMOUNT, (), True),
        _start_month(False),
        _status(),
    ),
    "每个儿童一行",
)

LIANGBU = Table(
    "liangbu",
    "残疾人两项补贴名册",
    "民政",
    (
        _name(False),
        _id(),
        Column("certificate_number", "残疾人证号", TEXT, ("残疾证号",)),
        Column("living_subsidy", "生活补贴（元/月）", AMOUNT, ("困难残疾人生活补贴（元/月）", "生活补贴")),
        Column("care_subsidy", "护理补贴（元/月）", AMOUNT, ("重度残疾人护理补贴（元/月）", "护理补贴")),
        _status(),
    ),
    "每个享受两项补贴之一的人一行",
    one_of=(("living_subsidy", "care_subsidy"),),
)

LAONIAN = Table(
    "laonian",
    "老年人补贴名册",
    "民政",
    (
        _name(False),
        _id(),
        Column(
            "subsidy_type", "补贴类型", ENUM, (), True, values=("经济困难老年人补贴", "高龄津贴"), synonyms={"高龄补贴": "高龄津贴"}
        ),
        Column("monthly_amount", "月补贴金额（元）", AMOUNT, (), True),
        _status(),
    ),
    "每人每种补贴一行",
)

PAYMENT_ITEMS = (
    "低保金",
    "特困供养金",
    "孤儿基本生活费",
    "事实无人抚养儿童生活补贴",
    "残疾人生活补贴",
    "重度残疾人护理补贴",
    "老年人补贴",
)

FAFANG = Table(
    "fafang",
    "资金发放明细",
    "民政",
    (
        _name(False),
        _id(),
        Column(
            "item",
            "发放项目",
            ENUM,
            (),
            True,
            values=PAYMENT_ITEMS,
            synonyms={"低保": "低保金", "城乡低保金": "低保金", "农村低保金": "低保金", "城市低保金": "低保金", "特困人员供养金": "特困供养金", "困难残疾人生活补贴": "残疾人生活补贴"},
        ),
        Column("pay_month", "发放月份", MONTH, (), True),
        # A negative payment is a correction (冲正) of an earlier one: kept, it nets the month.
        Column("amount", "发放金额（元）", AMOUNT, (), True, signed=True),
        Column("account", "一卡通账号", TEXT),
    ),
    "每笔发放一行（人、项目、月份）",
)

SIWANG = Table(
    "siwang",
    "死亡(火化)登记",
    "民政",
    (
        _name(False),
        _id(),
        Column("death_date", "死亡日期", DATE, (), True),
        Column("info_source", "信息来源", TEXT),
    ),
    "每条死亡登记一行",
)

# --- 防返贫监测 poverty registry -------------------------------------------------------

FUPIN = Table(
    "fupin",
    "防返贫监测对象信息",
    "防返贫监测",
    (
        Column("household_number", "户编号", TEXT, (), True),
        Column("person_number", "人编号", TEXT, ("人口编号",)),
        _name(),
        Column("id_number", "证件号码", ID, ("身份证号", "身份证号码"), True),
        Column("relation", "与户主关系", TEXT, (), True),
        Column(
            "household_type",
            "户类型",
            ENUM,
            ("贫困户状态",),
            True,
            values=("脱贫户", "监测户", "未脱贫户", "一般农户"),
            synonyms={"贫困户": "未脱贫户", "脱贫户(不享受政策)": "脱贫户", "脱贫户(享受政策)": "脱贫户"},
        ),
        Column(
            "monitor_category",
            "监测对象类别",
            ENUM,
            ("易返贫致贫户(监测对象)类型",),
            values=("脱贫不稳定户", "边缘易致贫户", "突发严重困难户"),
            synonyms={"边缘易致贫户(监测对象)": "边缘易致贫户"},
        ),
        Column("risk_eliminated", "风险是否消除", BOOL, ("风险是否已消除",), synonyms=YESNO),
        Column(
            "health",
            "健康状况",
            ENUM,
            (),
            True,
            values=("健康", "长期慢性病", "患有大病", "残疾"),
            synonyms={"大病": "患有大病", "慢性病": "长期慢性病"},
        ),
        Column(
            "labour_skill",
            "劳动技能",
            ENUM,
            (),
            True,
            values=("普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力"),
            synonyms={"弱劳动力": "弱劳动力或半劳动力", "半劳动力": "弱劳动力或半劳动力"},
        ),
        Column("disability_category", "残疾类别", CATEGORY),
        Column("income_per_capita", "人均纯收入（元）", AMOUNT, ("家庭年人均纯收入",), True),
        Column(
            "receives_dibao",
            "是否享受低保",
            ENUM,
            ("享受低保政策情况",),
            values=("是", "否"),
            synonyms={**YESNO, "城市低保": "是", "农村低保": "是", "未享受": "否"},
        ),
        Column(
            "receives_tekun",
            "是否特困供养人员",
            ENUM,
            ("享受特困供养政策情况",),
            values=("是", "否"),
            synonyms={**YESNO, "城市特困": "是", "农村特困": "是", "未享受": "否"},
        ),
        Column(
            "medical_insured",
            "是否参加城乡居民基本医疗保险",
            BOOL,
            ("是否参加新型农村合作医疗(城乡居民基本医疗保险)",),
            synonyms=YESNO,
        ),
    ),
    "每个建档人员一行",
)

# --- 残联 disability federation ------------------------------------------------------

CANLIAN = Table(
    "canlian",
    "持证残疾人名册",
    "残联",
    (
        _name(),
        Column("certificate_number", "残疾人证号", TEXT, ("残疾证号",), True),
        Column("id_number", "身份证号", ID, ("证件号码", "身份证号码")),
        Column("disability_category", "残疾类别", CATEGORY),
        Column("disability_grade", "残疾等级", GRADE),
        Column("issue_date", "发证日期", DATE),
        Column(
            "certificate_status",
            "证件状态",
            ENUM,
            ("持证状态",),
            values=("正常", "注销"),
            synonyms={"有效": "正常", "已注销": "注销", "失效": "注销"},
            blank_as="正常",
        ),
    ),
    "每张残疾人证一行",
)

# --- 医保 medical insurance -----------------------------------------------------------

AID_IDENTITIES = (
    "特困人员",
    "低保对象",
    "孤儿",
    "事实无人抚养儿童",
    "重度残疾人",
    "返贫致贫人口",
    "脱贫不稳定户",
    "边缘易致贫户",
    "突发严重困难户",
)

YIBAO_CANBAO = Table(
    "yibao_canbao",
    "参保登记(资助参保)",
    "医保",
    (
        _name(),
        Column("id_number", "身份证号", ID, ("身份证号码", "证件号码"), True),
        Column("insurance_year", "参保年度", YEAR, ("年度",), True),
        Column(
            "insurance_status",
            "参保状态",
            ENUM,
            ("是否参保",),
            True,
            values=("参保", "暂停", "终止", "未参保"),
            synonyms={"正常参保": "参保", "是": "参保", "否": "未参保", "正常": "参保", "参保缴费": "参保"},
        ),
        Column(
            "aid_identity",
            "资助参保身份",
            ENUM,
            ("医疗救助身份", "人员类别"),
            values=AID_IDENTITIES,
            synonyms={"特困供养人员": "特困人员", "低保人员": "低保对象", "低保户": "低保对象"},
        ),
        Column("contribution", "居民医保缴费金额", AMOUNT, ("个人缴费金额",)),
        Column("subsidy_amount", "资助金额", AMOUNT),
    ),
    "每人每参保年度一行",
)

YIBAO_JIESUAN = Table(
    "yibao_jiesuan",
    "住院结算",
    "医保",
    (
        _name(),
        Column("id_number", "身份证号", ID, ("身份证号码", "证件号码"), True),
        Column("settlement_date", "结算日期", DATE, ("出院日期",), True),
        Column("hospital", "医疗机构名称", TEXT),
        Column("diagnosis", "诊断名称", TEXT, ("病种",)),
        Column("major_illness", "是否重特大疾病", BOOL, (), synonyms=YESNO),
        Column("total_cost", "医疗费总额（元）", AMOUNT, ("医疗总费用", "总费用"), True),
        Column("basic_fund", "基本医疗基金支出（元）", AMOUNT, ("统筹基金支出", "统筹报销金额"), True),
        Column("critical_illness_fund", "大病保险支出（元）", AMOUNT, ("大病报销金额", "居民大病保险资金支出")),
        Column("medical_aid", "医疗救助金额（元）", AMOUNT, ("医疗救助基金支出",)),
        Column("out_of_pocket", "个人负担金额（元）", AMOUNT, ("个人现金支付金额（元）", "个人负担总金额")),
    ),
    "每次住院结算一行",
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        DIBAO,
        TEKUN,
        TEKUN_VISIT,
        LINSHI,
        ERTONG,
        LIANGBU,
        LAONIAN,
        FAFANG,
        SIWANG,
        FUPIN,
        CANLIAN,
        YIBAO_CANBAO,
        YIBAO_JIESUAN,
    )
}


def all_columns(table: Table) -> tuple[Column, ...]:
    """The table's own columns followed by the region columns every table may carry."""
    return (*table.columns, *REGION)


# --- header matching ---------------------------------------------------------------

_UNIT = re.compile(r"\((?:元|元/月|元/人/月|元/年|元/人/年|万元|月|人)\)$")
_SPACE = re.compile(r"\s+")


def header_key(text: object) -> str:
    """Fold a header cell to the form aliases are compared in.

    NFKC (full-width brackets and letters to half-width), all white space and line breaks
    removed, and a trailing unit in brackets dropped: ``户月保障金额（元）`` and
    ``户月保障 金额(元)`` both become ``户月保障金额``.
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = _SPACE.sub("", s)
    s = s.replace("：", ":").rstrip(":*")
    return _UNIT.sub("", s)


def alias_index(table: Table) -> dict[str, str]:
    """header_key -> column key for every header and alias of a table (region included)."""
    index: dict[str, str] = {}
    for col in all_columns(table):
        for name in col.names:
            index.setdefault(header_key(name), col.key)
    return index
