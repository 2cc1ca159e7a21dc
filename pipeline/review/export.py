"""``doudi review export``: the quarter's undecided record pairs, one block per pair, for a person.

Each block shows the two records side by side, field by field (name, ID as written and as read,
birth date, sex, county / township / village, household and 户主, relation, roster, file and row),
differences highlighted, the score and the reasons; its first row holds the dropdown
同一人 / 不是同一人 / 无法判断 and a cell for who decided. The last row of a block carries each
record's cross-quarter key (``keys.py``): ``doudi review import`` reads the decision and the keys
back, so the decision holds in later quarters whatever their record numbers.

Written as a workbook and as one self-contained HTML page (no script, no fetched resource) with the
same blocks, to read on screen; decisions are filled in the workbook.
"""

from __future__ import annotations

import html
from pathlib import Path

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from contracts.sources import TABLES
from pipeline import store
from pipeline.errors import UsageError
from pipeline.link.anchors import HEAD_RELATIONS
from pipeline.link.decisions import DECISIONS, DIFFERENT, SAME
from pipeline.report.files import save_text, save_workbook
from pipeline.quarter import Quarter
from pipeline.report.towns import file_part
from pipeline.review import load_decisions
from pipeline.review.keys import KEY_COLUMNS, key_text

SHEET = "疑似同一人核对"
FOLDER = "人工核对"
HEADERS = ("对编号", "项目", "记录一", "记录二", "是否一致", "判断", "判断人", "备注")
HEADER_ROW = 4
SCORE_ITEM = "得分与依据"
KEY_ITEM = "识别键（勿改）"
# (item shown, column of the pair frame without its _l/_r suffix); differences are highlighted.
FIELDS = (
    ("姓名", "name_shown"),
    ("身份证号（原件）", "id_number_raw"),
    ("身份证号（识别）", "id_read"),
    ("出生日期", "birth_date"),
    ("性别", "gender"),
    ("县", "county"),
    ("乡镇", "township"),
    ("村", "village"),
    ("家庭（户）", "household_key"),
    ("户主", "head_name"),
    ("与户主关系", "relation"),
    ("名册", "roster"),
    ("文件", "file_name"),
    ("工作表 / 行号", "where"),
    ("本季度人员键", "person_key"),
)
_NOT_COMPARED = ("本季度人员键", "文件", "工作表 / 行号")  # differ by nature: not highlighted
SECONDS_PER_PAIR = 20  # what a person needs per pair, for the estimate printed with the export
_RECORD = (
    "record_id", "source_table", "file_name", "sheet_name", "row_number", "person_key", "id_number_raw", "id_number",
    "id_prefix", "id_issue", "name", "name_display", "name_raw", "birth_date", "gender", "county", "township", "village",
    "household_key", "relation",
)  # fmt: skip


def _quarter(db_path: Path, quarter: str | None) -> str:
    """The quarter asked for (it must have been run), else the latest one run."""
    with store.connect(db_path, read_only=True) as con:
        run = [r[0] for r in con.execute("SELECT DISTINCT quarter FROM source_records ORDER BY quarter").fetchall()]
    if not run:
        raise UsageError(f"数据库 {db_path} 中还没有任何季度的运行结果，请先运行 doudi run")
    if quarter is None:
        return run[-1]
    quarter = str(Quarter.parse(quarter))
    if quarter not in run:
        raise UsageError(f"数据库 {db_path} 中没有 {quarter} 的运行结果（已有：{'、'.join(run)}）")
    return quarter


def _records(con, quarter: str) -> pl.DataFrame:
    sql = f"SELECT {', '.join(_RECORD)} FROM source_records WHERE quarter = ? ORDER BY record_id"  # stored in any order
    r = con.sql(sql, params=[quarter]).pl()
    heads = (
        r.filter(pl.col("relation").is_in(HEAD_RELATIONS) & pl.col("household_key").is_not_null())
        .group_by("household_key")
        .agg(pl.coalesce("name_display", "name").first().alias("head_name"))
    )
    titles = {t.name: t.title for t in TABLES.values()}
    read = pl.coalesce(
        pl.col("id_number"),
        pl.when(pl.col("id_prefix").is_not_null()).then(pl.col("id_prefix") + pl.lit("…（其余位数已丢失）")),
    )
    return r.join(heads, on="household_key", how="left").with_columns(
        pl.coalesce("name_display", "name_raw", "name").alias("name_shown"),
        pl.concat_str([read, pl.col("id_issue")], separator="；", ignore_nulls=True).alias("id_read"),
        pl.col("source_table").replace_strict(titles, default=pl.col("source_table")).alias("roster"),
        pl.format("{} / 第{}行", pl.col("sheet_name").replace("", "（CSV）"), pl.col("row_number")).alias("where"),
        key_text().alias("key"),
    )


