"""How ``doudi sql`` and ``doudi runs`` show rows on a console as narrow as 80 columns.

- a query result is a table of every row up to ``--limit`` (no dtype rows, no text cut: long
  cells wrap), or one block per row (列 值) when its columns cannot fit side by side;
  ``--csv`` / ``--xlsx`` export every row;
- the list of runs is 8 short columns that fit 80 columns; one run (``--run``) is shown
  vertically, its input files one per line;
- statuses and input tables are shown by their Chinese names (``flows.console``).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from flows.console import status_text, table_title

NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL")


def cell(v) -> str:
    """A value as a person reads it: NULL blank, 是/否, no float noise (200.01999999999998 -> 200.02)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        text = format(round(v, 6), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(cell(x) for x in v) + "]"
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, default=str)
    return str(v)


def _is_numeric(duck_type: str) -> bool:
    return str(duck_type).split("(")[0].upper() in NUMERIC


# A table needs its widest column to keep at least this many cells (it wraps inside them).
MIN_WRAPPED_WIDTH = 20


def result_view(columns: list[str], types: list[str], rows: list[tuple], width: int) -> RenderableType:
    """A table when the columns fit ``width`` side by side (the widest wrapping), else one block per row."""
    texts = [[cell(v) for v in row] for row in rows]
    widths = [max([cell_len(c)] + [cell_len(r[i]) for r in texts]) + 2 for i, c in enumerate(columns)]
    widest_header = max((cell_len(c) for c in columns), default=0)
    if not widths or sum(widths) - max(widths) + MIN_WRAPPED_WIDTH <= width:
        t = Table(box=box.SIMPLE_HEAD, pad_edge=False, header_style="bold")
        for c, ty in zip(columns, types):
            t.add_column(c, justify="right" if _is_numeric(ty) else "left", overflow="fold")
        for r in texts:
            t.add_row(*r)
        return t
    blocks: list[RenderableType] = []
    for i, r in enumerate(texts, 1):
        g = Table.grid(padding=(0, 2))
        g.add_column(min_width=widest_header, style="bold")
        g.add_column(overflow="fold")
        for c, v in zip(columns, r):
            g.add_row(c, v)
        blocks += [Text(f"—— 第 {i} 行 ——", style="dim"), g]
    return Group(*blocks)


def write_xlsx(path: Path, columns: list[str], rows) -> None:
    """The rows as a worksheet: a bold, frozen header row (openpyxl, streamed)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("查询结果")
    ws.freeze_panes = "A2"
    header = []
    for c in columns:
        h = WriteOnlyCell(ws, value=c)
        h.font = Font(bold=True)
        header.append(h)
    ws.append(header)
    for row in rows:
        ws.append([v if not isinstance(v, (list, tuple, dict)) else cell(v) for v in row])
    wb.save(path)


# --- runs -----------------------------------------------------------------------------------

RUNS_SQL = """
SELECT run_id, quarter, status, started_at,
       round(date_diff('millisecond', started_at, finished_at) / 1000.0, 1) AS seconds,
       (counts->>'$.source_records')::BIGINT AS accepted,
       (counts->>'$.rejected_rows')::BIGINT AS rejected,
       (counts->>'$.cases')::BIGINT AS cases,
       error
FROM runs
ORDER BY started_at DESC
LIMIT ?
"""


def short_id(run_id: str) -> str:
    """``20261203T093018-a580f3`` -> ``a580f3`` (``doudi runs --run`` takes either)."""
    return run_id.rsplit("-", 1)[-1]


def runs_view(rows: list[tuple]) -> list[RenderableType]:
    """The runs, newest first, in 8 columns (80 wide, 用时 in seconds); the errors of failed runs below."""
    t = Table(box=box.SIMPLE_HEAD, pad_edge=False, header_style="bold")
    for c, right in (("编号", False), ("季度", False), ("状态", False), ("开始", False), ("秒", True), ("采用", True), ("未采用", True), ("线索", True)):
        t.add_column(c, justify="right" if right else "left", overflow="fold", no_wrap=c == "开始")
    errors = []
    for run_id, quarter, status, started, seconds, accepted, rejected, cases, error in rows:
        t.add_row(short_id(run_id), quarter, status_text(status), f"{started:%Y-%m-%d %H:%M}", *[cell(v) for v in (seconds, accepted, rejected, cases)])
        if error:
            errors.append(Text(f"{short_id(run_id)} {status_text(status)}：{error}", style="red" if status == "failed" else "yellow"))
    return [t, *errors]


def _pairs(rows: list[tuple[str, str]], numbers: bool = False) -> Table:
    g = Table.grid(padding=(0, 2))
    g.add_column(style="bold", no_wrap=True)
    g.add_column(overflow="fold", justify="right" if numbers else "left")
    for k, v in rows:
        g.add_row(k, v)
    return g


def run_detail_view(run: dict, files: list[tuple]) -> list[RenderableType]:
    """One run, vertically: its facts, stages, counts per table and input files."""
    seconds = json.loads(run["stage_seconds"]) if run["stage_seconds"] else {}
    counts = json.loads(run["counts"]) if run["counts"] else {}
    facts = [
        ("运行编号", run["run_id"]),
        ("季度", run["quarter"]),
        ("状态", status_text(run["status"])),
        ("开始", cell(run["started_at"])),
        ("结束", cell(run["finished_at"])),
        ("输入目录", run["input_dir"] or ""),
        ("政策文件", run["policy_path"] or "默认政策"),
        ("程序版本", run["code_version"] or ""),
    ]
    if run["error"]:
        facts.append(("错误", run["error"]))
    out: list[RenderableType] = [_pairs(facts)]
    if seconds:
        out += [Text("各阶段用时", style="bold"), _pairs([(k, f"{v:.1f} 秒") for k, v in seconds.items()], numbers=True)]
    if counts:
        out += [Text("各表行数", style="bold"), _pairs([(f"{table_title(k)}（{k}）", f"{v:,}") for k, v in counts.items()], numbers=True)]
    out.append(Text(f"输入文件（{len({f[0] for f in files})} 个）", style="bold"))
    for file, sheet, table, data_rows, accepted, rejected, sha, message in files:
        where = f"{file} [{sheet}]" if sheet else file
        what = table_title(table) if table else "未识别"
        line = f"  {where} → {what}：数据 {cell(data_rows)} 行，采用 {cell(accepted)}，未采用 {cell(rejected)}（SHA-256 {sha}…）"
        out.append(Text(line))
        if message:
            out.append(Text(f"      {message}", style="yellow"))
    return out
