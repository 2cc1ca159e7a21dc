"""Which file form each table takes in a quarter, and how its header row is spelled.

A quarter's files together use every form of inputs.md "File forms that must work"; the
second quarter rotates the forms so each table is seen in more than one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from contracts.sources import REGION, TABLES, Column

FORMS = ("xlsx", "xls", "csv-utf8", "csv-utf8-bom", "csv-gbk", "html-gbk", "html-utf8")
WORKBOOK_FORMS = ("xlsx", "xls")  # typed cells (numbers, dates)
# An HTML page named .xls, as web-based systems export "Excel": GBK without <meta charset>, or UTF-8
# with it.  Laid out like a sheet (title row spanning the table, 序号, footer) but every cell is text.
HTML_FORMS = ("html-gbk", "html-utf8")
SHEET_FORMS = WORKBOOK_FORMS + HTML_FORMS  # laid out as a sheet: title, 序号 column, blank and footer rows


@dataclass(frozen=True)
class Hazards:
    """What of the real world's worst a generated county holds (each optional per county).

    ``html``: 临时救助 exported as an HTML page named .xls (GBK without meta in the first quarter,
    UTF-8 with meta in the second); ``blank_id``: one dibao row per quarter whose 身份证号 is blank
    (rejected 身份证号为空); ``truncated``: in the last quarter, an extra workbook cut short (a copy
    broken off mid-download), unreadable and rejected whole."""

    html: bool = False
    blank_id: bool = False
    truncated: bool = False

    NAMES = ("html", "blank_id", "truncated")

    @classmethod
    def parse(cls, text: str) -> "Hazards":
        """``all``, ``none`` or a comma list of NAMES."""
        names = set(cls.NAMES) if text.strip() == "all" else {n.strip() for n in text.split(",") if n.strip() not in ("", "none")}
        unknown = names - set(cls.NAMES)
        if unknown:
            raise ValueError(f"unknown hazards {sorted(unknown)}; use all, none or {','.join(cls.NAMES)}")
        return cls(**{n: True for n in names})


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
    blank_id: bool = False  # one row's 身份证号 left blank (must be rejected 身份证号为空)


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
EXT = {"xlsx": ".xlsx", "xls": ".xls", "csv-utf8": ".csv", "csv-utf8-bom": ".csv", "csv-gbk": ".csv",
       "html-gbk": ".xls", "html-utf8": ".xls"}
# The table a web-based system exports as an HTML .xls (form per quarter) when Hazards.html.
HTML_TABLE = ("linshi", ("html-gbk", "html-utf8"))


def plan_quarter(qi: int, year: int, month: int, county: str, forms: str, rng: np.random.Generator,
                 hazards: Hazards = Hazards()) -> list[FilePlan]:
    plans = []
    for ti, (table, pair) in enumerate(MIXED.items()):
        if forms == "csv":
            form = CSV_ROTATION[(ti + qi) % 3]
        elif forms == "xlsx":
            form = "xlsx"
        else:
            form = pair[qi % 2]
            if hazards.html and table == HTML_TABLE[0]:
                form = HTML_TABLE[1][qi % 2]
        t = TABLES[table]
        stem = f"{county}{year}年{month}月{t.title}".replace("(", "（").replace(")", "）")
        if table == "dibao":
            stem = f"{county}{year}年{month}月农村低保花名册"
        p = FilePlan(table, form, stem + EXT[form])
        p.by_township = form in WORKBOOK_FORMS and table in ("dibao", "fupin", "laonian")
        p.merged = table == "dibao" and form == "xlsx"
        p.hidden_sheet = table == "dibao" and form == "xlsx"
        p.region = ("names", "code", "none")[(ti + qi) % 3] if table != "dibao" else "names"
        if table in ("fupin",):
            p.region = "names" if qi % 2 == 0 else "code"
        p.blank_id = hazards.blank_id and table == "dibao"
        styles = ["iso", "slash", "compact", "chinese"] + (["cell", "serial"] if form in WORKBOOK_FORMS else [])
        p.date_style = styles[(ti + 3 * qi) % len(styles)]
        mstyles = ["dash", "compact", "chinese"] + (["cell"] if form in WORKBOOK_FORMS else [])
        p.month_style = mstyles[(ti + qi) % len(mstyles)]
        # CSV re-saved by Excel: IDs as 5.33129E+17 (only where region columns leave other evidence)
        p.sci_ids = table in ("yibao_jiesuan", "linshi", "fafang", "laonian") and form.startswith("csv") and p.region != "none"
        p.title = form in SHEET_FORMS and ((ti + qi) % 4 != 3 or form in HTML_FORMS)
        p.footer = form in SHEET_FORMS
        p.blank_rows = form in SHEET_FORMS
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
