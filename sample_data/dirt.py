"""How values look in real exports: date / month / ID / name forms, and the dirt of hand-kept
rosters.  Every function takes a clean value and returns the cell to write plus the dirt kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from . import names as nm
from .idcard import to_15

FULLWIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")
EXCEL_EPOCH = date(1899, 12, 30)

DATE_STYLES = ("iso", "slash", "compact", "chinese", "cell", "serial")
MONTH_STYLES = ("dash", "compact", "chinese", "cell")


@dataclass
class Rates:
    """Share of rows that get each family of dirt (configurable, modest by default)."""

    id: float = 0.04
    name: float = 0.03
    date: float = 0.05
    reject: float = 0.003
    sci_file: float = 0.15  # share of ID cells in the CSV chosen to look re-saved by Excel


@dataclass
class RowDirt:
    kinds: list[str] = field(default_factory=list)
    reject: str = ""  # reject reason kind, "" = accept


def excel_serial(d: date) -> int:
    return (d - EXCEL_EPOCH).days


def fmt_date(d: date | None, style: str, binary: bool):
    """A date cell in ``style``; ``binary`` = the target is an Excel sheet (cells may be dates/numbers)."""
    if d is None:
        return None
    if style == "iso":
        return d.isoformat()
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "compact":
        return d.strftime("%Y%m%d")
    if style == "chinese":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "cell":
        return d if binary else d.isoformat()
    if style == "serial":
        return excel_serial(d) if binary else str(excel_serial(d))
    raise ValueError(style)


def fmt_month(d: date | None, style: str, binary: bool):
    if d is None:
        return None
    if style == "dash":
        return f"{d.year}-{d.month:02d}"
    if style == "compact":
        return f"{d.year}{d.month:02d}"
    if style == "chinese":
        return f"{d.year}年{d.month}月"
    if style == "cell":
        return d if binary else f"{d.year}-{d.month:02d}"
    raise ValueError(style)


def date_dirt(style: str) -> str:
    return "" if style in ("iso", "cell") else f"date_{style}"


def month_dirt(style: str) -> str:
    return "" if style in ("dash", "cell") else f"month_{style}"


# ID dirt that destroys the number (no exact link possible): kept off the rows of planted cases, so a
# missed planted case is a rule problem, not a linking one.
LOSSY_ID_KINDS = ("id_excel_number", "id_sci_notation", "id_excel_truncated", "id_typo_digit", "id_typo_transpose", "id_parent_on_child")

ID_KINDS_TEXT = ("id_apostrophe", "id_fullwidth", "id_lower_x", "id_inner_space", "id_15_digit",
                 "id_typo_digit", "id_typo_transpose", "id_parent_on_child", "id_excel_truncated")


def dirty_id(idn: str, kind: str, rng: np.random.Generator, parent_id: str | None):
    """(cell value, applied kind) - the kind is "" when it does not apply to this number."""
    if not idn:
        return idn, ""
    if kind == "id_excel_number":
        if idn[-1].isdigit():
            return float(f"{int(idn):.15g}"), kind
        return idn, ""
    if kind == "id_sci_notation":
        return f"{float(idn[:17] + '0'):.5E}".replace("E+", "E+"), kind
    if kind == "id_excel_truncated":  # 18 digits typed into Excel: 15 significant digits kept, then 000
        return (idn[:15] + "000", kind) if idn[15:] != "000" else (idn, "")
    if kind == "id_apostrophe":
        return "'" + idn, kind
    if kind == "id_fullwidth":
        return idn.translate(FULLWIDTH), kind
    if kind == "id_lower_x":
        return (idn[:-1] + "x", kind) if idn.endswith("X") else (idn, "")
    if kind == "id_inner_space":
        cut = int(rng.integers(6, 14))
        return idn[:cut] + " " + idn[cut:], kind
    if kind == "id_15_digit":
        return (to_15(idn), kind) if idn[6:8] == "19" else (idn, "")
    if kind == "id_typo_digit":
        i = int(rng.integers(6, 17))
        new = str((int(idn[i]) + int(rng.integers(1, 10))) % 10)
        return idn[:i] + new + idn[i + 1:], kind
    if kind == "id_typo_transpose":
        for i in range(int(rng.integers(6, 15)), 16):
            if idn[i] != idn[i + 1]:
                return idn[:i] + idn[i + 1] + idn[i] + idn[i + 2:], kind
        return idn, ""
    if kind == "id_parent_on_child":
        return (parent_id, kind) if parent_id and parent_id != idn else (idn, "")
    raise ValueError(kind)


NAME_KINDS = ("name_traditional", "name_separator", "name_space", "name_homophone", "name_shape_typo")


def dirty_name(name: str, kind: str, rng: np.random.Generator):
    if not name:
        return name, ""
    if kind == "name_traditional":
        t = nm.traditional(name)
        return (t, kind) if t != name else (name, "")
    if kind == "name_separator":
        if "·" in name:
            return nm.separator_variant(name, rng), kind
        return name, ""
    if kind == "name_space":
        return nm.with_space(name), kind
    if kind == "name_homophone":
        t = nm.typo(name, nm.HOMOPHONES)
        return (t, kind) if t else (name, "")
    if kind == "name_shape_typo":
        t = nm.typo(name, nm.SHAPE_TYPOS)
        return (t, kind) if t else (name, "")
    raise ValueError(kind)


BAD_AMOUNTS = ("12元5", "五百", "560元/月", "--")
UNKNOWN_ENUM = {"category": "五类", "item": "其他补贴", "support_mode": "居家供养", "self_care": "不详",
                "child_category": "困境儿童", "subsidy_type": "护理补贴", "visit_level": "县级",
                "household_type": "稳定户", "health": "良好", "labour_skill": "半劳力1", "insurance_status": "待定",
                "certificate_status": "挂失", "dibao_type": "特困低保", "relief_type": "其他型"}
