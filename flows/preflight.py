"""The cheap checks ``doudi run`` makes before Prefect starts, each refusing with one line of
Chinese (``UsageError``: exit 2, nothing written, not even the database file).

In this order: the input folder exists; the quarter parses (given, or the folder's name); the
folder (or its sub-folder named after the quarter) holds at least one file of a form doudi reads;
the policy file loads; the tables named by ``--allow-missing`` exist.  What needs the files read
(a folder whose files hold no table, a quarter missing a table) is refused by ``run_quarter``
before it writes anything, and reaches the command line as the same ``UsageError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from contracts.sources import TABLES
from pipeline.errors import UsageError
from pipeline.ingest.files import EXCEL_SUFFIXES, TEXT_SUFFIXES, list_files
from pipeline.policy import Policy, PolicyError, load_policy
from pipeline.quarter import Quarter

READABLE_SUFFIXES = EXCEL_SUFFIXES + TEXT_SUFFIXES


@dataclass(frozen=True)
class RunPlan:
    folder: Path
    quarter: str
    policy: Policy
    allow_missing: list[str]


def quarter_folder(root: Path, quarter: str) -> Path:
    """``root/2026Q3`` when ``root`` holds the quarter's folder (a root of quarterly exports), else ``root``."""
    return root / quarter if (root / quarter).is_dir() else root


def check_folder(input_dir: Path) -> Path:
    if not input_dir.exists():
        raise UsageError(f"输入目录 {input_dir} 不存在")
    if not input_dir.is_dir():
        raise UsageError(f"{input_dir} 不是目录：--input 应为本季度导出文件所在的目录")
    return input_dir


def check_quarter(input_dir: Path, quarter: str | None) -> str:
    if quarter is not None:
        return str(Quarter.parse(quarter))
    try:
        return str(Quarter.parse(input_dir.name))
    except UsageError:
        raise UsageError(f"目录名 {input_dir.name} 不是季度：请用 --quarter 指明季度（如 2026Q3）") from None


def check_files(folder: Path) -> None:
    files = list_files(folder)
    if not files:
        raise UsageError(f"输入目录 {folder} 是空的：没有要比对的导出文件")
    if not any(path.suffix.lower() in READABLE_SUFFIXES for path, _ in files):
        kinds = "、".join(sorted({path.suffix.lower() or "无扩展名" for path, _ in files}))
        raise UsageError(
            f"输入目录 {folder} 中没有 Excel 或 CSV 文件（{'/'.join(READABLE_SUFFIXES)}），只有 {len(files)} 个 {kinds} 文件"
        )


def check_policy(path: Path | None) -> Policy:
    try:
        return load_policy(path)
    except IsADirectoryError:
        raise PolicyError(f"政策文件 {path} 是一个目录，应为 .toml 文件") from None


def check_allow_missing(text: str | None) -> list[str]:
    """``dibao,linshi`` -> ``["dibao", "linshi"]``; a name that is no input table is refused."""
    names = [n.strip() for n in (text or "").replace("，", ",").split(",") if n.strip()]
    unknown = [n for n in names if n not in TABLES]
    if unknown:
        known = "、".join(f"{name}（{t.title}）" for name, t in TABLES.items())
        raise UsageError(f"--allow-missing 中的 {'、'.join(unknown)} 不是输入表名；可用：{known}")
    return names


def check_run(input_dir: Path, quarter: str | None, policy: Path | None, allow_missing: str | None) -> RunPlan:
    """Every check above, in order; the first that fails raises ``UsageError``."""
    root = check_folder(input_dir)
    quarter = check_quarter(root, quarter)
    folder = quarter_folder(root, quarter)
    check_files(folder)
    return RunPlan(folder, quarter, check_policy(policy), check_allow_missing(allow_missing))
