"""``doudi``: the command line.  ``doudi run`` with no arguments reconciles the bundled county.

It lives in ``flows/`` because ``doudi run`` starts the Prefect flow; ``pipeline/`` never imports it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(help="doudi 兜底保障信息比对：县民政局季度比对与“九过筛子”清单", no_args_is_help=True, add_completion=False)

# Options several commands share, declared once.
DbOption = Annotated[Path, typer.Option("--db", help="DuckDB 数据库文件")]
ReportsOption = Annotated[Path, typer.Option("--reports", help="乡镇清单与县汇总的输出目录")]
PolicyOption = Annotated[Optional[Path], typer.Option("--policy", help="政策参数 TOML 文件（默认：自带的默认政策）")]

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
    policy: PolicyOption = None,
    db: DbOption = Path("doudi.duckdb"),
    reports: ReportsOption = Path("reports"),
    dask: bool = typer.Option(False, "--dask", help="在 Dask 集群上分县并行读取、规范化与校验文件（需 pip install \"doudi\\[dask]\"；默认本机起 2 个 worker）"),
    dask_address: str = typer.Option(
        None, "--dask-address", envvar="DOUDI_DASK_ADDRESS", help="Dask 调度器地址，如 tcp://scheduler:8786（隐含 --dask）"
    ),
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
    from flows.quarterly import quarterly, quarterly_on_dask, show_progress

    if dask or dask_address:
        try:
            quarterly = quarterly_on_dask(dask_address)
        except RuntimeError as e:  # the dask extra is not installed
            console.print(f"[red]{e}")
            raise typer.Exit(2)
        console.print(f"文件读取在 Dask 上并行：{dask_address or '本机 2 个 worker'}")
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
    console.print(f"数据库：{result.db_path}  （查看：doudi runs --db {result.db_path}；查询：doudi sql \"SELECT * FROM missed_cases\" --db {result.db_path}）")


RUNS_SQL = """
SELECT run_id, quarter, status, started_at, finished_at,
       round(date_diff('millisecond', started_at, finished_at) / 1000.0, 1) AS seconds,
       input_dir,
       json_array_length(files) AS files,
       (SELECT sum(x::BIGINT) FROM (SELECT unnest(json_extract(files, '$[*].data_rows')) AS x)) AS data_rows,
       (counts->>'$.source_records')::BIGINT AS accepted,
       (counts->>'$.rejected_rows')::BIGINT AS rejected,
       (counts->>'$.cases')::BIGINT AS cases,
       error
