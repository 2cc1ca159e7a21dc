"""What ``doudi`` shows a person: Chinese names of tables and run statuses, and the closing
summary of ``doudi run``.

The summary is read from the database after the run (the ``runs`` row of the run, ``run_files``,
``rejected_rows``, ``cases`` and ``resolved_cases`` per township, ``match_review``), so it says
what was stored, and it is built without Prefect.  ``runs.status`` keeps its English codes; a
person sees them through ``RUN_STATUS``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from rich import box
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from contracts.outputs import OUTPUT_CONTRACTS
from contracts.sources import TABLES

# runs.status -> what a person reads.
RUN_STATUS = {
    "running": "运行中",
    "succeeded": "成功",
    "failed": "失败",
    "interrupted": "中断",
    "reports_incomplete": "报表未全部写出",
}
# The rule whose amounts are money paid after a death (死亡后发放): the sum to recover.
RECOVER_RULE = "S8-3"
UNKNOWN_TOWNSHIP = "（乡镇不详）"
# At most this many files are listed under 未采用的行; the rest are counted.
MAX_FILES_LISTED = 10


def status_text(code: str | None) -> str:
    return RUN_STATUS.get(code or "", code or "")


def table_title(name: str | None) -> str:
    """``stg_linshi`` / ``linshi`` -> 临时救助记录; ``cases`` -> the contract's title."""
    if not name:
        return ""
    base = name.removeprefix("stg_")
    if base in TABLES:
        return TABLES[base].title
    schema = OUTPUT_CONTRACTS.get(name)
    if schema is not None and schema.title:
        return schema.title.split("：")[0]
    return name


