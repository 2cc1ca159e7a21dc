"""比对结果反馈有关部门核实: one workbook per source department, with the rows of *its* exports that
need correcting and why.

A department owns the tables its system exports (``contracts/sources.py`` ``Table.system``):
民政 社会救助 (dibao, tekun, tekun_visit, linshi, ertong, liangbu, laonian, fafang, siwang),
乡村振兴 防返贫监测 (fupin), 残联 (canlian), 医保 (yibao_canbao, yibao_jiesuan). Each row of the
workbook is one row of one of its files (file, sheet, row), listed once with every finding on it:
- 身份证号有误: blank, invalid (check digit, birth date, region) or damaged by Excel (a number);
- 人证不符 (S4-5): the same ID under another name, or a certificate whose ID part is not the holder's;
- 死亡未注销: a dead person (死亡(火化)登记 on or before the reference date) still in force in a 民政
  roster, registered in 防返贫监测, holding a certificate in force or enrolled in 医保; and 民政's
  payments after the death month (S8-3);
- 未能读入: rows rejected, with the reason;
- 名册内重复: one person twice in a roster that should hold them once (per its grain).
Other departments' data appear only in the words that explain a row (the name another roster gives
the same ID, the date of death).

``write_departments(db_path, quarter, reports_dir)`` writes
``reports/<quarter>/部门核实/<quarter>_<部门>_数据核实清单.xlsx``.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from contracts.sources import TABLES, alias_index, header_key
from pipeline import store
from pipeline.report import sheetrows
from pipeline.report.files import save_workbook

FOLDER = "部门核实"
# Table.system -> the department's name in file names and titles.
DEPARTMENTS = {"民政": "民政社会救助", "防返贫监测": "乡村振兴防返贫监测", "残联": "残联", "医保": "医保"}
# Tables that should hold a person once (per the extra columns of their grain); others are events.
ONCE_PER = {
    "dibao": (), "tekun": (), "ertong": (), "liangbu": (), "laonian": ("subsidy_type",),
    "fupin": (), "canlian": (), "yibao_canbao": ("insurance_year",),
}  # fmt: skip
# What "still ..." means for a dead person's row, per table.
STILL = {
    "dibao": "仍在册享受", "tekun": "仍在册享受", "ertong": "仍在册享受", "liangbu": "仍在册享受",
    "laonian": "仍在册享受", "fupin": "仍在防返贫监测系统中登记（应标注自然减少）",
    "canlian": "残疾人证仍为正常状态（应注销）", "yibao_canbao": "仍为参保状态",
}  # fmt: skip
HEADERS = ("序号", "问题类别", "需核实更正的内容", "名册", "文件", "工作表", "行号", "姓名", "身份证号（原件）", "乡镇", "村", "核实结果", "备注")
WIDTHS = (6, 14, 48, 18, 30, 10, 6, 10, 20, 10, 10, 14, 14)
# A person held more than once in a roster: the first rows of theirs named in the words (a row in
# the workbook for each of them anyway).
ROWS_LISTED = 10


def department_tables() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for t in TABLES.values():
        out.setdefault(DEPARTMENTS.get(t.system, t.system), []).append(t.name)
    return out


def department_path(reports_dir: Path | str, quarter: str, department: str) -> Path:
    return Path(reports_dir) / quarter / FOLDER / f"{quarter}_{department}_数据核实清单.xlsx"


_ID_FINDINGS = """
SELECT record_id, '身份证号有误' AS category,
       CASE WHEN id_number_raw IS NULL THEN '身份证号为空'
            WHEN id_number IS NULL AND id_prefix IS NOT NULL
                 THEN format('身份证号被 Excel 存成数值（{}），只剩前 {} 位，请改为文本格式并补全', id_number_raw, length(id_prefix))
            ELSE format('身份证号 {} 无效：{}', id_number_raw, coalesce(id_issue, '格式不符')) END AS what
FROM source_records WHERE quarter = $q AND NOT coalesce(id_valid, false) AND source_table IN (SELECT unnest($t))
"""
_CASE_FINDINGS = """
SELECT unnest(record_ids) AS record_id, rule_code,
       CASE rule_code WHEN 'S4-5' THEN '人证不符' ELSE '死亡未注销' END AS category, detail AS what
