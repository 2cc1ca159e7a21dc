"""The policy file: every number a screening rule reads (rules.md, "Policy parameters").

``load_policy(path)`` reads a TOML file (UTF-8 with or without BOM, or GBK / GB18030 as Windows
Notepad saves it) and checks it against ``PolicyModel`` before anything runs: an unknown key, a
missing key, a value of the wrong type or out of range (money and standards above 0, ratios within
0..1, ages 0..120, months 1..60, lists not empty, tables named in inputs.md) is refused in one
line of Chinese naming the file, the key and the rule.  Rules never hold numbers of their own:
they read them from the ``Policy`` returned here (scalars are bound into the SQL as ``$key``).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator

from contracts.sources import TABLES
from pipeline.errors import UsageError

DEFAULT_POLICY = Path(__file__).with_name("policy_default.toml")

DISABILITY_CATEGORIES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")
ORPHAN_CATEGORIES = ("集中养育孤儿", "社会散居孤儿", "事实无人抚养儿童")
DIBAO_CATEGORIES = ("一类", "二类", "三类", "四类")


class PolicyError(UsageError):
    """A policy file that cannot be used; the message names the file and the key."""


# --- the declared model: what each key must hold ---------------------------------------

_STRICT = ConfigDict(extra="forbid", strict=True)
Money = Annotated[float, Field(gt=0, description="金额")]  # 元: a standard, a subsidy, a threshold
Multiple = Annotated[float, Field(gt=0, description="倍数")]
Ratio = Annotated[float, Field(ge=0, le=1, description="比例")]
Age = Annotated[int, Field(ge=0, le=120, description="周岁")]
Months = Annotated[int, Field(ge=1, le=60, description="月数")]
Weeks = Annotated[int, Field(ge=0, le=14, description="周数")]  # a quarter has 13 weeks and a day or two
TableName = Literal[tuple(TABLES)]  # type: ignore[valid-type]
Keyword = Annotated[str, Field(min_length=1)]
Category = Literal[DISABILITY_CATEGORIES]  # type: ignore[valid-type]


def _standards(name: str, categories: tuple[str, ...]) -> type[BaseModel]:
    """A table ``{ 类别 = 金额, ... }`` holding exactly these categories."""
    return create_model(name, __config__=_STRICT, **{c: (Money, ...) for c in categories})


OrphanStandard = _standards("OrphanStandard", ORPHAN_CATEGORIES)
LivingSubsidy = _standards("LivingSubsidy", DIBAO_CATEGORIES)


class CareSubsidyRule(BaseModel):
    model_config = _STRICT
    grade: Annotated[int, Field(ge=1, le=4, description="等级")]
    categories: Annotated[list[Category], Field(min_length=1)]
    amount: Money


class PolicyModel(BaseModel):
    """Every key of the policy file and the values it may hold (rules.md, "Policy parameters")."""

    model_config = _STRICT
    dibao_monthly_standard: Money
    low_income_multiple: Multiple
    exit_income_multiple: Multiple
    gradual_exit_months: Months
    tekun_min_age: Age
    elderly_min_age: Age
    advanced_age: Age
    urgent_out_of_pocket: Money
    expense_relief_multiple: Multiple
    subsidy_dibao: Money
    subsidy_monitored: Money
    aid_ratio_key: Ratio
    aid_ratio_low_income: Ratio
    village_visit_missing_weeks_allowed: Weeks
    orphan_standard: OrphanStandard  # type: ignore[valid-type]
    living_subsidy: LivingSubsidy  # type: ignore[valid-type]
    care_subsidy: Annotated[list[CareSubsidyRule], Field(min_length=1)]
    major_illness_keywords: Annotated[list[Keyword], Field(min_length=1)]
    residence_precedence: Annotated[list[TableName], Field(min_length=1)]
    # The only key with a default: a policy file written before it existed still loads.
    tables_not_exported: list[TableName] = Field(default_factory=list)

    @field_validator("care_subsidy")
    @classmethod
    def _one_amount_per_grade_and_category(cls, rules: list[CareSubsidyRule]) -> list[CareSubsidyRule]:
        seen: dict[tuple[int, str], int] = {}
        for i, rule in enumerate(rules):
            for category in rule.categories:
                if (rule.grade, category) in seen:
                    first = seen[(rule.grade, category)]
                    raise ValueError(f"{rule.grade} 级{category}残疾在 care_subsidy[{first}] 和 care_subsidy[{i}] 中重复")
                seen[(rule.grade, category)] = i
        return rules


_STRUCTURED = (
    "orphan_standard",
    "living_subsidy",
    "care_subsidy",
    "major_illness_keywords",
    "residence_precedence",
    "tables_not_exported",
)
KEYS = tuple(PolicyModel.model_fields)
_SCALARS = tuple(k for k in KEYS if k not in _STRUCTURED)


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

    @property
    def tables_not_exported(self) -> tuple[str, ...]:
        """The tables this county does not export: a quarter without them is still complete."""
        return tuple(self.values.get("tables_not_exported", ()))

    def scalars(self) -> dict[str, float | int]:
        """The scalar parameters, for binding into rule SQL as ``$name``."""
        return {k: self.values[k] for k in _SCALARS}

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def to_json(self) -> str:
        return json.dumps(self.values, ensure_ascii=False, sort_keys=True)


# --- the refusal, in one line of Chinese ------------------------------------------------

_TYPE_WORDS = {
    "int_type": "应为整数",
    "float_type": "应为数值",
    "string_type": "应为文字",
    "list_type": "应为列表 [...]",
    "dict_type": "应为表 { 名称 = 值, ... }",
    "model_type": "应为表 { 名称 = 值, ... }",
}


def _key(loc: tuple) -> str:
    """``("care_subsidy", 0, "grade")`` -> ``care_subsidy[0].grade``."""
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key


def _shown(value: Any) -> str:
    """The value as it stands in the TOML file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _bounds(loc: tuple) -> tuple[float, float] | None:
    """(ge, le) of a top-level key declared with both, e.g. a ratio's (0, 1)."""
    field = PolicyModel.model_fields.get(loc[0]) if len(loc) == 1 else None
    found = {k: getattr(m, k) for m in (field.metadata if field else ()) for k in ("ge", "le") if hasattr(m, k)}
    return (found["ge"], found["le"]) if len(found) == 2 else None


