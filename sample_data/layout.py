"""Which file form each table takes in a quarter, and how its header row is spelled.

A quarter's files together use every form of inputs.md "File forms that must work"; the
second quarter rotates the forms so each table is seen in more than one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from contracts.sources import REGION, TABLES, Column

FORMS = ("xlsx", "xls", "csv-utf8", "csv-utf8-bom", "csv-gbk")


@dataclass
class FilePlan:
    table: str
    form: str
    file_name: str
    by_township: bool = False  # one sheet per township (xlsx / xls)
    title: bool = True  # merged title row above the header (xlsx / xls)
    footer: bool = True  # 合计 / 制表人: / 填报日期: below the data (xlsx / xls)
    blank_rows: bool = True
    merged: bool = False  # dibao: household cells merged down the members
    hidden_sheet: bool = False
    region: str = "code"  # code | names | none
    date_style: str = "iso"
    month_style: str = "dash"
    sci_ids: bool = False  # CSV re-saved by Excel: some IDs as 5.39921E+17
    grade_style: str = "words"  # canlian: 一级 / 1
    category_style: str = "words"  # canlian: 视力 / 1


MIXED = {
    # table: (form in quarter 0, form in quarter 1)
    "dibao": ("xlsx", "xlsx"),
    "tekun": ("xls", "xlsx"),
    "tekun_visit": ("csv-utf8", "csv-gbk"),
    "linshi": ("csv-gbk", "xls"),
    "ertong": ("xlsx", "csv-utf8-bom"),
    "liangbu": ("csv-utf8-bom", "xls"),
    "laonian": ("xls", "csv-utf8"),
    "fafang": ("csv-utf8", "csv-utf8-bom"),
    "siwang": ("csv-gbk", "xlsx"),
    "fupin": ("xlsx", "csv-gbk"),
    "canlian": ("xlsx", "csv-utf8"),
    "yibao_canbao": ("csv-utf8-bom", "xlsx"),
    "yibao_jiesuan": ("csv-gbk", "csv-utf8"),
}
CSV_ROTATION = ("csv-utf8", "csv-utf8-bom", "csv-gbk")
EXT = {"xlsx": ".xlsx", "xls": ".xls", "csv-utf8": ".csv", "csv-utf8-bom": ".csv", "csv-gbk": ".csv"}


def plan_quarter(qi: int, year: int, month: int, county: str, forms: str, rng: np.random.Generator) -> list[FilePlan]:
    plans = []
    for ti, (table, pair) in enumerate(MIXED.items()):
        if forms == "csv":
            form = CSV_ROTATION[(ti + qi) % 3]
        elif forms == "xlsx":
            form = "xlsx"
        else:
            form = pair[qi % 2]
        t = TABLES[table]
        stem = f"{county}{year}年{month}月{t.title}".replace("(", "（").replace(")", "）")
        if table == "dibao":
            stem = f"{county}{year}年{month}月农村低保花名册"
        p = FilePlan(table, form, stem + EXT[form])
        p.by_township = form in ("xlsx", "xls") and table in ("dibao", "fupin", "laonian")
        p.merged = table == "dibao" and form == "xlsx"
        p.hidden_sheet = table == "dibao" and form == "xlsx"
        p.region = ("names", "code", "none")[(ti + qi) % 3] if table != "dibao" else "names"
        if table in ("fupin",):
            p.region = "names" if qi % 2 == 0 else "code"
        styles = ["iso", "slash", "compact", "chinese"] + (["cell", "serial"] if form in ("xlsx", "xls") else [])
        p.date_style = styles[(ti + 3 * qi) % len(styles)]
        mstyles = ["dash", "compact", "chinese"] + (["cell"] if form in ("xlsx", "xls") else [])
        p.month_style = mstyles[(ti + qi) % len(mstyles)]
        # CSV re-saved by Excel: IDs as 5.33129E+17 (only where region columns leave other evidence)
        p.sci_ids = table in ("yibao_jiesuan", "linshi", "fafang", "laonian") and form.startswith("csv") and p.region != "none"
        p.title = form in ("xlsx", "xls") and (ti + qi) % 4 != 3
        p.footer = form in ("xlsx", "xls")
        p.blank_rows = form in ("xlsx", "xls")
        p.grade_style = ("words", "digits")[(ti + qi) % 2]
        p.category_style = ("words", "digits")[qi % 2]
        plans.append(p)
    return plans


def header_for(col: Column, rng: np.random.Generator, binary: bool) -> str:
    """One spelling of the column's header: the header or an alias, with the noise of real files."""
    text = col.names[int(rng.integers(0, len(col.names)))]
    u = rng.random()
    if u < 0.15 and "（" in text:
        text = text.replace("（", "(").replace("）", ")")
    elif u < 0.3 and "(" in text:
        text = text.replace("(", "（").replace(")", "）")
    u = rng.random()
    if u < 0.12:
        text = " " + text + " "
    elif u < 0.2 and len(text) >= 4:
        text = text[:2] + " " + text[2:]
    elif u < 0.3 and binary and "（" in text:
        text = text.replace("（", "\n（")
    return text


def region_columns(mode: str) -> list[Column]:
    if mode == "code":
        return [REGION[0]]
    if mode == "names":
        return list(REGION[1:])
    return []