FROM cases WHERE quarter = $q AND rule_code IN ('S4-5', 'S8-3')
"""
_DEAD_FINDINGS = """
SELECT unnest(list_concat(in_force_record_ids, registry_record_ids, certificate_record_ids, insured_record_ids)) AS record_id,
       '死亡未注销' AS category, format('{} 已死亡（死亡(火化)登记）', death_date) AS what
FROM person_facts WHERE quarter = $q AND is_dead
"""


def _duplicates(con, quarter: str, tables: list[str]) -> pl.DataFrame:
    """Each row of a person held more than once in a roster that should hold them once, with the
    rows of their group: counted and listed once per group (a group of n rows costs n, not n x n),
    the first ``ROWS_LISTED`` rows named."""
    parts = []
    existing = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    for t in tables:
        if t not in ONCE_PER or f"stg_{t}" not in existing:
            continue
        by = ["person_key", *ONCE_PER[t]]
        same = " AND ".join(f"s.{c} IS NOT DISTINCT FROM g.{c}" for c in by)
        parts.append(con.sql(f"""
            WITH g AS (
                SELECT {", ".join(by)}, count(*) AS n, list(row_number ORDER BY row_number)[:$listed] AS rows
                FROM stg_{t} WHERE quarter = $q AND person_key IS NOT NULL GROUP BY ALL HAVING count(*) > 1)
            SELECT s.record_id, '名册内重复' AS category,
                   format('同一人在本名册中出现 {{}} 次（第 {{}} 行{{}}）', g.n, array_to_string(g.rows, '、'),
                          CASE WHEN g.n > $listed THEN '等' ELSE '' END) AS what
            FROM stg_{t} s JOIN g ON {same} WHERE s.quarter = $q""", params={"q": quarter, "listed": ROWS_LISTED}).pl())  # fmt: skip
    return pl.concat(parts) if parts else pl.DataFrame(schema={"record_id": pl.Int64, "category": pl.Utf8, "what": pl.Utf8})


def _named(rejected: pl.DataFrame) -> pl.DataFrame:
    """Rejected rows with the name and ID as written, read from their raw cells under any alias of
    the table's 姓名 / 身份证号 headers (a few rows: read one by one)."""
    wanted = {"name": "name", "id_number": "id_number_raw"}
    found: dict[str, list] = {v: [] for v in wanted.values()}
    indexes = {t: alias_index(TABLES[t]) for t in rejected.get_column("source_table").unique() if t in TABLES}  # once per table
    for table, raw in rejected.select("source_table", "raw_values").iter_rows():
        index = indexes.get(table, {})
        cells = {index.get(header_key(h)): v for h, v in (json.loads(raw) if raw else {}).items()}
        for key, column in wanted.items():
            found[column].append(cells.get(key))
    return rejected.drop("raw_values").with_columns(pl.Series(c, v, dtype=pl.Utf8) for c, v in found.items())


def findings(db_path: Path | str, quarter: str, tables: list[str]) -> pl.DataFrame:
    """One row per input row of ``tables`` that needs correcting: file_name, sheet_name, row_number,
    source_table, name, id_number_raw, township, village, category, what (findings joined)."""
    with store.connect(db_path, read_only=True) as con:
        found = pl.concat(
            [con.sql(_ID_FINDINGS, params={"q": quarter, "t": tables}).pl()]  # the department's own rows only
            + [con.sql(sql, params={"q": quarter}).pl() for sql in (_CASE_FINDINGS, _DEAD_FINDINGS)]
            + [_duplicates(con, quarter, tables)],
            how="diagonal_relaxed",
        )
        con.register("found_records", found.select("record_id").unique())
        records = con.sql(  # only the rows found: not every row of the department's exports
            "SELECT record_id, source_table, file_name, sheet_name, row_number, coalesce(name_display, name_raw) AS name, "
            "id_number_raw, township, village FROM source_records WHERE quarter = $q AND source_table IN (SELECT unnest($t)) "
            "AND record_id IN (SELECT record_id FROM found_records)",
            params={"q": quarter, "t": tables},
        ).pl()
        rejected = con.sql(
            "SELECT file_name, sheet_name, row_number, source_table, '未能读入' AS category, reason AS what, raw_values "
            "FROM rejected_rows WHERE quarter = $q AND source_table IN (SELECT unnest($t))",
            params={"q": quarter, "t": tables},
        ).pl()
    dead_words = pl.col("source_table").replace_strict(STILL, default=None, return_dtype=pl.Utf8)
    rows = (
        found.join(records, on="record_id")
        .filter((pl.col("rule_code") != "S8-3").fill_null(True) | (pl.col("source_table") == "fafang"))  # the payment, not the death
        .with_columns(
            pl.when(pl.col("category") == "死亡未注销")
            .then(pl.concat_str([pl.col("what"), dead_words], separator="，", ignore_nulls=True))
            .otherwise(pl.col("what"))
            .alias("what")
        )
        .drop("rule_code")
    )
    where = ["file_name", "sheet_name", "row_number"]
    both = pl.concat([rows.drop("record_id"), _named(rejected)], how="diagonal_relaxed").unique()
    return (
        both.group_by(where, maintain_order=True)
        .agg(
            pl.col("source_table", "name", "id_number_raw", "township", "village").drop_nulls().first(),
            pl.col("category").unique().sort().str.join("、"),
            pl.col("what").unique().sort().str.join("；"),
        )
        .sort("source_table", "file_name", "sheet_name", "row_number")
    )


