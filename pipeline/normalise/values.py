"""Amounts, whole numbers, years, yes/no, enums, disability grades and categories, free text.

One :class:`~pipeline.normalise.cells.Reader` per kind.  Membership and plausible ranges are
the contract's business (``contracts/inputs.py``): an enum value outside its list is kept as
written (NFKC, spaces removed) for the contract to reject with the allowed values.
"""

from __future__ import annotations

import polars as pl

from contracts.sources import Column
from pipeline.normalise.cells import Reader, folded, numeric, squeezed

# --- amounts -----------------------------------------------------------------------

_AMOUNT = r"^[-+]?(?:\d+\.?\d*|\.\d+)$"


def _amount_text(cell: pl.Expr) -> pl.Expr:
    """``1,234.50``, ``1234.5元``, ``￥1234``, ``RMB 1234``, ``1234元整``, full-width -> ``1234.5``."""
    return (
        numeric(cell)
        .str.replace_all(",", "", literal=True)
        .str.replace(r"^(?:¥|RMB|CNY)", "")
        .str.replace(r"(?:元|圆)整?$", "")
    )


def _amount(text: pl.Expr, column: Column | None = None) -> pl.Expr:
    """Yuan as Float64, rounded half away from zero to the cent."""
    number = pl.when(text.str.contains(_AMOUNT)).then(text.cast(pl.Float64, strict=False))
    return number.round(2, mode="half_away_from_zero")


# A negative amount is a problem (null value), not a refund ...
AMOUNT = Reader(_amount_text, _amount, "不是金额", (lambda v: v < 0, "金额为负数"))
# ... except in a column declared ``signed`` (资金发放's 发放金额: a negative row is a 冲正 correction).
SIGNED_AMOUNT = Reader(_amount_text, _amount, "不是金额")

# --- whole numbers and years ----------------------------------------------------------

_INT = r"^([-+]?\d+)(?:\.0+)?(?:人|口|个|户|次)?$"
_YEAR = r"^(\d{4})(?:\.0+)?(?:年度?)?$"

# A whole number as Int64: ``3``, ``3.0``, ``3人``.
INT = Reader(numeric, lambda t, c=None: t.str.extract(_INT, 1).cast(pl.Int64, strict=False), "不是整数")
# A year as Int32: ``2026``, ``2026年``, ``2026年度`` (plausibility is the contract's).
YEAR = Reader(numeric, lambda t, c=None: t.str.extract(_YEAR, 1).cast(pl.Int32, strict=False), "不是年份")

# --- closed lists ---------------------------------------------------------------------


def canonical_map(values: tuple[str, ...], synonyms: dict[str, str]) -> dict[str, str]:
    """Upper-cased spelling -> canonical value (the canonical values map onto themselves)."""
    mapping = {v.upper(): v for v in values}
    mapping.update({k.upper(): v for k, v in synonyms.items()})
    return mapping


def _bool(text: pl.Expr, column: Column) -> pl.Expr:
    words = canonical_map(("是", "否"), column.synonyms)
    truth = {k: v == "是" for k, v in words.items() if v in ("是", "否")}
    return text.str.to_uppercase().replace_strict(truth, default=None, return_dtype=pl.Boolean)


def _enum(text: pl.Expr, column: Column) -> pl.Expr:
    mapping = canonical_map(column.values, column.synonyms)
    value = text.str.to_uppercase().replace_strict(mapping, default=text, return_dtype=pl.Utf8)
    return value if column.blank_as is None else value.fill_null(pl.lit(column.blank_as))


# 是 / 否 and the column's synonyms (Y/N, 有/无, 1/0 ...), case-insensitive, as Boolean.
BOOL = Reader(squeezed, _bool, "不是“是”或“否”")
# Synonyms mapped to the canonical value, blank -> ``blank_as``, anything else kept as written.
ENUM = Reader(squeezed, _enum)

# --- disability grade and category (残联 and the registry) --------------------------------

_CHINESE_NUMERALS = "一二三四"
_ROMAN = ("I", "II", "III", "IV")  # NFKC folds Ⅰ Ⅱ Ⅲ Ⅳ to these
GRADES: dict[str, int] = {}
for _n in range(1, 5):
    for _form in (str(_n), _CHINESE_NUMERALS[_n - 1], _ROMAN[_n - 1]):
        GRADES[_form] = _n
        GRADES[f"{_form}级"] = _n

CATEGORIES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")  # codes 1..7, in this order
CATEGORY_FORMS: dict[str, str] = {}
for _code, _word in enumerate(CATEGORIES, start=1):
    CATEGORY_FORMS.update({_word: _word, f"{_word}残疾": _word, str(_code): _word})
CATEGORY_FORMS.update({"语言": "言语", "语言残疾": "言语"})


def grade_of(text: pl.Expr, column: Column | None = None) -> pl.Expr:
    """Disability grade as Int8 from ``一级``..``四级``, ``1``..``4``, ``1级``, ``Ⅰ级``."""
    return text.str.to_uppercase().replace_strict(GRADES, default=None, return_dtype=pl.Int8)


def category_of(text: pl.Expr, column: Column | None = None) -> pl.Expr:
    """Disability category word from ``视力``, ``视力残疾`` or code ``1``; null when unknown."""
    return text.replace_strict(CATEGORY_FORMS, default=None, return_dtype=pl.Utf8)


GRADE = Reader(numeric, grade_of, "不是残疾等级")
CATEGORY = Reader(numeric, category_of, "不是残疾类别")

# --- free text ------------------------------------------------------------------------

# NFKC and trimmed, blank -> null.  Never a problem.
TEXT = Reader(folded)
