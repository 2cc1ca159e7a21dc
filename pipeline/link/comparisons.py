"""Comparisons: for each kind of evidence, an ordered list of levels, null first and else last.

Each level has a key (its weight in settings.toml), a label (the Chinese words that
``match_method`` and ``match_review`` reasons are made of), and a SQL condition over one row per
record pair: a column ``c`` of the left record is ``c_l``, of the right one ``c_r``, plus the pair
features of ``features.py`` (``id_relation``, ``name_ratio``, ``co_members``). ``{name}`` in a
condition is a threshold of the settings. The first level whose condition holds is the pair's level.
Comparisons never standardise: names, pinyin and IDs arrive normalised.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Level:
    key: str
    label: str
    sql: str
    corroborates: int = 0  # pieces of evidence besides the name it counts as (hard rule min_corroborations)

    def condition(self, thresholds: dict) -> pl.Expr:
        return pl.sql_expr(self.sql.format(**thresholds))


def Null(*columns: str) -> Level:
    return Level("null", "缺失", " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in columns))


def Exact(column: str, label: str, key: str = "equal", corroborates: int = 0) -> Level:
    return Level(key, label, f"{column}_l = {column}_r", corroborates)


def Else(label: str) -> Level:
    return Level("else", label, "TRUE")


@dataclass(frozen=True)
class Comparison:
    name: str
    levels: tuple[Level, ...]

    def __post_init__(self) -> None:
        keys = [lv.key for lv in self.levels]
        assert keys[0] == "null" and keys[-1] == "else" and len(set(keys)) == len(keys), self.name

    @property
    def column(self) -> str:
        return f"{self.name}_level"

    def level_expr(self, thresholds: dict) -> pl.Expr:
        """The key of the first level that holds."""
        expr = pl.when(self.levels[0].condition(thresholds)).then(pl.lit(self.levels[0].key))
        for lv in self.levels[1:-1]:
            expr = expr.when(lv.condition(thresholds)).then(pl.lit(lv.key))
        return expr.otherwise(pl.lit("else")).alias(self.column)

    def level(self, key: str) -> Level:
        return next(lv for lv in self.levels if lv.key == key)


ID_NUMBER = Comparison(
    "id_number",
    (
        Level("null", "无可比身份证号", "id_relation IS NULL"),
        Level("same", "身份证号一致", "id_relation = 'same'", True),
        Level("check_digit", "身份证号校验位之差", "id_relation = 'check_digit'", True),
        Level("one_digit", "身份证号一位之差", "id_relation = 'one_digit'", True),
        Level("transposition", "身份证号相邻两位颠倒", "id_relation = 'transposition'", True),
        Level("prefix15", "数值型身份证号前15位", "id_relation = 'prefix15'", True),
        Level("short_prefix", "数值型身份证号仅存的前几位一致", "id_relation = 'short_prefix'"),
        Level("valid_different", "身份证号均有效且不同", "id_relation = 'valid_different'"),
        Level("two_slips", "两个身份证号均有误且两位之差", "id_relation = 'two_slips'"),
        Level("prefix15_different", "数值型身份证号前15位不同", "id_relation = 'prefix15_different'"),
        Else("身份证号不同"),
    ),
)

NAME = Comparison(
    "name",
    (
        Null("name"),
        Exact("name_display", "姓名一致", "exact"),
        Exact("name", "姓名繁简或分隔符不同", "folded"),
        Exact("name_pinyin", "姓名同音", "pinyin"),
        Exact("name_pinyin_fuzzy", "姓名近音", "fuzzy_pinyin"),
        Level("shape", "姓名形近", "name_ratio >= {name_ratio}"),
        Else("姓名不同"),
    ),
)

# ID relations of two full IDs that are one typo apart.
ID_TYPOS = "('one_digit', 'transposition')"

# A birth date is read from the ID number (normalise): two IDs one typo apart have birth dates
# that differ, or one that is no date at all, exactly when the typo hit the date digits. Their 16
# agreeing body digits are the birth date's evidence, so such a pair is ``id_typo``, not null/else.
BIRTH_DATE = Comparison(
    "birth_date",
    (
        Level(
            "null",
            "缺失",
            f"(birth_date_l IS NULL OR birth_date_r IS NULL) AND NOT COALESCE(id_relation IN {ID_TYPOS}, FALSE)",
        ),
        Exact("birth_date", "出生日期一致", corroborates=True),
        Level("id_typo", "出生日期之差出自身份证号笔误", f"id_relation IN {ID_TYPOS}", True),
        Else("出生日期不同"),
    ),
)

GENDER = Comparison("gender", (Null("gender"), Exact("gender", "性别一致"), Else("性别不同")))

VILLAGE = Comparison(
    "village",
    (
        Level("null", "缺失", "(village_l IS NULL OR village_r IS NULL) AND NOT name_village_unique"),
        # Name + village + county as the evidence of a record without a usable ID (inputs.md: "link by
        # the other evidence"): the pair's name is carried in the village by one person only.
        Level(
            "unique",
            "同村且村内同名唯一",
            "name_village_unique AND (township_l IS NULL OR township_r IS NULL OR township_l = township_r)",
            2,
        ),
        Level(
            "equal",
            "同村",
            "village_l = village_r AND (township_l IS NULL OR township_r IS NULL OR township_l = township_r)",
            True,
        ),
        Else("不同村"),
    ),
)

HOUSEHOLD = Comparison(
    "household",
    (
        Level("null", "缺失", "(household_key_l IS NULL OR household_key_r IS NULL) AND NOT owner_household AND NOT same_head"),
        # A row given a family member's ID (a parent's on a child's row: detached in anchors.py) whose
        # name is that of a member of the ID owner's household: the ID ties it to the family, the name
        # to the member (names within one family differ). Two pieces of evidence.
        Level("id_owner", "所填身份证号为其同户家人的", "owner_household", 2),
        # 户主身份证号 + 姓名: a 户主's row whose 户主身份证号 is the other's ID, or two rosters' rows of
        # one 户主's family under one name (features.same_head). Two pieces of evidence, as above.
        Level("same_head", "户主身份证号一致", "same_head", 2),
        Exact("household_key", "同一户内的两行", "same"),
        Level("co_members", "同户成员", "co_members >= 1", True),
        Else("户内成员不同"),
    ),
)

# A payment's 一卡通账号: the payee's own account, so two payments to one account are one payee.
ACCOUNT = Comparison("account", (Null("account"), Exact("account", "一卡通账号一致", "same", 2), Else("一卡通账号不同")))

# Order is the order of the words in match_method and reasons.
COMPARISONS = (ID_NUMBER, NAME, BIRTH_DATE, VILLAGE, HOUSEHOLD, ACCOUNT, GENDER)

# Name levels that count as the same name; a link needs one of them.
NAME_AGREES = ("exact", "folded", "pinyin", "fuzzy_pinyin", "shape")
# ID levels of two different valid IDs that are a slip of each other: never a link, a review.
VALID_ID_TYPOS = ("one_digit", "transposition")
