"""``doudi``: the command line.  ``doudi run`` with no arguments reconciles the bundled county.

It lives in ``flows/`` because ``doudi run`` starts the Prefect flow; ``pipeline/`` never imports it.
Help, usage line and parse errors are in Chinese (``flows.cli_help``); an expected mistake
(``UsageError``) is one red line and exit 2, another run holding the database exit 3, a failed run
exit 1 with the log file's path (``flows.logs``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from flows.cli_help import Command, Group, refuse
from flows.review_cli import review_app

app = typer.Typer(
    cls=Group,
    help="兜底保障信息比对（doudi）：县民政局按季度比对各系统导出的名册，写出数据库与乡镇“九过筛子”清单。",
    epilog="先试试：doudi run（比对自带的示例县）；每个命令的用法：doudi 命令 -h",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Options several commands share, declared once.
DbOption = Annotated[Path, typer.Option("--db", metavar="文件", help="DuckDB 数据库文件")]
ReportsOption = Annotated[Path, typer.Option("--reports", metavar="目录", help="乡镇清单与县汇总的输出目录")]
PolicyOption = Annotated[Optional[Path], typer.Option("--policy", metavar="文件", help="政策参数 TOML 文件 [默认：自带的默认政策]")]
QuarterOption = Annotated[Optional[str], typer.Option("--quarter", metavar="季度", help="季度，如 2026Q3")]

BUNDLED = Path(__file__).resolve().parent.parent / "sample_data" / "county"
BUNDLED_QUARTER = "2026Q3"


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"doudi {version('doudi')}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="显示版本号并退出")] = False,
) -> None:
    """The options of ``doudi`` itself (the help text is the application's)."""


def _console(stderr: bool = True):
    from rich.console import Console

    return Console(stderr=stderr, soft_wrap=True)


def _db_must_exist(db: Path) -> None:
    if not db.is_file():
        refuse(f"数据库 {db} 不存在：先运行 doudi run，或用 --db 指明数据库文件", 2)


@app.command(
    cls=Command,
    epilog="示例：doudi run --input D:\\兜底\\2026Q3 --db D:\\兜底\\county.duckdb --reports D:\\兜底\\清单",
)
def run(
    input_dir: Annotated[Optional[Path], typer.Option("--input", metavar="目录", help="本季度导出文件所在目录 [默认：自带的示例县]")] = None,
    quarter: Annotated[Optional[str], typer.Option("--quarter", metavar="季度", help="季度，如 2026Q3 [默认：目录名]")] = None,
    policy: PolicyOption = None,
    db: DbOption = Path("doudi.duckdb"),
    reports: ReportsOption = Path("reports"),
    allow_missing: Annotated[
        Optional[str],
        typer.Option("--allow-missing", metavar="表名,...", help="本季度未导出的表，如 linshi,ertong（相关规则记为未筛查）"),
    ] = None,
    dask: Annotated[bool, typer.Option("--dask", help="在 Dask 集群上分县并行运行（需安装 doudi\\[dask]；默认本机 2 个 worker）")] = False,
    dask_address: Annotated[
        Optional[str],
        typer.Option("--dask-address", metavar="地址", envvar="DOUDI_DASK_ADDRESS", help="Dask 调度器地址，如 tcp://scheduler:8786（隐含 --dask）"),
    ] = None,
) -> None:
    """比对一个季度：读取、校验、识别人员、筛查，写入数据库与乡镇清单。

    Prefect 的日志写入数据库旁的 <数据库>.log（如 doudi.duckdb.log）。
    """
    from flows.preflight import check_run

    err = _console()
    if input_dir is None:
        input_dir, quarter = BUNDLED, quarter or BUNDLED_QUARTER
    plan = check_run(input_dir, quarter, policy, allow_missing)  # a UsageError: one line, exit 2
    err.print(f"doudi run：比对 {plan.quarter}，输入 {plan.folder}，数据库 {db}", markup=False, highlight=False)
    result = _run_flow(err, plan, policy, db, reports, dask_address if dask_address else ("" if dask else None))
    from flows.console import print_summary

    print_summary(_console(stderr=False), db, result.run_id, reports)


def _run_flow(err, plan, policy: Path | None, db: Path, reports: Path, dask_address: str | None):
    """The quarterly flow, Prefect's lines in the log file; the run's result, or the command ends."""
    from flows.logs import log, log_path, prefect_logs_to_file, quiet_prefect_console

    quiet_prefect_console()  # before Prefect is imported
    os.environ.setdefault("PREFECT_HOME", str(Path.home() / ".prefect"))
    from flows.quarterly import quarterly, quarterly_on_dask, show_progress
    from pipeline.errors import DatabaseBusy, UsageError
    from pipeline.progress import console_progress

    logfile = log_path(db)
    flow = quarterly
    if dask_address is not None:
        try:
            flow = quarterly_on_dask(dask_address or None)
        except RuntimeError as e:  # the dask extra is not installed
            refuse(str(e), 2)
        err.print(f"文件读取、人员比对与各县清单在 Dask 上并行：{dask_address or '本机 2 个 worker'}", markup=False, highlight=False)
    from prefect.settings import get_current_settings

    if not get_current_settings().api.url:  # Prefect starts its temporary server first
        err.print("启动 Prefect 本地服务（约 10-20 秒）…", markup=False, highlight=False)
    failure: tuple[str, int] | None = None
    with prefect_logs_to_file(logfile):
        progress = console_progress(err)
        show_progress(progress)
        try:
            args = (str(plan.folder), plan.quarter, str(policy) if policy else None, str(db), str(reports))
            return flow(*args, allow_missing=plan.allow_missing or None)
        except (UsageError, DatabaseBusy) as e:
            log.warning("未运行：%s", e)
            failure = (str(e), 2 if isinstance(e, UsageError) else 3)
        except KeyboardInterrupt:
            log.warning("运行被中断（Ctrl+C）")
            failure = ("运行被中断（Ctrl+C）：本季度数据保持运行前的状态", 130)
        except Exception as e:  # the run failed: runs records it; the traceback goes to the log file
            log.error("运行失败", exc_info=e)
            failure = (f"运行失败：{type(e).__name__}: {e}\n详情见日志 {logfile.resolve()}", 1)
        finally:
            progress.close()
            show_progress(None)
    refuse(*failure)


@app.command(
    cls=Command,
    epilog="示例：doudi sql \"SELECT township, count(*) FROM cases WHERE quarter = '2026Q3' GROUP BY township\" --xlsx 各乡镇.xlsx",
)
def sql(
    query: Annotated[str, typer.Argument(metavar="查询", help="SQL 查询语句，用英文双引号括起")],
    db: DbOption = Path("doudi.duckdb"),
    limit: Annotated[int, typer.Option("--limit", metavar="行数", help="最多显示多少行（导出不受限制）")] = 100,
    csv: Annotated[Optional[Path], typer.Option("--csv", metavar="文件", help="把全部结果另存为 CSV（UTF-8 带 BOM，Excel 可直接打开）")] = None,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", metavar="文件", help="把全部结果另存为 Excel 工作簿")] = None,
) -> None:
    """只读查询数据库，结果显示为表格，或导出为 CSV / Excel。"""
    import duckdb

    from flows.views import result_view, write_xlsx

    _db_must_exist(db)
    out, err = _console(stderr=False), _console()
    with duckdb.connect(str(db), read_only=True) as con:
        try:
            rel = con.sql(query)
            if rel is None:
                err.print("语句已执行，没有结果行。")
                return
            columns, types = rel.columns, [str(t) for t in rel.types]
            if csv is not None:
                rel.pl().write_csv(csv, include_bom=True)
            if xlsx is not None:
                write_xlsx(xlsx, columns, rel.fetchall())
            rows = rel.limit(limit + 1).fetchall()
            total = rel.aggregate("count(*)").fetchall()[0][0] if len(rows) > limit else len(rows)
        except duckdb.Error as e:
            refuse(f"查询出错：{str(e).splitlines()[0]}", 2)
    out.print(result_view(columns, types, rows[:limit], out.width))
    shown = min(total, limit)
    err.print(
        f"共 {total:,} 行，只显示了前 {shown:,} 行：加 --limit {total} 显示全部，或用 --csv / --xlsx 导出"
        if total > shown
        else f"共 {total:,} 行",
        style="yellow" if total > shown else None,
        markup=False,
        highlight=False,
    )
    for path in (csv, xlsx):
        if path is not None:
            err.print(f"{total:,} 行已写入 {path}", markup=False, highlight=False)


@app.command(cls=Command, epilog="示例：doudi report --quarter 2026Q3 --db county.duckdb --reports 清单")
def report(
    quarter: Annotated[Optional[str], typer.Option("--quarter", metavar="季度", help="季度，如 2026Q3 [默认：数据库中最新的季度]")] = None,
    db: DbOption = Path("doudi.duckdb"),
    reports: ReportsOption = Path("reports"),
    policy: Annotated[Optional[Path], typer.Option("--policy", metavar="文件", help="写入第九张表（政策一口清）的政策文件 [默认：该季度运行时所用的政策]")] = None,
) -> None:
    """从数据库重新生成乡镇清单与县汇总，不重新比对。"""
    import json

    import duckdb

    from flows.preflight import check_policy
    from pipeline.policy import validate_policy
    from pipeline.quarter import Quarter
    from pipeline.report import write_reports

    _db_must_exist(db)
    quarter = str(Quarter.parse(quarter)) if quarter else None
    with duckdb.connect(str(db), read_only=True) as con:
        if quarter is None:
            quarter = con.execute("SELECT max(quarter) FROM cases").fetchone()[0]
        run = con.execute(
            "SELECT policy, policy_path FROM runs WHERE quarter = ? AND status IN ('succeeded', 'reports_incomplete') "
            "ORDER BY started_at DESC LIMIT 1",
            [quarter],
        ).fetchone()
    if quarter is None or run is None:
        refuse(f"数据库 {db} 中没有{'季度 ' + quarter + ' 的' if quarter else ''}成功运行记录", 2)
    used = check_policy(policy) if policy else validate_policy(json.loads(run[0]), Path(run[1] or "runs.policy"))
    files = write_reports(db, quarter, reports, used)  # .written, and .locked: open in Excel / WPS
    err = _console()
    err.print(f"{quarter}：写出 {len(files.written)} 个文件到 {(reports / quarter).resolve()}", markup=False, highlight=False)
    for p in files.written:
        err.print(f"  - {p.relative_to(reports / quarter)}", markup=False, highlight=False)
    if files.locked:
        refuse("；".join(files.messages), 1)


@app.command(cls=Command, epilog="示例：doudi runs --db county.duckdb；一次运行的明细：doudi runs --run a580f3")
def runs(
    db: DbOption = Path("doudi.duckdb"),
    limit: Annotated[int, typer.Option("--limit", metavar="次数", help="显示最近多少次运行")] = 20,
    run_id: Annotated[Optional[str], typer.Option("--run", metavar="编号", help="显示一次运行的明细（编号或其最后 6 位）")] = None,
) -> None:
    """运行记录：每次运行的季度、状态、时间、用时与行数，新的在前。"""
    import duckdb

    from flows.views import RUNS_SQL, run_detail_view, runs_view

    _db_must_exist(db)
    out = _console(stderr=False)
    with duckdb.connect(str(db), read_only=True) as con:
        if run_id:
            ids = [r[0] for r in con.execute("SELECT run_id FROM runs WHERE run_id = ? OR ends_with(run_id, '-' || ?)", [run_id, run_id]).fetchall()]
            if len(ids) != 1:
                refuse(f"数据库 {db} 中{'没有' if not ids else '有不止一次'}编号为 {run_id} 的运行", 2)
            cur = con.execute("SELECT * FROM runs WHERE run_id = ?", ids)
            run = dict(zip([d[0] for d in cur.description], cur.fetchone()))
            files = con.execute(
                "SELECT file_name, sheet_name, source_table, data_rows, accepted_rows, rejected_rows, left(sha256, 12), message "
                "FROM run_files WHERE run_id = ? ORDER BY file_name, sheet_name",
                ids,
            ).fetchall()
            views = run_detail_view(run, files)
        else:
            views = runs_view(con.execute(RUNS_SQL, [limit]).fetchall())
            views.append(f"一次运行的明细：doudi runs --run <编号>（最近 {limit} 次，新的在前）")
    for v in views:
        out.print(v, highlight=False, markup=False)


@app.command(cls=Command, epilog="示例：doudi deploy --input D:\\兜底\\导出 --db D:\\兜底\\county.duckdb --reports D:\\兜底\\清单")
def deploy(
    input_root: Annotated[Optional[Path], typer.Option("--input", metavar="目录", help="各季度导出文件的根目录（其下为 2026Q3 等季度目录）[默认：自带的示例县]")] = None,
    db: DbOption = Path("doudi.duckdb"),
    reports: ReportsOption = Path("reports"),
    policy: PolicyOption = None,
    cron: Annotated[Optional[str], typer.Option("--cron", metavar="时间表", help="运行时间（cron）[默认：每季度第三个月 15 日 02:00，0 2 15 3,6,9,12 *]")] = None,
    timezone: Annotated[str, typer.Option("--timezone", metavar="时区", help="cron 的时区")] = "Asia/Shanghai",
    name: Annotated[Optional[str], typer.Option("--name", metavar="名称", help="部署名称")] = None,
    dask_address: Annotated[
        Optional[str],
        typer.Option("--dask-address", metavar="地址", envvar="DOUDI_DASK_ADDRESS", help="每次运行在此 Dask 调度器上分县并行，如 tcp://scheduler:8786"),
    ] = None,
) -> None:
    """按季度定时运行：向 Prefect 服务登记定时部署并在本进程中执行，Ctrl+C 停止。"""
    from flows.preflight import check_folder, check_policy

    input_root = check_folder(input_root or BUNDLED)
    check_policy(policy)
    from flows.deployment import DEFAULT_CRON, DEPLOYMENT_NAME, build_deployment, serve

    deployment = build_deployment(
        input_root, db, reports, policy, cron=cron or DEFAULT_CRON, timezone=timezone, name=name or DEPLOYMENT_NAME,
        dask_address=dask_address,
    )
    api = os.environ.get("PREFECT_API_URL") or "（未设置 PREFECT_API_URL：将使用临时的本地服务）"
    _console().print(
        f"部署 {deployment.flow_name}/{deployment.name}：{cron or DEFAULT_CRON}（{timezone}），"
        f"输入 {deployment.parameters['input_dir']}，数据库 {deployment.parameters['db']}；Prefect API {api}",
        markup=False,
        highlight=False,
    )
    serve(deployment)


feedback_app = typer.Typer(
    cls=Group,
    help="乡镇反馈：把乡镇填好的整改台账导回数据库。",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(feedback_app, name="feedback")
app.add_typer(review_app, name="review")


@feedback_app.command("import", cls=Command, epilog="示例：doudi feedback import 返回\\*.xlsx --db county.duckdb")
def feedback_import(
    files: Annotated[list[Path], typer.Argument(metavar="清单文件...", help="乡镇填好的“九过筛子”清单（.xlsx / .xls）")],
    db: DbOption = Path("doudi.duckdb"),
    quarter: Annotated[Optional[str], typer.Option("--quarter", metavar="季度", help="清单所属季度 [默认：从清单本身读出]")] = None,
) -> None:
    """导入乡镇反馈：核查结果、整改措施、整改时限、责任人、销号日期写入 case_feedback 表。"""
    from rich.table import Table

    from flows.console import table_title
    from pipeline.feedback import import_feedback

    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        refuse(f"文件不存在：{'、'.join(missing)}", 2)
    _db_must_exist(db)
    result = import_feedback(files, db, quarter)
    console = _console(stderr=False)
    t = Table(title=f"导入 {db}：{table_title('case_feedback')}（case_feedback 表）")
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
