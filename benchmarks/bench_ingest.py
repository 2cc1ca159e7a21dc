"""Ingest speed on a county-sized 低保 roster: ~100k rows x 15 columns, as .xlsx, .csv and an
HTML page named .xls (GBK, no meta, household columns as rowspans: a web-based system's export).

    python benchmarks/bench_ingest.py [--rows 100000] [--dir bench_data/ingest] [--repeat 3]

The files are written once (openpyxl write_only, csv) into --dir (default: a temporary
folder removed afterwards; an existing file of the right size is reused) and read with
``pipeline.ingest.read_file``; the best of --repeat runs is printed as rows/s.
"""

from __future__ import annotations

import argparse
import csv
import html
import datetime as dt
import tempfile
import time
from pathlib import Path

import openpyxl

from pipeline.ingest import SheetTable, read_file

HEADER = [
    "县", "乡镇", "村", "姓名", "身份证号", "户主身份证号", "与户主关系", "保障类型", "分类施保类别",
    "户月保障金额（元）", "保障人口数", "最初享受月份", "状态", "是否单人户施保", "家庭年人均收入（元）",
]  # fmt: skip
RELATIONS = ("户主", "配偶", "之子")


def roster_rows(n: int):
    """Rows of typed cells as a system export holds them (numbers, dates, a numeric ID column)."""
    for i in range(n):
        head = 530381198001010000 + i - i % 3
        yield [
            "某县", f"第{i % 12}镇", f"第{i % 97}村", f"张{i}", str(530381198001010000 + i), head, RELATIONS[i % 3],
            "农村低保", "一类", 1234.5 if i % 2 else 600.0, 3, dt.date(2020, 1 + i % 12, 1), "在保", "否", 3600.25,
        ]  # fmt: skip


def write_xlsx(path: Path, n: int) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("低保")
    ws.append(["某县2026年9月农村低保花名册"])
    ws.append(HEADER)
    for row in roster_rows(n):
        ws.append(row)
    ws.append(["合计"])
    ws.append(["制表人：王五"])
    wb.save(path)


def write_csv(path: Path, n: int) -> None:
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["某县2026年9月农村低保花名册"])
        w.writerow(HEADER)
        for row in roster_rows(n):
            row[5] = "5.30381E+17"  # as Excel re-saves a numeric ID column
            row[11] = row[11].strftime("%Y%m")
            w.writerow(row)
        w.writerow(["合计"])


def write_html(path: Path, n: int) -> None:
    """GBK without <meta charset>; 户主身份证号 / 户月保障金额 span each household's rows."""
    def td(v, span=""):
        return f"<td{span}>{html.escape(str(v))}</td>"

    parts = ['<html><body><table border="1">', f'<tr><td colspan="{len(HEADER)}">某县2026年9月农村低保花名册</td></tr>']
    parts.append("<tr>" + "".join(f"<th>{h}</th>" for h in HEADER) + "</tr>")
    for i, row in enumerate(roster_rows(n)):
        row[11] = row[11].strftime("%Y-%m")
        first, size = i - i % 3, min(3, n - (i - i % 3))
        cells = [td(v, f' rowspan="{size}"' if j in (5, 9) else "") for j, v in enumerate(row) if i == first or j not in (5, 9)]
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("<tr><td>合计</td></tr></table></body></html>")
    path.write_bytes("\n".join(parts).encode("gbk"))


def bench(path: Path, n: int, repeat: int) -> None:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        read = read_file(path)
        best = min(best, time.perf_counter() - start)
    table = read.sheets[0]
    assert isinstance(table, SheetTable) and table.rows.height == n, read.sheets
    print(f"{path.suffix:6} {n:>8} rows  {best:6.2f} s  {n / best:>10,.0f} rows/s  ({path.stat().st_size / 1e6:.1f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for suffix, writer in ((".xlsx", write_xlsx), (".csv", write_csv), (".xls", write_html)):
            path = folder / f"dibao_{args.rows}{suffix}"
            if not path.exists():
                start = time.perf_counter()
                writer(path, args.rows)
                print(f"wrote {path} in {time.perf_counter() - start:.1f} s")
            bench(path, args.rows, args.repeat)


if __name__ == "__main__":
    main()
