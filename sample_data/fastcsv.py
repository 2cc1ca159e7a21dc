"""The CSV path of writers.render, column-wise: values are formatted in polars and only the few
rows that get ID / name dirt or a reject are touched in Python.  Big counties go through here."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import polars as pl

from contracts.sources import AMOUNT, CATEGORY, DATE, ENUM, GRADE, ID, INT, MONTH, TABLES, YEAR
from .dirt import BAD_AMOUNTS, ID_KINDS_TEXT, LOSSY_ID_KINDS, NAME_KINDS, UNKNOWN_ENUM, Rates, dirty_id, dirty_name
from .layout import FilePlan, header_for
from .policy import DISABILITY_CATEGORIES
from .writers import EXTRA_COLUMNS, _columns

CSV_DATE_STYLES = ("iso", "slash", "compact", "chinese")
CSV_MONTH_STYLES = ("dash", "compact", "chinese")


def _date_expr(c: pl.Expr, style: pl.Expr) -> pl.Expr:
    y, m, d = c.dt.year(), c.dt.month(), c.dt.day()
    return (
        pl.when(style == 0).then(c.dt.strftime("%Y-%m-%d"))
        .when(style == 1).then(pl.format("{}/{}/{}", y, m, d))
        .when(style == 2).then(c.dt.strftime("%Y%m%d"))
        .otherwise(pl.format("{}年{}月{}日", y, m, d))
    )


def _month_expr(c: pl.Expr, style: pl.Expr) -> pl.Expr:
    return (
        pl.when(style == 0).then(c.dt.strftime("%Y-%m"))
        .when(style == 1).then(c.dt.strftime("%Y%m"))
        .otherwise(pl.format("{}年{}月", c.dt.year(), c.dt.month()))
    )


def _amount_expr(c: pl.Expr, whole_short: pl.Expr) -> pl.Expr:
    cents = (c * 100).round(0).cast(pl.Int64)
    full = pl.format("{}.{}", cents // 100, (cents % 100).cast(pl.Utf8).str.zfill(2))
    return pl.when(c.is_null()).then(None).when(whole_short & (cents % 100 == 0)).then((cents // 100).cast(pl.Utf8)).otherwise(full)


def render_csv(plan: FilePlan, frame: pl.DataFrame, quarter: str, rng: np.random.Generator, rates: Rates,
               file_index: int) -> tuple[list[str], pl.DataFrame, pl.DataFrame]:
    """(header, body frame of strings, truth frame)."""
    cols = _columns(plan, frame)
    extras = [c for c in EXTRA_COLUMNS.get(plan.table, ()) if c in frame.columns]
    header = [header_for(c, rng, False) for c in cols] + list(extras)
    keys = [c.key for c in cols]
    n = frame.height
    u_id, u_name, u_date, u_rej = (rng.random(n) for _ in range(4))
    k_id = rng.integers(0, len(ID_KINDS_TEXT), n)
    k_name = rng.integers(0, len(NAME_KINDS), n)
    k_date = rng.integers(0, 6, n)
    dstyle = np.where(u_date < rates.date, k_date % 4, CSV_DATE_STYLES.index(plan.date_style) if plan.date_style in CSV_DATE_STYLES else 0)
    mstyle = np.where(u_date < rates.date, k_date % 3, CSV_MONTH_STYLES.index(plan.month_style) if plan.month_style in CSV_MONTH_STYLES else 0)
    idx = np.arange(n)
    f = frame.with_columns(_ds=pl.Series(dstyle), _ms=pl.Series(mstyle), _odd=pl.Series(idx % 2 == 1))
    exprs, dirt_parts = [], []
    for c, k in zip(cols, keys):
        col = pl.col(k)
        if c.kind == DATE:
            exprs.append(_date_expr(col, pl.col("_ds")).alias(k))
            dirt_parts.append(pl.when(col.is_not_null() & (pl.col("_ds") > 0)).then(
                pl.col("_ds").replace_strict([1, 2, 3], ["date_slash", "date_compact", "date_chinese"], default=None, return_dtype=pl.Utf8)))
        elif c.kind == MONTH:
            exprs.append(_month_expr(col, pl.col("_ms")).alias(k))
            dirt_parts.append(pl.when(col.is_not_null() & (pl.col("_ms") > 0)).then(
                pl.col("_ms").replace_strict([1, 2], ["month_compact", "month_chinese"], default=None, return_dtype=pl.Utf8)))
        elif c.kind == AMOUNT:
            exprs.append(_amount_expr(col.cast(pl.Float64), pl.col("_odd")).alias(k))
        elif c.kind in (INT, YEAR):
            exprs.append(col.cast(pl.Int64).cast(pl.Utf8).alias(k))
        elif c.kind == GRADE and plan.grade_style == "digits":
            exprs.append(col.replace_strict(["一级", "二级", "三级", "四级"], ["1", "2", "3", "4"], default=col).alias(k))
        elif c.kind == CATEGORY and plan.category_style == "digits":
            exprs.append(col.replace_strict(list(DISABILITY_CATEGORIES), [str(i) for i in range(1, 8)], default=col).alias(k))
        else:
            exprs.append(col.cast(pl.Utf8).alias(k))
    body = f.select(*exprs, *[pl.col(e).cast(pl.Utf8) for e in extras],
                    _dirt=pl.concat_list(dirt_parts).list.drop_nulls().list.join(";") if dirt_parts else pl.lit(""))
    dirt_col = body["_dirt"]
    body = body.drop("_dirt")
    dirt: dict[int, str] = {}  # changed rows only: big files stay in polars
    reject: dict[int, str] = {}

    def add_dirt(i: int, kind: str) -> None:
        old = dirt[i] if i in dirt else (dirt_col[i] or "")
        dirt[i] = ";".join(x for x in (old, kind) if x)

    # rejects
    required = {c.key for c in TABLES[plan.table].required}
    amount_req = [k for c, k in zip(cols, keys) if c.kind == AMOUNT and c.required]
    enum_req = [k for c, k in zip(cols, keys) if c.kind == ENUM and c.required and k in UNKNOWN_ENUM]
    blank_req = [k for c, k in zip(cols, keys) if c.required and c.kind != ID]
    reject_kinds = [k for k, ok in (("amount_bad", amount_req), ("enum_unknown", enum_req), ("required_blank", blank_req)) if ok]
    updates: dict[str, dict[int, object]] = {}
    rows_rej = set()
    protected = frame["_planted"].to_numpy() if "_planted" in frame.columns else np.zeros(n, dtype=bool)
    if reject_kinds:
        picks = [int(i) for i in np.flatnonzero((u_rej < rates.reject) & ~protected)]
        free = np.flatnonzero(~protected[n // 2:]) + n // 2
        forced = int(free[0]) if n >= 12 and len(free) else None
        for i in sorted(set(picks) | ({forced} if forced is not None else set())):
            kind = reject_kinds[file_index % len(reject_kinds)] if i == forced else reject_kinds[i % len(reject_kinds)]
            pool = {"amount_bad": amount_req, "enum_unknown": enum_req, "required_blank": blank_req}[kind]
            col = pool[i % len(pool)]
            val = BAD_AMOUNTS[i % len(BAD_AMOUNTS)] if kind == "amount_bad" else UNKNOWN_ENUM[col] if kind == "enum_unknown" else None
            updates.setdefault(col, {})[i] = val
            reject[i] = kind
            add_dirt(i, kind)
            rows_rej.add(i)

    # IDs and names of the few chosen rows
    id_keys = [k for c, k in zip(cols, keys) if c.kind == ID and k != "head_id_number"]
    if "id_number" in id_keys:
        sel = np.flatnonzero((u_id < (rates.sci_file if plan.sci_ids else rates.id)))
        ids = dict(zip(sel.tolist(), frame["id_number"].gather(sel).to_list()))
        parents = dict(zip(sel.tolist(), frame["_parent_id"].gather(sel).to_list())) if "_parent_id" in frame.columns else {}
        for i in map(int, sel):
            if i in rows_rej or not ids[i]:
                continue
            kind = "id_sci_notation" if plan.sci_ids else ID_KINDS_TEXT[k_id[i]]
            if kind in LOSSY_ID_KINDS and protected[i]:
                continue
            v, kd = dirty_id(ids[i], kind, rng, parents.get(i))
            if kd:
                updates.setdefault("id_number", {})[i] = v
                add_dirt(i, kd)
    if "name" in keys:
        nsel = np.flatnonzero(u_name < rates.name)
        names = dict(zip(nsel.tolist(), body["name"].gather(nsel).to_list()))
        for i in map(int, nsel):
            if i in rows_rej or not names[i]:
                continue
            v, kd = dirty_name(names[i], NAME_KINDS[k_name[i]], rng)
            if kd == "name_separator" and plan.form == "csv-gbk":  # GBK has no • / ・: the separator is dropped
                v = v.replace("•", "").replace("・", "")
            if kd:
                updates.setdefault("name", {})[i] = v
                add_dirt(i, kd)
    for col, ch in updates.items():
        s = body[col].cast(pl.Utf8)
        pos = list(ch)
        s = s.scatter(pos, [None if ch[p] is None else str(ch[p]) for p in pos])
        body = body.with_columns(s.alias(col))

    dirt_col = dirt_col.fill_null("")
    if dirt:
        dirt_col = dirt_col.scatter(list(dirt), list(dirt.values()))
    rej = pl.repeat("", n, eager=True, dtype=pl.Utf8)
    if reject:
        rej = rej.scatter(list(reject), list(reject.values()))

    def const(v: str) -> pl.Series:
        return pl.repeat(v, n, eager=True, dtype=pl.Utf8)

    truth = pl.DataFrame({
        "quarter": const(quarter), "file_name": const(plan.file_name), "sheet_name": const(""),
        "row_number": pl.Series(idx + 2, dtype=pl.Int64), "table": const(plan.table),
        "person_uid": frame["uid"].cast(pl.Int64), "dirt": dirt_col,
        "expect": pl.select(pl.when(rej != "").then(pl.lit("reject")).otherwise(pl.lit("accept"))).to_series() if n else const(""),
        "reject_reason_kind": rej,
        "_row": frame["_row"].cast(pl.Int64) if "_row" in frame.columns else pl.Series([None] * n, dtype=pl.Int64),
    })
    return header, body, truth


def write_fast_csv(path: Path, form: str, header: list[str], body: pl.DataFrame) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(header)
    text = buf.getvalue() + body.write_csv(include_header=False, line_terminator="\n")
    if form == "csv-utf8":
        data = text.encode("utf-8")
    elif form == "csv-utf8-bom":
        data = b"\xef\xbb\xbf" + text.encode("utf-8")
    else:
        data = encode_gbk(text)
    path.write_bytes(data)


def encode_gbk(text: str) -> bytes:
    """GBK as a GBK system writes it: separators GBK lacks (•, ・) become ·; anything else GBK
    cannot hold is written as GB18030 (its superset)."""
    try:
        return text.encode("gbk")
    except UnicodeEncodeError:
        return text.replace("•", "·").replace("・", "·").encode("gb18030")
