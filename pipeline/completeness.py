"""Is the quarter complete enough to compare (outputs.md, Reliability)?

Every table of inputs.md must be found in the folder (a sheet recognised as it, even with no
rows).  A table that is not found stops the run before anything is written, naming it and why
(no file of it, or the folder's unreadable files), unless the analyst says the county does not
export it (``--allow-missing`` or the policy's ``tables_not_exported``).  The rules that read a
table not exported (``-- reads:`` in their SQL header) are not run: they are 未筛查 this quarter,
and their open cases of the previous quarter are carried (延续, 本季未复核), never 销号.
A table whose accepted rows fall by more than a third against the previous quarter is flagged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import polars as pl

from contracts.sources import TABLES
from pipeline.errors import IncompleteQuarter, UsageError
from pipeline.prepare import Prepared
from pipeline.rules.sqlfiles import load_rules

# outputs.md: "accepted rows fall by more than a third against the previous quarter".
VOLUME_DROP_SHARE = 1 / 3


@dataclass
class Completeness:
    missing_tables: list[str] = field(default_factory=list)  # required, absent: the run stops
    not_exported: list[str] = field(default_factory=list)  # absent and declared not exported
    unscreened_rules: list[str] = field(default_factory=list)  # rules not run this quarter
    volume_drops: list[dict] = field(default_factory=list)  # {table, previous, current}

    def to_dict(self) -> dict:
        return asdict(self)


def table_words(names) -> str:
    return "、".join(f"{TABLES[n].title}（{n}）" for n in names)


def unknown_tables(names) -> list[str]:
    return [n for n in names if n not in TABLES]


def _refuse_unknown(names, where: str) -> None:
    unknown = unknown_tables(names)
    if unknown:
        raise UsageError(f"{where}中的 {'、'.join(unknown)} 不是输入表；可用的表名：{'、'.join(TABLES)}")


def _unreadable_files(prepared: Prepared) -> list[str]:
    """Files (and sheets) rejected whole: unreadable, cut short, or holding no table."""
    whole = prepared.rejected.filter(pl.col("row_number").is_null())
    return sorted({f"{r['file_name']} {r['sheet_name']}".strip() for r in whole.iter_rows(named=True)})


def check_completeness(
    prepared: Prepared, input_dir, not_exported: list[str], previous_rows: dict[str, int]
) -> Completeness:
    """The quarter's completeness; raises ``IncompleteQuarter`` when a table is missing and was not
    declared not exported, ``UsageError`` when no file of the folder holds a table at all."""
    _refuse_unknown(not_exported, "声明不导出的表（--allow-missing / tables_not_exported）")
    found = prepared.recognised_tables
    unreadable = _unreadable_files(prepared)
    if not found:
        why = f"；无法识别或无法读取的文件：{'、'.join(unreadable)}" if unreadable else ""
        raise UsageError(f"目录 {input_dir} 中没有可识别的导出表{why}")
    absent = [name for name in TABLES if name not in found]
    missing = [name for name in absent if name not in not_exported]
    if missing:
        why = f"（目录中无法读取或无法识别的文件：{'、'.join(unreadable)}）" if unreadable else "（目录中没有这些表的文件）"
        raise IncompleteQuarter(
            f"本季度缺少 {table_words(missing)}{why}。补齐导出文件后重新运行；如本县确实不导出，"
            f"用 --allow-missing {','.join(missing)} 或在政策文件 tables_not_exported 中声明（相关规则将标为未筛查）"
        )
    declared = [name for name in absent if name in not_exported]
    unscreened = [r.code for r in load_rules() if set(r.reads) & set(declared)]
    return Completeness([], declared, unscreened, volume_drops(prepared, previous_rows))


def volume_drops(prepared: Prepared, previous_rows: dict[str, int]) -> list[dict]:
    """Tables whose accepted rows fell by more than a third against the previous quarter."""
    now = prepared.accepted_rows
    drops = []
    for name, before in sorted(previous_rows.items()):
        current = now.get(name, 0)
        if before and (before - current) > VOLUME_DROP_SHARE * before:
            drops.append({"table": name, "previous": int(before), "current": int(current)})
    return drops
