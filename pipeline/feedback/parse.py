"""Reading what township staff type into the 整改台账 columns.

People type: extra and full-width spaces, full-width digits and punctuation, dates in any form
(``2026.10.8``, ``2026年10月8日``, ``26/10/8``, ``10月8日``, an Excel date or serial number),
answers in their own words (``情况属实``, ``不实``, ``部份属实``).  Each parser returns the value
or raises ``Unreadable`` with a sentence saying what it could not read; nothing is guessed: an
answer not in the lists below is refused, not mapped to the nearest word.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pipeline.quarter import Quarter

VERIFY = ("属实", "不属实", "部分属实")
# Every accepted way of writing an answer (after squeezing out spaces, NFKC), -> the answer.
ANSWERS: dict[str, str] = {}
for _answer, _words in {
    "属实": (
        "属实", "情况属实", "核实属实", "经核实属实", "经核查属实", "核查属实", "确属实", "确实属实", "基本情况属实",
        "是", "真实", "情况真实", "存在", "确认", "确认属实", "对", "√", "✓", "✔",
    ),
    "不属实": (
        "不属实", "情况不属实", "核实不属实", "经核实不属实", "经核查不属实", "核查不属实", "不实", "不真实",
        "否", "不是", "不存在", "无此情况", "无此问题", "误报", "×", "✗", "✘",
    ),
    "部分属实": ("部分属实", "部份属实", "部分", "部份", "部分不属实", "部份不属实", "基本属实", "部分情况属实"),
}.items():
    for _w in _words:
        ANSWERS[_w] = _answer
# A 核查结果 cell that says the case is already put right: an answer of 属实, and rectified.
RECTIFIED_ANSWERS = ("已整改", "已整改完毕", "整改完毕", "整改完成", "已完成整改", "已销号", "已纠正", "已处理")
# Words in 整改措施 (or 备注) saying the township has put the case right.
RECTIFIED_WORDS = re.compile(
    r"已(经)?(整改|销号|纠正|纳入|停发|停保|补发|追回|退出|清退|调整|更正|办理|办证|核减|取消|注销|签订|补签|探访)"
    r"|整改(完毕|完成|到位|结束)|完成整改"
)
# 整改时限 written as words rather than a date (common in 整改台账): kept as text.
DEADLINE_WORDS = ("长期坚持", "长期", "立行立改", "立即整改", "持续整改", "常态化", "已完成", "即时")
# Separators between an answer and the reason written after it in the same cell.
_AFTER_ANSWER = re.compile(r"^[，,。.；;：:、（(\[【\-—－\s\u3000]+")


class Unreadable(ValueError):
    """A cell whose value cannot be read; the message says why, in words."""


def squeeze(value: object) -> str:
    """NFKC (full-width -> half-width), then every kind of space removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def text(value: object) -> str | None:
    """Free text as typed: spaces at the ends trimmed, runs of spaces (incl. full-width) made one."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = re.sub(r"[ \t\u3000\xa0]+", " ", str(value)).strip()
    s = re.sub(r"\s*\n\s*", "\n", s)
    return s or None


@dataclass(frozen=True)
class Answer:
    result: str | None  # 属实 / 不属实 / 部分属实
    rectified: bool  # the cell itself said 已整改
    reason: str | None  # what was written after the answer (a 不属实 reason)


def answer(value: object) -> Answer | None:
    """The 核查结果 cell: one of the answers, possibly followed by a reason (``不属实，系同名``)."""
    raw = text(value)
    if raw is None:
        return None
    s = squeeze(raw)
    if s in ANSWERS:
        return Answer(ANSWERS[s], False, None)
    if s in RECTIFIED_ANSWERS:
        return Answer("属实", True, None)
    # The longest known answer the cell starts with, followed by a separator and a reason (kept
    # as typed, full-width punctuation and all).
    known = {**{w: (a, False) for w, a in ANSWERS.items()}, **{w: ("属实", True) for w in RECTIFIED_ANSWERS}}
    for word in sorted(known, key=len, reverse=True):
        if len(word) > 1 and unicodedata.normalize("NFKC", raw[: len(word)]) == word:
            m = _AFTER_ANSWER.match(raw[len(word):])
            if m:
                reason = raw[len(word) + m.end():].strip()
                if reason[-1:] in "）)】]" and len(re.findall(r"[）)】\]]", reason)) > len(re.findall(r"[（(【\[]", reason)):
                    reason = reason[:-1].strip()
                result, rectified = known[word]
                return Answer(result, rectified or bool(reason and RECTIFIED_WORDS.search(reason)), reason or None)
    raise Unreadable(f"“{raw}”不是可识别的核查结果，请填写 属实、不属实 或 部分属实")


_YMD = re.compile(r"^(\d{4}|\d{2})[.\-/年](\d{1,2})[.\-/月](\d{1,2})[日号]?$")
_YMD_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MD = re.compile(r"^(\d{1,2})[.\-/月](\d{1,2})[日号]?$")
_YM_END = re.compile(r"^(?:(\d{4}|\d{2})[.\-/年])?(\d{1,2})月?(底|末|前|份)$")
_Y_END = re.compile(r"^(\d{4})年?(底|末)$")
_FIRST, _LAST = date(2000, 1, 1), date(2099, 12, 31)
_EXCEL_EPOCH = date(1899, 12, 30)


def _year(y: str) -> int:
    n = int(y)
    return 2000 + n if n < 100 else n


def _make(y: int, m: int, d: int, raw: str) -> date:
    try:
        out = date(y, m, d)
    except ValueError:
        raise Unreadable(f"“{raw}”不是有效的日期") from None
    if not _FIRST <= out <= _LAST:
        raise Unreadable(f"“{raw}”不在 2000 至 2099 年之间")
    return out


def _no_year(m: int, d: int | None, quarter: Quarter, raw: str) -> date:
    """A date written without its year: the first such day on or after the quarter's first day
    (a list of 2026Q3 answered ``10月8日`` -> 2026-10-08, ``1月5日`` -> 2027-01-05)."""
    for y in (quarter.year, quarter.year + 1):
        day = d if d is not None else monthrange(y, m)[1] if 1 <= m <= 12 else 1
        out = _make(y, m, day, raw)
        if out >= quarter.start:
            return out
    return out


def a_date(value: object, quarter: Quarter) -> date | None:
    """A date as people enter it (see the module doc); ``quarter`` supplies a missing year."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return _make(value.year, value.month, value.day, str(value))
    if isinstance(value, date):
        return _make(value.year, value.month, value.day, str(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 19000101 <= value <= 20991231:  # 20261008 typed as a number
            return a_date(str(int(value)), quarter)
        if 36526 <= value <= 73050:  # an Excel serial day number, 2000-01-01 .. 2099-12-31
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise Unreadable(f"“{value}”不是日期")
    raw = text(value)
    if raw is None:
        return None
    s = squeeze(raw).rstrip("。.")
    if m := _YMD.match(s):
        return _make(_year(m.group(1)), int(m.group(2)), int(m.group(3)), raw)
    if m := _YMD_COMPACT.match(s):
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw)
    if m := _MD.match(s):
        return _no_year(int(m.group(1)), int(m.group(2)), quarter, raw)
    if s.isdigit() and 36526 <= int(s) <= 73050:  # a serial number pasted as text
        return _EXCEL_EPOCH + timedelta(days=int(s))
    raise Unreadable(f"“{raw}”不是可识别的日期，请填写如 2026-10-15")


@dataclass(frozen=True)
class Deadline:
    when: date | None
    note: str | None


def deadline(value: object, quarter: Quarter) -> Deadline | None:
    """整改时限: a date, a month's end (``12月底``, ``2026年底``), or words such as 长期坚持."""
    if value is None or text(value) is None:
        return None
    try:
        return Deadline(a_date(value, quarter), None)
    except Unreadable as e:
        error = e
    raw = text(value)
    s = squeeze(raw)
    if m := _Y_END.match(s):
        return Deadline(_make(int(m.group(1)), 12, 31, raw), None)
    if s in ("年底", "年末", "本年底", "今年底"):
        return Deadline(_no_year(12, None, quarter, raw), None)
    if m := _YM_END.match(s):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise error
        if m.group(1):
            y = _year(m.group(1))
            return Deadline(_make(y, month, monthrange(y, month)[1], raw), None)
        return Deadline(_no_year(month, None, quarter, raw), None)
    if s in DEADLINE_WORDS:
        return Deadline(None, raw)
    raise Unreadable(f"“{raw}”不是可识别的整改时限，请填写日期（如 2026-12-31）或“长期坚持”“立行立改”")