def review_pairs(db_path: Path | str, quarter: str, township: str | None = None) -> pl.DataFrame:
    """One row per undecided pair of ``match_review``: score, reasons and every field with _l / _r.
    Pairs a decision in ``link_decisions`` already covers (imported after the run) are left out."""
    with store.connect(db_path, read_only=True) as con:
        review = con.sql("SELECT * FROM match_review WHERE quarter = ?", params=[quarter]).pl()
        records = _records(con, quarter)
    known = load_decisions(db_path)
    decided = (
        known.filter(pl.col("decision").is_in([SAME, DIFFERENT])).select("pair_key")
        if known is not None
        else pl.DataFrame(schema={"pair_key": pl.Utf8})
    )
    side = [c for c in records.columns if c != "record_id"]
    pairs = review.join(
        records.rename({c: f"{c}_l" for c in side}), left_on="record_id_l", right_on="record_id"
    ).join(records.rename({c: f"{c}_r" for c in side}), left_on="record_id_r", right_on="record_id")
    pairs = pairs.with_columns(pair_key_expr()).join(decided, on="pair_key", how="anti")
    if township:
        pairs = pairs.filter((pl.col("township_l") == township) | (pl.col("township_r") == township))
    return pairs.sort("township_l", "village_l", "record_id_l", "record_id_r", nulls_last=True).with_row_index("n", 1)


def pair_key_expr() -> pl.Expr:
    """The two records' keys in a fixed order: the same pair gives the same pair_key in any quarter."""
    a, b = pl.col("key_l"), pl.col("key_r")
    return pl.when(a <= b).then(pl.concat_str([a, b], separator="‖")).otherwise(pl.concat_str([b, a], separator="‖")).alias("pair_key")


def _value(v) -> str:
    return "" if v is None else str(v)


def _blocks(pairs: pl.DataFrame):
    """(pair number, score, reasons, [(item, left, right, differ)], (key_l, key_r)) per pair."""
    for p in pairs.to_dicts():
        fields = [(item, _value(p[f"{c}_l"]), _value(p[f"{c}_r"])) for item, c in FIELDS]
        rows = [(item, a, b, item not in _NOT_COMPARED and a != "" and b != "" and a != b) for item, a, b in fields]
        yield f"P{p['n']:04d}", p["score"], p["reasons"], rows, (p["key_l"], p["key_r"])


_DIFF = PatternFill("solid", fgColor="FFF2CC")
_ASK = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="999999")


