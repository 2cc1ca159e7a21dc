"""The policy file: every number a screening rule reads (rules.md, "Policy parameters").

``load_policy(path)`` reads a TOML file and refuses, naming the key, any unknown key, any missing
key and any value of the wrong type.  Rules never hold numbers of their own: they read them from
the ``Policy`` returned here (scalars are bound into the SQL as ``$key``).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.sources import TABLES
from pipeline.errors import UsageError

DEFAULT_POLICY = Path(__file__).with_name("policy_default.toml")

DISABILITY_CATEGORIES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")
ORPHAN_CATEGORIES = ("集中养育孤儿", "社会散居孤儿", "事实无人抚养儿童")
DIBAO_CATEGORIES = ("一类", "二类", "三类", "四类")


class PolicyError(UsageError):
    """A policy file that cannot be used; the message names the file and the key."""


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _whole(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


# key -> (check, what the value must be, in words)
_SCALARS: dict[str, tuple[Any, str]] = {
    "dibao_monthly_standard": (_number, "数值（元/人/月）"),
    "low_income_multiple": (_number, "数值（倍数）"),
    "exit_income_multiple": (_number, "数值（倍数）"),
    "gradual_exit_months": (_whole, "整数（月）"),
    "tekun_min_age": (_whole, "整数（岁）"),
    "elderly_min_age": (_whole, "整数（岁）"),
    "advanced_age": (_whole, "整数（岁）"),
    "urgent_out_of_pocket": (_number, "数值（元）"),
    "expense_relief_multiple": (_number, "数值（倍数）"),
    "subsidy_dibao": (_number, "数值（元/人/年）"),
    "subsidy_monitored": (_number, "数值（元/人/年）"),
    "aid_ratio_key": (_number, "数值（比例）"),
    "aid_ratio_low_income": (_number, "数值（比例）"),
    "village_visit_missing_weeks_allowed": (_whole, "整数（周）"),
}
_STRUCTURED = (
    "orphan_standard",
    "living_subsidy",
    "care_subsidy",
    "major_illness_keywords",
    "residence_precedence",
)
KEYS = (*_SCALARS, *_STRUCTURED)


@dataclass(frozen=True)
class CareSubsidy:
    grade: int
    categories: tuple[str, ...]
    amount: float


@dataclass(frozen=True)
class Policy:
    source: str
    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def care_subsidy(self) -> tuple[CareSubsidy, ...]:
        return tuple(
            CareSubsidy(int(r["grade"]), tuple(r["categories"]), float(r["amount"]))
            for r in self.values["care_subsidy"]
        )

    def scalars(self) -> dict[str, float | int]:
        """The scalar parameters, for binding into rule SQL as ``$name``."""
        return {k: self.values[k] for k in _SCALARS}

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def to_json(self) -> str:
        return json.dumps(self.values, ensure_ascii=False, sort_keys=True)


def _refuse(path: Path, key: str, why: str) -> PolicyError:
    return PolicyError(f"政策文件 {path}: 参数 {key} {why}")


def _check_map(path: Path, key: str, value: Any, names: tuple[str, ...]) -> None:
    if not isinstance(value, dict):
        raise _refuse(path, key, f"应为表（{'、'.join(names)} = 金额），实为 {value!r}")
    for name in value:
        if name not in names:
            raise _refuse(path, f"{key}.{name}", f"未知（可用：{'、'.join(names)}）")
    for name in names:
        if name not in value:
            raise _refuse(path, f"{key}.{name}", "缺失")
        if not _number(value[name]):
            raise _refuse(path, f"{key}.{name}", f"应为数值，实为 {value[name]!r}")


def _check_care(path: Path, value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise _refuse(path, "care_subsidy", "应为非空列表 [{grade, categories, amount}, ...]")
    for i, row in enumerate(value):
        at = f"care_subsidy[{i}]"
        if not isinstance(row, dict):
            raise _refuse(path, at, f"应为 {{grade, categories, amount}}，实为 {row!r}")
        for extra in set(row) - {"grade", "categories", "amount"}:
            raise _refuse(path, f"{at}.{extra}", "未知")
        if not _whole(row.get("grade")) or not 1 <= row["grade"] <= 4:
            raise _refuse(path, f"{at}.grade", f"应为 1..4 的整数，实为 {row.get('grade')!r}")
        cats = row.get("categories")
        if not isinstance(cats, list) or not all(c in DISABILITY_CATEGORIES for c in cats):
            raise _refuse(path, f"{at}.categories", f"应为残疾类别列表（{'、'.join(DISABILITY_CATEGORIES)}），实为 {cats!r}")
        if not _number(row.get("amount")):
            raise _refuse(path, f"{at}.amount", f"应为数值，实为 {row.get('amount')!r}")


def _check_strings(path: Path, key: str, value: Any, allowed: tuple[str, ...] | None = None) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _refuse(path, key, f"应为文字列表，实为 {value!r}")
    if allowed is not None:
        for v in value:
            if v not in allowed:
                raise _refuse(path, key, f"含未知表 {v!r}（可用：{'、'.join(allowed)}）")


def validate_policy(values: dict[str, Any], path: Path) -> Policy:
    for key in values:
        if key not in KEYS:
            raise _refuse(path, key, "未知（不是 rules.md 所列参数）")
    for key in KEYS:
        if key not in values:
            raise _refuse(path, key, "缺失")
    for key, (check, what) in _SCALARS.items():
        if not check(values[key]):
            raise _refuse(path, key, f"应为{what}，实为 {values[key]!r}")
    _check_map(path, "orphan_standard", values["orphan_standard"], ORPHAN_CATEGORIES)
    _check_map(path, "living_subsidy", values["living_subsidy"], DIBAO_CATEGORIES)
    _check_care(path, values["care_subsidy"])
    _check_strings(path, "major_illness_keywords", values["major_illness_keywords"])
    _check_strings(path, "residence_precedence", values["residence_precedence"], tuple(TABLES))
    return Policy(str(path), values)


def load_policy(path: Path | str | None = None) -> Policy:
    """Read and check a policy TOML file (the shipped default when ``path`` is None)."""
    path = Path(path) if path is not None else DEFAULT_POLICY
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"政策文件 {path} 不存在") from None
    except tomllib.TOMLDecodeError as e:
        raise PolicyError(f"政策文件 {path} 不是有效的 TOML：{e}") from None
    return validate_policy(values, path)