def write_department(frame: pl.DataFrame, quarter: str, department: str, path: Path) -> Path:
    """The department's workbook.  A province's department may have hundreds of thousands of rows
    to correct: they go out as sheet XML straight from the frame (``sheetrows``), not as cells."""
    wb = Workbook()
    ws = wb.active
    ws.title = "需核实的数据"
    for j, w in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = "A4"
    note = (
        f"以下 {frame.height} 行为贵部门导出数据中需要核实更正的行（文件、工作表、行号为导出文件中的位置）。"
        "请核实后在“核实结果”栏填写，并在本系统中更正。" if frame.height else "本季度比对未发现贵部门数据中需要核实更正的行。"
    )
    ws.cell(1, 1, f"{quarter} {department} 数据核实清单（比对结果反馈有关部门核实）").font = Font(bold=True, size=14)
    ws.cell(2, 1, note)
    ws.merge_cells(f"A2:{get_column_letter(len(HEADERS))}2")
    for j, h in enumerate(HEADERS, 1):
        ws.cell(3, j, h).font = Font(bold=True)
    titles = {t.name: t.title for t in TABLES.values()}
    rows = frame.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("n"),
        "category",
        "what",
        pl.col("source_table").replace(titles),
        "file_name",
        pl.when(pl.col("sheet_name").fill_null("") == "").then(pl.lit("（CSV）")).otherwise(pl.col("sheet_name")).alias("sheet_name"),
        "row_number", "name", "id_number_raw", "township", "village",
        pl.lit(None, pl.Utf8).alias("result"),
        pl.lit(None, pl.Utf8).alias("remark"),
    )  # fmt: skip
    wrap = Cell(ws)
    wrap.alignment = Alignment(wrap_text=True, vertical="top")
    styles = [wrap.style_id if h == "需核实更正的内容" else 0 for h in HEADERS]
    sheetrows.add(ws, 4, sheetrows.table(rows, len(HEADERS)), styles)
    wb.properties.keywords = f"doudi {quarter} {department}"
    return save_workbook(wb, path)


def department_jobs(db_path: Path | str, quarter: str, reports_dir: Path | str) -> list[tuple]:
    """One job per department, ``(write_department_of, *its arguments)``: its workbook (written even
    when it has nothing to correct: it says so).  Plain arguments, so that a job can be handed to
    another process.  None for a database that holds no input records (a reports-only fixture)."""
    with store.connect(db_path, read_only=True) as con:
        if not store.has_tables(con, "source_records", "rejected_rows", "cases"):
            return []
    return [
        (write_department_of, db_path, quarter, department, tables, department_path(reports_dir, quarter, department))
        for department, tables in department_tables().items()
    ]


def write_department_of(db_path: Path | str, quarter: str, department: str, tables: list[str], path: Path) -> Path:
    """The workbook of ``department`` (owner of ``tables``), from the database."""
    return write_department(findings(db_path, quarter, tables), quarter, department, path)


def write_departments(db_path: Path | str, quarter: str, reports_dir: Path | str) -> list[Path]:
    """Every department's workbook; returns the files written."""
    return [write(*args) for write, *args in department_jobs(db_path, quarter, reports_dir)]
