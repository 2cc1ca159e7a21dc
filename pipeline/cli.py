"""``doudi``: the command line.  ``doudi run`` with no arguments reconciles the bundled county."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

app = typer.Typer(help="doudi 兜底保障信息比对：县民政局季度比对与“九过筛子”清单", no_args_is_help=True, add_completion=False)

BUNDLED = Path(__file__).resolve().parent.parent / "sample_data" / "county"
BUNDLED_QUARTER = "2026Q3"


def _resolve_input(input_dir: Path | None, quarter: str | None) -> tuple[Path, str]:
    if input_dir is None:
        quarter = quarter or BUNDLED_QUARTER
        return BUNDLED / quarter, quarter
    if quarter is None:
        from pipeline.quarter import Quarter

        try:
            quarter = str(Quarter.parse(input_dir.name))
        except ValueError:
            raise typer.BadParameter("请用 --quarter 指明季度（如 2026Q3）", param_hint="--quarter") from None
    return input_dir, quarter


@app.command()
def run(
    input_dir: Path = typer.Option(None, "--input", help="本季度导出文件所在目录（默认：自带的示例县）"),
    quarter: str = typer.Option(None, "--quarter", help="季度，如 2026Q3（默认取目录名）"),
    policy: Path = typer.Option(None, "--policy", help="政策参数 TOML 文件（默认：自带的默认政策）"),
    db: Path = typer.Option(Path("doudi.duckdb"), "--db", help="DuckDB 数据库文件"),
    reports: Path = typer.Option(Path("reports"), "--reports", help="乡镇清单与县汇总的输出目录"),
) -> None:
    """比对一个季度：读取、校验、识别人员、筛查，写入 DuckDB 与乡镇清单。"""
    from rich.console import Console

    from pipeline.policy import PolicyError, load_policy
    from pipeline.progress import RichProgress
    from pipeline.store import DatabaseBusy

    console = Console(stderr=True)
    input_dir, quarter = _resolve_input(input_dir, quarter)
    try:
        load_policy(policy)  # refuse a bad policy before Prefect starts
    except PolicyError as e:
        console.print(f"[red]{e}")
        raise typer.Exit(2)
    if not input_dir.is_dir():
        console.print(f"[red]输入目录 {input_dir} 不存在")
        raise typer.Exit(2)
    os.environ.setdefault("PREFECT_HOME", str(Path.home() / ".prefect"))
    console.print(f"doudi run：{input_dir} → {db}（{quarter}）")
    from flows.quarterly import quarterly, show_progress

    show_progress(RichProgress(console))
    try:
        result = quarterly(str(input_dir), quarter, str(policy) if policy else None, str(db), str(reports))
    except DatabaseBusy as e:
        console.print(f"[red]{e}")
        raise typer.Exit(3)
    except Exception as e:  # the run failed: say why, exit non-zero (runs records it too)
        console.print(f"[red]运行失败：{type(e).__name__}: {e}")
        raise typer.Exit(1)
    _summary(console, result)


def _summary(console, result) -> None:
    from rich.table import Table

    t = Table(title=f"{result.quarter} 运行 {result.run_id}")
    t.add_column("表")
    t.add_column("行数", justify="right")
    for name, n in result.counts.items():
        t.add_row(name, f"{n:,}")
    console.print(t)
    if result.problem_sheets:
        console.print(f"[yellow]{len(result.problem_sheets)} 个文件或工作表未能识别，其行已记入 rejected_rows：")
        for p in result.problem_sheets:
            console.print(f"  - {p}")
    console.print(f"未采用的行：{result.rejected_rows:,}（见 rejected_rows 表）")
    console.print(f"数据库：{result.db_path}  （duckdb {result.db_path} \"SELECT * FROM runs\"）")


@app.command()
def runs(db: Path = typer.Option(Path("doudi.duckdb"), "--db", help="DuckDB 数据库文件")) -> None:
    """运行记录：每次运行的季度、时间、状态、输入与各表行数。"""
    import duckdb
    from rich.console import Console
    from rich.table import Table

    if not db.exists():
        typer.echo(f"数据库 {db} 不存在", err=True)
        raise typer.Exit(2)
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.sql(
            "SELECT run_id, quarter, status, started_at, finished_at, "
            "date_diff('second', started_at, finished_at) AS seconds, "
            "json_array_length(files) AS files, counts->>'$.source_records' AS records, "
            "counts->>'$.rejected_rows' AS rejected, error FROM runs ORDER BY started_at"
        ).fetchall()
    t = Table(title=f"{db} 运行记录")
    for c in ("run_id", "季度", "状态", "开始", "结束", "秒", "文件", "记录", "未采用", "错误"):
        t.add_column(c)
    for r in rows:
        t.add_row(*["" if v is None else str(v) for v in r])
    Console().print(t)


def main() -> None:  # pragma: no cover
    sys.exit(app())
