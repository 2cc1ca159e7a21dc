"""Render a table's clean rows into one workbook (xlsx / xls / an HTML page named .xls; CSV:
fastcsv.py), applying the row dirt, and return the truth of what was written: one entry per sheet
and per data row.  ``truncate`` cuts a written workbook short (a file broken off mid-copy)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from contracts.sources import AMOUNT, CATEGORY, DATE, ENUM, GRADE, ID, INT, MONTH, NAME, TABLES, YEAR, Column
from .dirt import (BAD_AMOUNTS, DATE_STYLES, ID_KINDS_TEXT, LOSSY_ID_KINDS, MONTH_STYLES, NAME_KINDS, UNKNOWN_ENUM, Rates,
                   date_dirt, dirty_id, dirty_name, fmt_date, fmt_month, month_dirt)
from .layout import SHEET_FORMS, WORKBOOK_FORMS, FilePlan, header_for, region_columns
from .policy import DISABILITY_CATEGORIES
from .quarters import Q

XLS_MAX_ROWS = 60_000
MERGED_KEYS = ("head_id_number", "household_monthly_amount", "covered_persons")
EXTRA_COLUMNS = {"fupin": ("文化程度", "务工状况", "联系电话")}


@dataclass
class Sheet:
    name: str
    header_row: int  # 1-based; 0 = no table
    rows: list  # list of (row_number, cells)
    header: list
    title: str | None
    pre: list  # rows above the header other than the title: (row_number, cells)
    footer: list  # (row_number, cells)
    merges: list  # (first_row, last_row, col, value) 1-based rows
    hidden: bool = False
    date_cols: dict | None = None  # col index -> "date" | "month"


def _columns(plan: FilePlan, frame: pl.DataFrame) -> list[Column]:
    t = TABLES[plan.table]
    cols = [c for c in region_columns(plan.region) if c.key in frame.columns]
    cols += [c for c in t.columns if c.key in frame.columns]
    return cols


def render(plan: FilePlan, frame: pl.DataFrame, quarter: str, county: str, month_label: str,
           rng: np.random.Generator, rates: Rates, file_index: int) -> tuple[list[Sheet], list[dict]]:
    """Cells of every sheet, and a truth row per data row."""
    binary = plan.form in WORKBOOK_FORMS  # typed cells; an HTML page holds text only
    sheet_like = plan.form in SHEET_FORMS
    cols = _columns(plan, frame)
    extras = [c for c in EXTRA_COLUMNS.get(plan.table, ()) if c in frame.columns]
    headers = [header_for(c, rng, sheet_like) for c in cols]
    lead = ["序号"] if sheet_like else []
    header = lead + headers + list(extras)
    required = {c.key for c in TABLES[plan.table].required}
    keys = [c.key for c in cols]
    n_all = frame.height
    # sheets
    if plan.by_township:
        groups = [(t, g) for (t,), g in frame.group_by("township", maintain_order=True)]
    else:
        groups = [(TABLES[plan.table].title[:28].replace("(", "（").replace(")", "）") if binary else "", frame)]
    frame = pl.concat([g for _, g in groups]) if len(groups) > 1 else frame  # row index gi = order written
    if plan.form == "xls":
        groups = [(f"{name}{'' if i == 0 else i + 1}"[:31], g.slice(i * XLS_MAX_ROWS, XLS_MAX_ROWS))
                  for name, g in groups for i in range(max(1, -(-g.height // XLS_MAX_ROWS)))]

    # row-level decisions, drawn for every row at once
    u_id, u_name, u_date, u_rej = (rng.random(n_all) for _ in range(4))
    id_kinds = ID_KINDS_TEXT + (("id_excel_number",) if binary else ())
    k_id = rng.integers(0, len(id_kinds), n_all)
    k_name = rng.integers(0, len(NAME_KINDS), n_all)
    k_date = rng.integers(0, 6, n_all)
    amount_req = [k for c, k in zip(cols, keys) if c.kind == AMOUNT and c.required and not (plan.merged and k in MERGED_KEYS)]
    enum_req = [k for c, k in zip(cols, keys) if c.kind == ENUM and c.required and k in UNKNOWN_ENUM]
    blank_req = [k for c, k in zip(cols, keys) if c.required and c.kind not in (ID,) and not (plan.merged and k in MERGED_KEYS)]
    reject_kinds = [k for k, ok in (("amount_bad", amount_req), ("enum_unknown", enum_req), ("required_blank", blank_req)) if ok]
    forced = {}
    protected = frame["_planted"].to_numpy() if "_planted" in frame.columns else np.zeros(n_all, dtype=bool)
    free = np.flatnonzero(~protected[n_all // 2:]) + n_all // 2
    if reject_kinds and n_all >= 12 and len(free):  # every file gets one row that must be rejected
        forced[int(free[0])] = reject_kinds[file_index % len(reject_kinds)]
    if plan.blank_id and "id_number" in keys and len(free) > 1:  # a row nobody can act on: 身份证号为空
        forced[int(free[len(free) // 2])] = "id_blank"

    sheets, truth = [], []
    g0 = 0
    title_text = f"{county}{month_label}{TABLES[plan.table].title}"
    if plan.table == "dibao":
        title_text = f"{county}{month_label}农村低保花名册"
    for sname, g in groups:
        pre = []
        r = 1
        title = None
        if plan.title:
            title = title_text
            r += 1
            if plan.by_township:
                pre.append((r, [f"填报单位：{sname}民政办"]))
                r += 1
        header_row = r
        rows, merges = [], []
        r += 1
        recs = g.to_dicts()
        hh_prev, group_start = None, None
        for i, rec in enumerate(recs):
            gi = g0 + i
            hh = rec.get("hh_id") if plan.merged else None
            # blank rows only between households
            if plan.blank_rows and i > 0 and hh != hh_prev and rng.random() < 0.01:
                r += 1
            dirt: list[str] = []
            reject = ""
            cells = [i + 1] if binary else ([str(i + 1)] if sheet_like else [])
            rkind = forced.get(gi) or (reject_kinds[int(gi % len(reject_kinds))] if reject_kinds and u_rej[gi] < rates.reject and not rec.get("_planted") else "")
            rcol = None
            if rkind:
                pool = {"amount_bad": amount_req, "enum_unknown": enum_req, "required_blank": blank_req, "id_blank": ["id_number"]}[rkind]
                rcol = pool[int(gi % len(pool))]
                reject = rkind
                dirt.append(rkind)
            for c, k in zip(cols, keys):
                v = rec.get(k)
                if k == rcol:
                    if rkind == "amount_bad":
                        cells.append(BAD_AMOUNTS[gi % len(BAD_AMOUNTS)])
                    elif rkind == "enum_unknown":
                        cells.append(UNKNOWN_ENUM[k])
                    elif rkind == "id_blank":
                        cells.append(("无", None)[gi % 2])  # blank, or a word with no digit in it
                    else:
                        cells.append(None)
                    continue
                if c.kind == ID:
                    if v and k != "head_id_number" and not rkind:
                        planted = bool(rec.get("_planted"))
                        if plan.sci_ids and u_id[gi] < rates.sci_file:
                            if not planted:
                                v, kd = dirty_id(v, "id_sci_notation", rng, None)
                                dirt.append(kd)
                        elif u_id[gi] < rates.id and k == "id_number" and not (planted and id_kinds[k_id[gi]] in LOSSY_ID_KINDS):
                            v, kd = dirty_id(v, id_kinds[k_id[gi]], rng, rec.get("_parent_id"))
                            if kd:
                                dirt.append(kd)
                    cells.append(v)
                elif c.kind == NAME:
                    if v and k == "name" and not rkind and u_name[gi] < rates.name:
                        v, kd = dirty_name(v, NAME_KINDS[k_name[gi]], rng)
                        if kd:
                            dirt.append(kd)
                    cells.append(v)
                elif c.kind == DATE:
                    style = plan.date_style
                    if u_date[gi] < rates.date:
                        choices = DATE_STYLES if binary else DATE_STYLES[:4]
                        style = choices[k_date[gi] % len(choices)]
                    cells.append(fmt_date(v, style, binary))
                    if v is not None and date_dirt(style):
                        dirt.append(date_dirt(style))
                elif c.kind == MONTH:
                    style = plan.month_style
                    if u_date[gi] < rates.date:
                        choices = MONTH_STYLES if binary else MONTH_STYLES[:3]
                        style = choices[k_date[gi] % len(choices)]
                    cells.append(fmt_month(v, style, binary))
                    if v is not None and month_dirt(style):
                        dirt.append(month_dirt(style))
                elif c.kind == AMOUNT:
                    cells.append(None if v is None else (float(v) if binary else (f"{v:.0f}" if float(v).is_integer() and gi % 2 else f"{v:.2f}")))
                elif c.kind in (INT, YEAR):
                    cells.append(None if v is None else (int(v) if binary else str(int(v))))
                elif c.kind == GRADE and v and plan.grade_style == "digits":
                    cells.append(str("一二三四".index(v[0]) + 1))
                elif c.kind == CATEGORY and v and plan.category_style == "digits" and v in DISABILITY_CATEGORIES:
                    cells.append(str(DISABILITY_CATEGORIES.index(v) + 1))
                else:
                    cells.append(v)
            cells += [rec.get(e) for e in extras]
            if plan.merged:
                if hh != hh_prev:
                    if group_start is not None:
                        merges.extend(_merge_spec(group_start, rows, keys, lead))
                    group_start = len(rows)
                hh_prev = hh
            rows.append((r, cells))
            truth.append(dict(quarter=quarter, file_name=plan.file_name, sheet_name=sname, row_number=r, table=plan.table,
                              person_uid=rec["uid"], dirt=";".join(dirt), expect="reject" if reject else "accept",
                              reject_reason_kind=reject, _row=rec.get("_row")))
            r += 1
        if plan.merged and group_start is not None:
            merges.extend(_merge_spec(group_start, rows, keys, lead))
        footer = []
        if plan.footer:
            r += 1
            filled = Q.parse(quarter).ref + timedelta(days=8)
            footer = [(r, ["合计", f"{len(recs)}人"]), (r + 1, ["制表人：李春梅", None, "审核人：王建国"]),
                      (r + 2, [f"填报日期：{filled.year}年{filled.month}月{filled.day}日"])]
        date_cols = {}
        for j, c in enumerate(cols):
            if c.kind in (DATE, MONTH):
                date_cols[len(lead) + j] = "date" if c.kind == DATE else "month"
        sheets.append(Sheet(sname, header_row, rows, header, title, pre, footer, merges, False, date_cols))
        g0 += g.height
    if plan.hidden_sheet:
        sheets.append(Sheet("填表说明", 0, [], [], None, [(1, ["本表由乡镇民政办填报，户主行合并单元格。"]), (2, ["金额单位：元"])], [], [], True))
    return sheets, truth


def _merge_spec(start: int, rows: list, keys: list, lead: list) -> list:
    """Merge the household columns of rows[start:] (a household) into their first cell."""
    grp = rows[start:]
    if len(grp) < 2:
        return []
    out = []
    for k in MERGED_KEYS:
        if k in keys:
            ci = len(lead) + keys.index(k)
            first = grp[0][1][ci]
            for _, cells in grp[1:]:
                cells[ci] = None
            out.append((grp[0][0], grp[-1][0], ci, first))
    return out


# --- writers -------------------------------------------------------------------------------


def write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    import xlsxwriter

    merged = any(s.merges for s in sheets)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": not merged, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"created": datetime(2026, 1, 1), "author": "doudi sample_data"})  # same bytes for a seed
    fdate = wb.add_format({"num_format": "yyyy-mm-dd"})
    fmonth = wb.add_format({"num_format": 'yyyy"年"m"月"'})
    ftitle = wb.add_format({"bold": True, "align": "center", "font_size": 14})
    fmerge = wb.add_format({"valign": "vcenter"})
    for s in sheets:
        ws = wb.add_worksheet(s.name or "Sheet1")
        if s.hidden:
            ws.hide()
        ncol = max(len(s.header), 2)
        if s.title:
            ws.merge_range(0, 0, 0, ncol - 1, s.title, ftitle)
        for rn, cells in s.pre:
            _xlsx_row(ws, rn, cells, {}, fdate, fmonth)
        if s.header_row:
            for j, h in enumerate(s.header):
                ws.write_string(s.header_row - 1, j, h)
        merge_at = {}
        for m in s.merges:
            merge_at.setdefault(m[0], []).append(m)
        for rn, cells in s.rows:
            _xlsx_row(ws, rn, cells, s.date_cols or {}, fdate, fmonth)
        for first, last, ci, val in s.merges:
            if isinstance(val, (int, float)):
                ws.merge_range(first - 1, ci, last - 1, ci, None, fmerge)
                ws.write_number(first - 1, ci, val, fmerge)
            else:
                ws.merge_range(first - 1, ci, last - 1, ci, val if val is not None else "", fmerge)
        for rn, cells in s.footer:
            _xlsx_row(ws, rn, cells, {}, fdate, fmonth)
    wb.close()


def _xlsx_row(ws, rn, cells, date_cols, fdate, fmonth):
    for j, v in enumerate(cells):
        if v is None:
            continue
        if isinstance(v, date):
            ws.write_datetime(rn - 1, j, v, fmonth if date_cols.get(j) == "month" else fdate)
        elif isinstance(v, bool):
            ws.write_string(rn - 1, j, "是" if v else "否")
        elif isinstance(v, (int, float)):
            ws.write_number(rn - 1, j, v)
        else:
            ws.write_string(rn - 1, j, str(v))


def write_xls(path: Path, sheets: list[Sheet]) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    sdate = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    smonth = xlwt.easyxf(num_format_str="YYYY-MM")
    stitle = xlwt.easyxf("font: bold on, height 280; align: horiz center")
    for s in sheets:
        ws = wb.add_sheet(s.name or "Sheet1", cell_overwrite_ok=True)
        if s.hidden:
            ws.visibility = 1
        ncol = max(len(s.header), 2)
        if s.title:
            ws.write_merge(0, 0, 0, ncol - 1, s.title, stitle)
        for rn, cells in s.pre + ([(s.header_row, s.header)] if s.header_row else []) + s.rows + s.footer:
            for j, v in enumerate(cells):
                if v is None:
                    continue
                if isinstance(v, date):
                    ws.write(rn - 1, j, v, smonth if (s.date_cols or {}).get(j) == "month" else sdate)
                else:
                    ws.write(rn - 1, j, v)
    wb.save(str(path))


_HTML_HEAD = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">\n'
    "<head>{meta}<style>td {{ mso-number-format: \"\\@\"; }}</style></head>\n<body>\n"
)


def _html_cell(value, tag: str = "td", span: str = "") -> str:
    text = "" if value is None else html.escape(str(value)).replace("\n", "<br>")
    return f"<{tag}{span}>{text or '&nbsp;'}</{tag}>"


def html_page(sheet: Sheet, utf8_meta: bool) -> str:
    """One sheet as the page a web-based system exports: one <tr> per Excel row (blank rows too),
    the title row spanning the table, <th> header cells, every cell as text."""
    width = max(len(sheet.header), 2)
    rows = {rn: [_html_cell(v) for v in cells] for rn, cells in sheet.pre + sheet.rows + sheet.footer}
    if sheet.header_row:
        rows[sheet.header_row] = [_html_cell(h, "th") for h in sheet.header]
    if sheet.title:
        rows[1] = [_html_cell(sheet.title, "td", f' colspan="{width}" align="center"')]
    lines = [f"<tr>{''.join(rows.get(rn, ['<td></td>']))}</tr>" for rn in range(1, max(rows) + 1)]
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">' if utf8_meta else ""
    return _HTML_HEAD.format(meta=meta) + '<table border="1">\n' + "\n".join(lines) + "\n</table>\n</body></html>\n"


def write_html(path: Path, form: str, sheets: list[Sheet]) -> None:
    """An HTML page named .xls: ``html-gbk`` (GBK, no meta; a character GBK lacks as &#NNNN;) or
    ``html-utf8`` (UTF-8 with <meta charset>).  One table: web systems export no sheets."""
    (sheet,) = sheets
    if form == "html-gbk":
        path.write_bytes(html_page(sheet, False).encode("gbk", errors="xmlcharrefreplace"))
    else:
        path.write_bytes(html_page(sheet, True).encode("utf-8"))


def write(path: Path, form: str, sheets: list[Sheet]) -> None:
    """Workbooks and HTML pages: CSV files go through fastcsv.py."""
    if form == "xlsx":
        write_xlsx(path, sheets)
    elif form == "xls":
        write_xls(path, sheets)
    elif form in ("html-gbk", "html-utf8"):
        write_html(path, form, sheets)
    else:
        raise ValueError(f"writers.write handles xlsx / xls / html, not {form}")


def truncate(source: Path, target: Path, share: float = 0.4) -> None:
    """``target``: the first ``share`` of ``source``'s bytes (a workbook broken off mid-copy)."""
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * share)])


NOTICE = """关于召开{q}兜底保障信息比对工作会议的通知
各乡镇民政办：
为做好本季度低保、特困等救助对象与防返贫监测对象信息比对工作，定于下周三上午9时在县民政局三楼会议室召开工作会议。
序号,参会单位,参会人员,备注
1,各乡镇民政办,分管领导及经办人员,请携带本季度台账
2,县医保局,业务股负责人,
3,县残联,康复股负责人,
特此通知。
"""


def write_notice(path: Path, quarter: str) -> None:
    path.write_bytes(NOTICE.format(q=quarter).encode("utf-8"))
