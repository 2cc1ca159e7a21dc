"""``doudi review``: doubtful record pairs out to a person (export) and the decisions back (import)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from flows.cli_help import Command, Group, refuse

review_app = typer.Typer(
    cls=Group,
    help="疑似同一人：导出待人工判断的记录对，导回判断结果。",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

DbOption = Annotated[Path, typer.Option("--db", metavar="文件", help="DuckDB 数据库文件")]


@review_app.command("export", cls=Command, epilog="示例：doudi review export --quarter 2026Q3 --township 城关镇 --db county.duckdb")
def review_export(
    quarter: Annotated[Optional[str], typer.Option("--quarter", metavar="季度", help="季度，如 2026Q3 [默认：数据库中最近的季度]")] = None,
    township: Annotated[Optional[str], typer.Option("--township", metavar="乡镇", help="只导出涉及该乡镇的记录对")] = None,
    db: DbOption = Path("doudi.duckdb"),
    reports: Annotated[Path, typer.Option("--reports", metavar="目录", help="输出目录")] = Path("reports"),
) -> None:
    """导出疑似同一人核对表：每对记录逐项对照，附得分与依据，下拉选择 同一人 / 不是同一人 / 无法判断。"""
    from rich.console import Console

    from pipeline.errors import UsageError
    from pipeline.review.export import export_review, minutes

    console = Console()
    try:
        xlsx, page, n = export_review(db, reports, quarter, township)
    except UsageError as e:
        refuse(str(e), 2)
    console.print(f"共 {n} 对待判断（约 {minutes(n)} 分钟）：\n  {xlsx}\n  {page}")


@review_app.command("import", cls=Command, epilog="示例：doudi review import 核对表（已填）.xlsx --db county.duckdb")
def review_import(
    files: Annotated[list[Path], typer.Argument(metavar="核对表...", help="填好的疑似同一人核对表（.xlsx / .xls，可改名）")],
    db: DbOption = Path("doudi.duckdb"),
    quarter: Annotated[Optional[str], typer.Option("--quarter", metavar="季度", help="核对表导出的季度 [默认：从核对表本身读出]")] = None,
) -> None:
    """导入人工判断：写入 link_decisions 表；下次运行（任何季度）起生效。"""
    from rich.console import Console
    from rich.table import Table

    from pipeline.errors import UsageError
    from pipeline.review.importer import import_review
    from pipeline.store import DatabaseBusy

    console = Console()
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        refuse(f"文件不存在：{'、'.join(missing)}", 2)
    try:
        result = import_review(files, db, quarter)
    except UsageError as e:
        refuse(str(e), 2)
    except DatabaseBusy as e:
        refuse(str(e), 3)
    t = Table(title=f"导入 {db}：link_decisions")
    for c in ("文件", "季度", "读出的判断", "未判断的对"):
        t.add_column(c, overflow="fold")
    for r in result.reads:
        t.add_row(r.file, r.quarter or "?", str(len(r.rows)), str(r.undecided))
    console.print(t)
    for i in result.issues:
        console.print(f"[yellow]{i}")
    shown = "、".join(f"{d} {n} 对" for d, n in sorted(result.counts.items()))
    console.print(f"共导入 {result.imported} 对判断{'（' + shown + '）' if shown else ''}；下次运行起生效。")
    if result.issues:
        raise typer.Exit(1)
