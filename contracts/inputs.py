"""Pandera contracts for the input tables, after normalisation (one schema per table).

Each schema is declared from the table registry (``contracts/sources.py``) so that headers,
aliases and the contract can never drift apart:
- a required column must hold a value; the person's ID cell must hold at least one digit (else
  the row is rejected ``身份证号为空``: nobody can act on a case against an unknown person).  An ID
  that is present but invalid (check digit, ``5.33E+17``, truncated) is kept and flagged by
  normalisation, and linked by other evidence, as inputs.md asks;
- an enum column holds one of its listed values (synonyms were mapped by normalisation);
- amounts are not negative, except a ``signed`` column (资金发放 发放金额: a 冲正 correction);
  grades are 1..4, years are plausible;
- table-level rules (两项补贴: at least one of the two amounts).

Declaring is apart from running: this module reads no files and imports no database.
``pipeline/validate.py`` runs the schemas and turns every failure into a ``rejected_rows`` row.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from contracts.sources import (
    AMOUNT,
    BOOL,
    CATEGORY,
    DATE,
    ENUM,
    GRADE,
    ID,
    INT,
    MONTH,
    NAME,
    REGION,
    TABLES,
    TEXT,
    YEAR,
    Column,
    Table,
)

DTYPES = {
    TEXT: pl.Utf8,
    NAME: pl.Utf8,
    ID: pl.Utf8,
    ENUM: pl.Utf8,
    CATEGORY: pl.Utf8,
    DATE: pl.Date,
    MONTH: pl.Date,
    AMOUNT: pl.Float64,
    INT: pl.Int64,
    YEAR: pl.Int32,
    BOOL: pl.Boolean,
    GRADE: pl.Int8,
}

# Reasons in words, keyed by the check's name (what rejected_rows shows a clerk).
CHECK_WORDS = {
    "not_nullable": "必填项为空",
    "isin": "取值不在允许范围内",
    "greater_than_or_equal_to": "不能为负数",
    "in_range": "超出合理范围",
    "id_present": "身份证号为空",
    "one_amount_present": "生活补贴与护理补贴均为空",
}


def _checks(col: Column) -> list[pa.Check]:
    if col.kind == ENUM and col.values:
        return [pa.Check.isin(list(col.values), name="isin", error=f"应为 {'/'.join(col.values)}")]
    if col.kind == AMOUNT and not col.signed:
        return [pa.Check.ge(0, name="greater_than_or_equal_to")]
    if col.kind == GRADE:
        return [pa.Check.in_range(1, 4, name="in_range", error="应为 1..4 级")]
    if col.kind == YEAR:
        return [pa.Check.in_range(1990, 2100, name="in_range", error="年度不合理")]
    return []


def person_id_cells(table: Table) -> tuple[str, ...]:
    """The cells that say who the row is about: the 身份证号 as read, and for a table whose
    身份证号 is optional (残联) its required 残疾人证号, which holds the ID."""
    cells = ["id_number_raw"]
    if not table.column("id_number").required:
        cells += [c.key for c in table.required if c.key == "certificate_number"]
    return tuple(cells)


def _id_present(cells: tuple[str, ...]):
    def check(data: pa.PolarsData) -> pl.LazyFrame:
        has_digit = [pl.col(c).str.contains(r"\d").fill_null(False) for c in cells]
        return data.lazyframe.select(pl.any_horizontal(has_digit))

    return check


def _one_of(keys: tuple[str, ...]):
    def check(data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.any_horizontal([pl.col(k).is_not_null() for k in keys]))

    return check


def schema_for(table: Table) -> pa.DataFrameSchema:
    """The contract of one input table, on the normalised frame."""
    columns: dict[str, pa.Column] = {}
    for col in (*table.columns, *REGION):
        # The person's own ID is judged by the table-level check below (a digit in it, or in the certificate).
        required = col.required and not (col.key == "id_number")
        if col.kind == ID:
            key = f"{col.key}_raw"
            columns[key] = pa.Column(pl.Utf8, nullable=not required, required=False, title=col.header)
            continue
        columns[col.key] = pa.Column(
            DTYPES[col.kind], checks=_checks(col), nullable=not required, required=False, title=col.header
        )
    checks = [pa.Check(_id_present(person_id_cells(table)), name="id_present")]
    for group in table.one_of:
        checks.append(pa.Check(_one_of(group), name="one_amount_present"))
    return pa.DataFrameSchema(columns, checks=checks, name=table.name, title=table.title, strict=False)


# One contract per input table.
Dibao = schema_for(TABLES["dibao"])
Tekun = schema_for(TABLES["tekun"])
TekunVisit = schema_for(TABLES["tekun_visit"])
Linshi = schema_for(TABLES["linshi"])
Ertong = schema_for(TABLES["ertong"])
Liangbu = schema_for(TABLES["liangbu"])
Laonian = schema_for(TABLES["laonian"])
Fafang = schema_for(TABLES["fafang"])
Siwang = schema_for(TABLES["siwang"])
Fupin = schema_for(TABLES["fupin"])
Canlian = schema_for(TABLES["canlian"])
YibaoCanbao = schema_for(TABLES["yibao_canbao"])
YibaoJiesuan = schema_for(TABLES["yibao_jiesuan"])

INPUT_CONTRACTS: dict[str, pa.DataFrameSchema] = {
    "dibao": Dibao,
    "tekun": Tekun,
    "tekun_visit": TekunVisit,
    "linshi": Linshi,
    "ertong": Ertong,
    "liangbu": Liangbu,
    "laonian": Laonian,
    "fafang": Fafang,
    "siwang": Siwang,
    "fupin": Fupin,
    "canlian": Canlian,
    "yibao_canbao": YibaoCanbao,
    "yibao_jiesuan": YibaoJiesuan,
}