FROM runs
ORDER BY started_at DESC
LIMIT ?
"""


@app.command()
def sql(
    query: str = typer.Argument(..., help="SQL 查询，如 \"SELECT * FROM missed_cases LIMIT 10\""),
    db: DbOption = Path("doudi.duckdb"),
    csv: Path = typer.Option(None, "--csv", help="把结果另存为 CSV（UTF-8 带 BOM，Excel 可直接打开）"),
) -> None:
    """只读查询数据库（无需另装 DuckDB 命令行）。"""
    import duckdb

    if not db.exists():
        typer.echo(f"数据库 {db} 不存在", err=True)
        raise typer.Exit(2)
    with duckdb.connect(str(db), read_only=True) as con:
        try:
            frame = con.sql(query).pl()
        except duckdb.Error as e:
            typer.echo(f"查询出错：{e}", err=True)
            raise typer.Exit(1)
    if csv is not None:
        frame.write_csv(csv, include_bom=True)
        typer.echo(f"{frame.height} 行已写入 {csv}", err=True)
    import polars as pl

    with pl.Config(tbl_rows=50, tbl_cols=-1, fmt_str_lengths=60, tbl_width_chars=200):
        typer.echo(str(frame))


@app.command()
def report(
    quarter: str = typer.Option(None, "--quarter", help="季度，如 2026Q3（默认：数据库中最新的季度）"),
    db: DbOption = Path("doudi.duckdb"),
    reports: ReportsOption = Path("reports"),
    policy: Path = typer.Option(None, "--policy", help="写入第九张表（政策一口清）的政策文件（默认：该季度运行时所用的政策）"),
) -> None:
    """从数据库重新生成乡镇清单与县汇总，不重新运行比对。"""
    import duckdb
    from rich.console import Console

    from pipeline.policy import PolicyError, load_policy, validate_policy
    from pipeline.report import write_reports

    console = Console(stderr=True)
    if not db.exists():
        console.print(f"[red]数据库 {db} 不存在")
        raise typer.Exit(2)
    with duckdb.connect(str(db), read_only=True) as con:
        if quarter is None:
            row = con.execute("SELECT max(quarter) FROM cases").fetchone()
            quarter = row[0] if row else None
        run = con.execute(
            "SELECT policy, policy_path FROM runs WHERE quarter = ? AND status = 'succeeded' ORDER BY started_at DESC LIMIT 1",
            [quarter],
        ).fetchone()
    if quarter is None or run is None:
        console.print(f"[red]数据库 {db} 中没有{'季度 ' + quarter + ' 的' if quarter else ''}成功运行记录")
        raise typer.Exit(2)
    try:
        used = load_policy(policy) if policy else validate_policy(json.loads(run[0]), Path(run[1] or "runs.policy"))
    except PolicyError as e:
        console.print(f"[red]{e}")
        raise typer.Exit(2)
    files = write_reports(db, quarter, reports, used)
    console.print(f"{quarter}：写出 {len(files.written)} 个文件到 {reports / quarter}")
    for p in files.written:
        console.print(f"  - {p.relative_to(reports / quarter)}")
    for message in files.messages:
        console.print(f"[red]{message}")
    if files.locked:
        raise typer.Exit(1)


@app.command()
def runs(
    db: DbOption = Path("doudi.duckdb"),
    limit: int = typer.Option(20, "--limit", help="显示最近多少次运行"),
    run_id: str = typer.Option(None, "--run", help="显示一次运行的输入文件与各阶段用时"),
) -> None:
    """运行记录：每次运行的季度、时间、用时、状态、输入与各表行数。"""
    import duckdb
    from rich.console import Console
    from rich.table import Table

    if not db.exists():
        typer.echo(f"数据库 {db} 不存在", err=True)
        raise typer.Exit(2)
    console = Console()
    with duckdb.connect(str(db), read_only=True) as con:
        if run_id:
            _run_detail(con, console, run_id)
            return
        rows = con.execute(RUNS_SQL, [limit]).fetchall()
    t = Table(title=f"{db} 运行记录（最近 {limit} 次，新的在前）")
    for c in ("运行编号", "季度", "状态", "开始", "秒", "输入目录", "文件", "数据行", "采用", "未采用", "问题", "错误"):
        folds = c in ("运行编号", "输入目录", "错误")
        t.add_column(c, overflow="fold", no_wrap=not folds, justify="left" if folds or c in ("季度", "状态", "开始") else "right")
    for run_id_, quarter, status, started, _finished, *rest, error in rows:
        error = error if error is None or len(error) <= 40 else error[:40] + "…（详见 --run）"
        t.add_row(run_id_, quarter, status, f"{started:%Y-%m-%d %H:%M}", *["" if v is None else str(v) for v in rest], error or "")
    console.print(t)
    console.print("一次运行的明细：doudi runs --run <run_id>")


def _run_detail(con, console, run_id: str) -> None:
    import json

    from rich.table import Table

    row = con.execute("SELECT quarter, status, input_dir, policy_path, code_version, counts, stage_seconds, error FROM runs WHERE run_id = ?", [run_id]).fetchall()
    row = row[0] if row else None
    if row is None:
        console.print(f"[red]没有运行 {run_id}")
        raise typer.Exit(2)
    quarter, status, input_dir, policy_path, version, counts, seconds, error = row
    console.print(f"运行 {run_id}：{quarter} {status}，输入 {input_dir}，政策 {policy_path or '默认'}，{version}")
    if error:
        console.print(f"[red]{error}")
    files = con.execute(
        "SELECT file_name, sheet_name, source_table, data_rows, accepted_rows, rejected_rows, left(sha256, 12), message "
        "FROM run_files WHERE run_id = ? ORDER BY file_name, sheet_name",
        [run_id],
    ).fetchall()
    t = Table(title="输入文件")
    for c in ("文件", "工作表", "识别为", "数据行", "采用", "未采用", "SHA-256", "说明"):
        t.add_column(c, overflow="fold")
    for r in files:
        t.add_row(*["" if v is None else str(v) for v in r])
    console.print(t)
    for title, blob in (("各阶段用时（秒）", seconds), ("各表行数", counts)):
        t = Table(title=title)
        t.add_column("")
        t.add_column("", justify="right")
        for k, v in (json.loads(blob) if blob else {}).items():
            t.add_row(k, str(v))
        console.print(t)


@app.command()
def deploy(
    input_root: Path = typer.Option(None, "--input", help="各季度导出文件所在的根目录（其下为 2026Q3 等季度目录；默认：自带的示例县）"),
    db: DbOption = Path("doudi.duckdb"),
    reports: ReportsOption = Path("reports"),
    policy: PolicyOption = None,
    cron: str = typer.Option(None, "--cron", help="运行时间（cron，默认每季度第三个月 15 日 02:00：0 2 15 3,6,9,12 *）"),
    timezone: str = typer.Option("Asia/Shanghai", "--timezone", help="cron 的时区"),
    name: str = typer.Option(None, "--name", help="部署名称"),
    dask_address: str = typer.Option(
        None, "--dask-address", envvar="DOUDI_DASK_ADDRESS", help="每次运行在此 Dask 调度器上分县并行，如 tcp://scheduler:8786（全省部署）"
    ),
) -> None:
    """按季度定时运行：向 Prefect 服务（PREFECT_API_URL）登记定时部署并在本进程中执行，Ctrl+C 停止。"""
    from rich.console import Console

    from pipeline.policy import PolicyError, load_policy

    console = Console(stderr=True)
    input_root = input_root or BUNDLED
    if not input_root.is_dir():
        console.print(f"[red]输入目录 {input_root} 不存在")
        raise typer.Exit(2)
    try:
        load_policy(policy)
    except PolicyError as e:
        console.print(f"[red]{e}")
        raise typer.Exit(2)
    from flows.deployment import DEFAULT_CRON, DEPLOYMENT_NAME, build_deployment, serve

    deployment = build_deployment(
        input_root, db, reports, policy, cron=cron or DEFAULT_CRON, timezone=timezone, name=name or DEPLOYMENT_NAME,
        dask_address=dask_address,
    )
    api = os.environ.get("PREFECT_API_URL") or "（未设置 PREFECT_API_URL：将使用临时的本地服务）"
    console.print(
        f"部署 {deployment.flow_name}/{deployment.name}：{cron or DEFAULT_CRON}（{timezone}），"
        f"输入 {deployment.parameters['input_dir']}，数据库 {deployment.parameters['db']}；Prefect API {api}"
    )
    serve(deployment)


feedback_app = typer.Typer(help="乡镇反馈：把乡镇填好的整改台账导回数据库", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")
from flows.review_cli import review_app  # noqa: E402

app.add_typer(review_app, name="review")


@feedback_app.command("import")
def feedback_import(
    files: list[Path] = typer.Argument(..., help="乡镇填好的“九过筛子”清单（.xlsx / .xls）"),
    db: DbOption = Path("doudi.duckdb"),
    quarter: str = typer.Option(None, "--quarter", help="清单所属季度（默认从清单本身读出）"),
) -> None:
    """导入乡镇反馈：核查结果、整改措施、整改时限、责任人、销号日期写入 case_feedback 表。"""
    from rich.console import Console
    from rich.table import Table

    from pipeline.feedback import import_feedback
    from pipeline.store import DatabaseBusy

    console = Console()
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        console.print(f"[red]文件不存在：{'、'.join(missing)}")
        raise typer.Exit(2)
    if not db.exists():
        console.print(f"[red]数据库 {db} 不存在")
        raise typer.Exit(2)
    try:
        result = import_feedback(files, db, quarter)
    except DatabaseBusy as e:
        console.print(f"[red]{e}")
        raise typer.Exit(3)
    t = Table(title=f"导入 {db}：case_feedback")
    for c in ("文件", "季度", "工作表", "读出的反馈", "已导入", "未填写的问题"):
        t.add_column(c, overflow="fold")
    for f in result.files:
        t.add_row(f.file, f.quarter or "?", str(len(f.sheets)), str(f.answered), str(f.imported), str(f.blank))
    console.print(t)
    if result.issues:
        t = Table(title=f"需要处理的填写问题（{len(result.refused)} 处未导入）")
        for c in ("文件", "工作表", "行", "列", "填写内容", "问题", "是否导入"):
            t.add_column(c, overflow="fold")
        for i in result.issues:
            t.add_row(i.file, i.sheet or "", "" if i.row is None else str(i.row), i.column or "", i.value or "", i.message, "已导入" if i.imported else "未导入")
        console.print(t)
    console.print(f"共导入 {result.imported} 条反馈。")
    if result.refused:
        console.print("[yellow]有填写问题的行未导入：请改正后重新导入这些文件（已导入的反馈会被覆盖，不会重复）。")
        raise typer.Exit(1)