def write_workbook(pairs: pl.DataFrame, quarter: str, title: str, path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = (
        f"请逐对比较两条记录，在蓝色“判断”格中选择：{' / '.join(DECISIONS)}，并填写判断人。"
        "黄色为两条记录不一致之处。填好后由县民政局用 doudi review import 导入；判断在以后各季度都生效。"
        f"“{KEY_ITEM}”一行请勿修改。"
    )
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADERS))
    ws.row_dimensions[2].height = 48
    for j, h in enumerate(HEADERS, 1):
        c = ws.cell(HEADER_ROW, j, h)
        c.font = Font(bold=True)
    choice = DataValidation(type="list", formula1='"' + ",".join(DECISIONS) + '"', allow_blank=True)
    choice.error, choice.errorTitle = f"请选择：{' / '.join(DECISIONS)}", "判断"
    ws.add_data_validation(choice)
    row = HEADER_ROW + 1
    for code, score, reasons, fields, keys in _blocks(pairs):
        first = row
        ws.append([code, SCORE_ITEM, round(score, 3) if score is not None else None, reasons, None, None, None, None])
        ws.cell(row, 6).fill = _ASK
        ws.cell(row, 7).fill = _ASK
        choice.add(ws.cell(row, 6).coordinate)
        for item, a, b, differ in fields:
            row += 1
            ws.append([code, item, a, b, "不同" if differ else "", None, None, None])
            if differ:
                ws.cell(row, 3).fill = ws.cell(row, 4).fill = ws.cell(row, 5).fill = _DIFF
        row += 1
        ws.append([code, KEY_ITEM, keys[0], keys[1], None, None, None, None])
        ws.cell(row, 3).font = ws.cell(row, 4).font = Font(color="808080", size=8)
        for j in range(1, len(HEADERS) + 1):
            ws.cell(row, j).border = Border(bottom=_THIN)
            ws.cell(first, j).border = Border(top=_THIN)
        for r in range(first, row + 1):
            ws.cell(r, 4).alignment = ws.cell(r, 3).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    for letter, width in zip("ABCDEFGH", (8, 16, 34, 34, 8, 12, 10, 16)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 3)
    wb.properties.keywords = f"doudi {quarter} review"
    wb.properties.subject = f"{quarter} 疑似同一人核对表"
    return save_workbook(wb, path)


_CSS = """body{font-family:"Microsoft YaHei","PingFang SC",sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:0 0 1.2em 0;min-width:60%}td,th{border:1px solid #bbb;padding:3px 8px;vertical-align:top}
th{background:#eee;text-align:left}.diff{background:#fff2cc}.ask{background:#ddebf7}.key{color:#888;font-size:75%}
h2{font-size:110%;margin:1.2em 0 .3em}"""


def write_html(pairs: pl.DataFrame, quarter: str, title: str, path: Path) -> Path:
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{e(title)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{e(title)}</h1><p>共 {pairs.height} 对，约需 {minutes(pairs.height)} 分钟。判断请填在同名 Excel 工作簿的蓝色“判断”格中（{' / '.join(DECISIONS)}）。黄色为两条记录不一致之处。</p>"]  # fmt: skip
    for code, score, reasons, fields, keys in _blocks(pairs):
        shown = "" if score is None else f"{score:.3f}"
        parts.append(f"<h2>{code}　得分 {shown}</h2><p>{e(reasons or '')}</p><table><tr><th>项目</th><th>记录一</th><th>记录二</th></tr>")
        for item, a, b, differ in fields:
            cls = " class='diff'" if differ else ""
            parts.append(f"<tr><td>{e(item)}</td><td{cls}>{e(a)}</td><td{cls}>{e(b)}</td></tr>")
        parts.append(f"<tr class='key'><td>{KEY_ITEM}</td><td>{e(keys[0])}</td><td>{e(keys[1])}</td></tr>")
        parts.append("<tr><td>判断</td><td colspan='2' class='ask'>□ 同一人　□ 不是同一人　□ 无法判断　判断人：</td></tr></table>")
    parts.append("</body></html>")
    return save_text("".join(parts), path)


def minutes(pairs: int) -> int:
    return -(-pairs * SECONDS_PER_PAIR // 60)


def export_paths(reports_dir: Path | str, quarter: str, township: str | None) -> tuple[Path, Path]:
    town = f"_{file_part(township)}" if township else ""
    base = Path(reports_dir) / quarter / FOLDER / f"{quarter}{town}_疑似同一人核对表"
    return base.with_suffix(".xlsx"), base.with_suffix(".html")


def export_review(db_path: Path | str, reports_dir: Path | str, quarter: str | None = None, township: str | None = None):
    """Write the workbook and the page; return (xlsx, html, number of pairs)."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise UsageError(f"数据库 {db_path} 不存在")
    quarter = _quarter(db_path, quarter)
    pairs = review_pairs(db_path, quarter, township)
    title = f"{quarter}{' ' + township if township else ''} 疑似同一人核对表（{pairs.height} 对）"
    xlsx, page = export_paths(reports_dir, quarter, township)
    return write_workbook(pairs, quarter, title, xlsx), write_html(pairs, quarter, title, page), pairs.height


__all__ = ["export_review", "review_pairs", "KEY_COLUMNS"]