def _rule(error: dict) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in _TYPE_WORDS:
        return _TYPE_WORDS[kind]
    bounds = _bounds(error["loc"]) if kind in ("greater_than_equal", "less_than_equal") else None
    if bounds:
        return f"应在 {bounds[0]:g} 到 {bounds[1]:g} 之间"
    if kind == "greater_than":
        return f"应大于 {ctx['gt']:g}"
    if kind == "greater_than_equal":
        return f"应不小于 {ctx['ge']:g}"
    if kind == "less_than_equal":
        return f"应不大于 {ctx['le']:g}"
    if kind == "too_short":
        return "不能为空"
    if kind == "value_error":
        return str(ctx["error"])
    if kind == "literal_error":
        names = ctx["expected"].replace(" or ", ", ").replace("'", "").split(", ")
        return f"应为以下之一：{'、'.join(names)}"
    return error["msg"]


def _refusal(path: Path | str, err: ValidationError) -> PolicyError:
    """The first problem (unknown keys first, then missing ones, then values), naming the key."""
    order = {"extra_forbidden": 0, "missing": 1}
    error = min(err.errors(), key=lambda e: order.get(e["type"], 2))
    key = _key(error["loc"])
    if error["type"] == "extra_forbidden":
        why = f"{key} 未知（不是 rules.md 所列参数）"
    elif error["type"] == "missing":
        why = f"{key} 缺失"
    elif error["type"] == "value_error":  # a rule across entries: the entries are named in the rule
        why = f"{key} 不对，{_rule(error)}"
    else:
        why = f"{key} = {_shown(error['input'])} 不对，{_rule(error)}"
    return PolicyError(f"政策文件 {path}：{why}")


def validate_policy(values: dict[str, Any], path: Path | str) -> Policy:
    """Check ``values`` against ``PolicyModel``; refuse the first problem naming the key."""
    try:
        PolicyModel.model_validate(values)
    except ValidationError as err:
        raise _refusal(path, err) from None
    return Policy(str(path), {"tables_not_exported": [], **values})


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def policy_text(data: bytes) -> str:
    """A policy file's text: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030
    (Windows Notepad's "ANSI" on a Chinese system)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding).lstrip("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def load_policy(path: Path | str | None = None) -> Policy:
    """Read and check a policy TOML file (the shipped default when ``path`` is None)."""
    path = Path(path) if path is not None else DEFAULT_POLICY
    try:
        values = tomllib.loads(policy_text(path.read_bytes()))
    except FileNotFoundError:
        raise PolicyError(f"政策文件 {path} 不存在") from None
    except UnicodeDecodeError:
        raise PolicyError(f"政策文件 {path} 不是文本文件（请用记事本另存为 UTF-8）") from None
    except tomllib.TOMLDecodeError as e:
        raise PolicyError(f"政策文件 {path} 不是有效的 TOML：{e}") from None
    return validate_policy(values, path)