def sql_text(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


@dataclass
class Township:
    name: str
    new: int = 0
    carried: int = 0
    resolved: int = 0


@dataclass
class RunSummary:
    """One run as the closing summary tells it."""

    run_id: str
    quarter: str
    status: str
    seconds: float | None
    error: str | None
    files: int = 0
    data_rows: int = 0
    accepted: int = 0
    rejected: int = 0
    tables_found: list[str] = field(default_factory=list)
    completeness: dict | None = None  # runs.completeness when the column exists and is set
    unread_files: list[tuple[str, int, str]] = field(default_factory=list)  # (file [sheet], rows, why)
    rejected_by_file: list[tuple[str, int, str]] = field(default_factory=list)  # (file, rows, first reason)
    townships: list[Township] = field(default_factory=list)
    recover_rule: str = ""
    recover_cases: int = 0
    recover_amount: float = 0.0
    review_pairs: int = 0


def _columns(con, table: str) -> set[str]:
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()
    return {r[0] for r in rows}


def _run_row(con, run_id: str) -> tuple:
    completeness = "completeness" if "completeness" in _columns(con, "runs") else "NULL"
    row = con.execute(
        f"SELECT quarter, status, date_diff('millisecond', started_at, finished_at) / 1000.0, error, {completeness} "
        "FROM runs WHERE run_id = ?",
        [run_id],
    ).fetchone()
    if row is None:
        raise KeyError(f"数据库中没有运行 {run_id}")
    return row


def _inputs(con, s: RunSummary) -> None:
    s.files, s.data_rows, s.accepted, s.rejected = con.execute(
        "SELECT count(DISTINCT file_name), coalesce(sum(data_rows), 0), coalesce(sum(accepted_rows), 0), "
        "coalesce(sum(rejected_rows), 0) FROM run_files WHERE run_id = ?",
        [s.run_id],
    ).fetchone()
    s.tables_found = [r[0] for r in con.execute(
        "SELECT DISTINCT source_table FROM run_files WHERE run_id = ? AND source_table IS NOT NULL ORDER BY 1", [s.run_id]
    ).fetchall()]
    # Every file or sheet rejected whole (no table recognised, unreadable, cut short): its
    # rejected_rows row without a row number, with the data rows it had (0 for a damaged file).
    s.unread_files = [
        (f"{file} {sheet}".strip(), rows, why)
        for file, sheet, rows, why in con.execute(
            "SELECT r.file_name, r.sheet_name, coalesce(f.data_rows, 0), r.reason FROM rejected_rows AS r "
            "LEFT JOIN run_files AS f ON f.run_id = ? AND f.file_name = r.file_name AND f.sheet_name = r.sheet_name "
            "WHERE r.quarter = ? AND r.row_number IS NULL ORDER BY r.file_name, r.sheet_name",
            [s.run_id, s.quarter],
        ).fetchall()
    ]
    s.rejected_by_file = con.execute(
        "SELECT file_name, count(*) AS rows, arg_min(coalesce('第 ' || row_number || ' 行：', '') || reason, row_number) "
        "FROM rejected_rows WHERE quarter = ? AND source_table IS NOT NULL GROUP BY file_name ORDER BY rows DESC, file_name",
        [s.quarter],
    ).fetchall()


def _townships(con, quarter: str) -> list[Township]:
    rows = con.execute(
        """
        SELECT coalesce(township, ?) AS t,
               count(*) FILTER (WHERE source = 'case' AND status = '新增'),
               count(*) FILTER (WHERE source = 'case' AND status <> '新增'),
               count(*) FILTER (WHERE source = 'resolved')
        FROM (SELECT township, status, 'case' AS source FROM cases WHERE quarter = ?
              UNION ALL SELECT township, NULL, 'resolved' FROM resolved_cases WHERE quarter = ?)
        GROUP BY t ORDER BY t = ?, t
        """,
        [UNKNOWN_TOWNSHIP, quarter, quarter, UNKNOWN_TOWNSHIP],
    ).fetchall()
    return [Township(*r) for r in rows]


def read_summary(db: Path, run_id: str) -> RunSummary:
    """The closing summary of run ``run_id`` from the database ``db``."""
    with duckdb.connect(str(db), read_only=True) as con:
        quarter, status, seconds, error, completeness = _run_row(con, run_id)
        s = RunSummary(run_id, quarter, status, seconds, error)
        s.completeness = json.loads(completeness) if completeness else None
        _inputs(con, s)
        s.townships = _townships(con, quarter)
        name, n, amount = con.execute(
            "SELECT any_value(rule_name), count(*), coalesce(sum(amount), 0) FROM cases WHERE quarter = ? AND rule_code = ?",
            [quarter, RECOVER_RULE],
        ).fetchone()
        s.recover_rule, s.recover_cases, s.recover_amount = name or "", n, float(amount)
        s.review_pairs = con.execute("SELECT count(*) FROM match_review WHERE quarter = ?", [quarter]).fetchone()[0]
    return s


# --- rendering ------------------------------------------------------------------------------


def _titles(names) -> str:
    return "、".join(table_title(n) for n in names)


def completeness_lines(s: RunSummary) -> list[Text]:
    """完整性: the tables found, those missing or declared not exported, rules not run, drops."""
    c = s.completeness or {}
    not_exported = list(c.get("not_exported") or ())
    if "missing_tables" in c:  # the run's own account (runs.completeness)
        missing = list(c["missing_tables"] or ())
    else:  # an older run: the tables of inputs.md not found in its files
        missing = [t for t in TABLES if t not in s.tables_found and t not in not_exported]
    lines = []
    if missing:
        lines.append(Text(f"缺少的表：{_titles(missing)}", style="yellow"))
    elif not_exported:
        lines.append(Text(f"输入齐全：其余 {len(TABLES) - len(not_exported)} 张表都已找到", style="green"))
    else:
        lines.append(Text(f"输入齐全：{len(TABLES)} 张表都已找到", style="green"))
    if c.get("not_exported"):
        lines.append(Text(f"声明未导出的表：{_titles(c['not_exported'])}"))
    if c.get("unscreened_rules"):
        lines.append(Text(f"未筛查的规则（缺表）：{'、'.join(c['unscreened_rules'])}", style="yellow"))
    for drop in c.get("volume_drops") or ():
        lines.append(
            Text(f"行数骤降：{table_title(drop['table'])} 上季 {drop['previous']:,} 行，本季 {drop['current']:,} 行", style="yellow")
        )
    return lines


def rejected_lines(s: RunSummary) -> list[Text]:
    lines = []
    if s.unread_files:
        lines.append(Text(f"未能读取的文件（整份未采用，{len(s.unread_files)} 个）：", style="yellow"))
        for name, rows, why in s.unread_files:  # the reason names the file already, as a rule
            lines.append(Text(f"  - {why if name.split()[0] in why else name + '：' + why}（{rows:,} 行）"))
    if s.rejected_by_file:
        rows = sum(n for _, n, _ in s.rejected_by_file)
        lines.append(Text(f"未采用的行（{rows:,} 行，按文件）：", style="yellow"))
        for file, n, example in s.rejected_by_file[:MAX_FILES_LISTED]:
            lines.append(Text(f"  - {file}：{n:,} 行，如{example}"))
        if len(s.rejected_by_file) > MAX_FILES_LISTED:
            lines.append(Text(f"  … 另有 {len(s.rejected_by_file) - MAX_FILES_LISTED} 个文件"))
    return lines


def township_table(s: RunSummary) -> Table:
    t = Table(title=f"{s.quarter} 各乡镇问题线索", box=box.SIMPLE_HEAD, title_justify="left", show_footer=True)
    totals = [sum(getattr(x, k) for x in s.townships) for k in ("new", "carried", "resolved")]
    t.add_column("乡镇", footer="合计")
    for label, total in zip(("新增", "延续", "销号"), totals):
        t.add_column(label, justify="right", footer=f"{total:,}")
    t.add_column("本季线索", justify="right", footer=f"{totals[0] + totals[1]:,}")
    for x in s.townships:
        t.add_row(x.name, f"{x.new:,}", f"{x.carried:,}", f"{x.resolved:,}", f"{x.new + x.carried:,}")
    return t


def _where(s: RunSummary, db: Path, reports: Path | None) -> list[Text]:
    lines = []
    if reports is not None:
        folder = reports / s.quarter
        books = sorted(folder.glob("*.xlsx")) if folder.is_dir() else []
        lines.append(Text(f"乡镇清单：{folder.resolve()}（{len(books)} 个工作簿）"))
    lines.append(Text(f"数据库：{db.resolve()}"))
    return lines


def next_commands(s: RunSummary, db: Path, reports: Path | None) -> list[str]:
    """The commands to type next (paths quoted for Windows' cmd and PowerShell alike)."""
    q = sql_text(s.quarter)
    dbq = f'--db "{db}"'
    out = []
    if s.status == "reports_incomplete":
        out.append(f'关闭上面的文件后重新生成清单：doudi report --quarter {s.quarter} {dbq} --reports "{reports}"')
    if s.review_pairs:
        out.append(f'判定疑似同一人（导出核对表，填好后 doudi review import）：doudi review export --quarter {s.quarter} {dbq}')
    out.append(f'查看问题线索：doudi sql "SELECT township, rule_name, name, detail FROM cases WHERE quarter = {q}" {dbq}')
    out.append(f"本次运行的明细：doudi runs --run {s.run_id} {dbq}")
    return out


def summary_renderables(s: RunSummary, db: Path, reports: Path | None) -> list[RenderableType]:
    """The closing summary, top to bottom, for ``Console.print``."""
    ok = s.status == "succeeded"
    seconds = f"，用时 {s.seconds:.1f} 秒" if s.seconds is not None else ""
    head = Text(f"{s.quarter} 比对{'完成' if ok else status_text(s.status)}（运行 {s.run_id}{seconds}）", style="bold green" if ok else "bold yellow")
    out: list[RenderableType] = [head]
    if s.error:
        out.append(Text(s.error, style="yellow"))
    out.append(Text(f"输入：{s.files} 个文件，{s.data_rows:,} 行数据；采用 {s.accepted:,} 行，未采用 {s.rejected:,} 行"))
    out += completeness_lines(s)
    out += rejected_lines(s)
    out.append(township_table(s))
    if s.recover_cases:
        out.append(Text(f"待追回资金（{s.recover_rule or RECOVER_RULE}）：{s.recover_cases:,} 条线索，共 {s.recover_amount:,.2f} 元"))
    else:
        out.append(Text("待追回资金：无"))
    if s.review_pairs:
        out.append(Text(f"疑似同一人待人工判定：{s.review_pairs:,} 对（match_review 表；doudi review export 导出核对表）", style="yellow"))
    else:
        out.append(Text("疑似同一人待人工判定：无"))
    out += _where(s, db, reports)
    out.append(Text("下一步："))
    out += [Text(f"  {c}") for c in next_commands(s, db, reports)]
    return out


def print_summary(console: Console, db: Path, run_id: str, reports: Path | None) -> RunSummary:
    s = read_summary(db, run_id)
    for part in summary_renderables(s, db, reports):
        console.print(part, highlight=False)
    return s


def summary_text(db: Path, run_id: str, reports: Path | None, width: int = 80) -> str:
    """The closing summary as plain text (what a piped console or a test sees)."""
    from io import StringIO

    out = StringIO()
    print_summary(Console(file=out, width=width, color_system=None, soft_wrap=True), db, run_id, reports)
    return out.getvalue()
