"""The staging layer, declared once: the columns of ``stg_<table>`` (one row per accepted record).

Normalisation produces a table's columns in the order of ``normalised_columns`` (plus
``row_number``, ``problems`` and ``raw``); preparation adds the provenance columns; identity reads
``RECORD_COLUMNS``; the rules conform their inputs to ``staging_schema``; the store creates and
comments ``stg_<table>`` from ``staging_columns``, and the run validates each frame against
``staging_contract`` before it is written.  A new companion column is one line here.

A column of the export becomes, by its kind (``contracts.sources``):
- an ID ``<k>``: ``<k>_raw`` (as written), ``<k>`` (18 characters, or null), ``<k>_valid``,
  ``<k>_issue`` (words), ``<k>_prefix`` (the digits known when Excel lost the last ones); the
  person's own ``id_number`` also gives ``birth_date`` and ``gender``;
- a name ``<k>``: ``<k>_raw``, ``<k>`` (matching form), ``<k>_display``, ``<k>_pinyin``,
  ``<k>_pinyin_fuzzy``;
- 残疾人证号: also the ID part of the certificate (``cert_id_number`` and its companions) and the
  category and grade it encodes;
- anything else: one typed column (``contracts.inputs.DTYPES``).
Every table also carries the region columns (code, the three level codes, the three names).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandera.polars as pa
import polars as pl

from contracts.inputs import DTYPES
from contracts.sources import ID, NAME, REGION, Table

PERSON_ID = "id_number"
CERTIFICATE = "certificate_number"
CERT_ID = "cert_id_number"


@dataclass(frozen=True)
class StagingColumn:
    name: str
    dtype: pl.DataType
    comment: str


def _column(name: str, dtype, comment: str) -> StagingColumn:
    return StagingColumn(name, dtype, comment)


# Provenance and identity: every staging row carries them (``quarter`` and ``person_key`` are
# added when the quarter is assembled, after identity resolution).
PROVENANCE = (
    _column("quarter", pl.Utf8, "季度"),
    _column("record_id", pl.Int64, "记录编号（对应 source_records.record_id）"),
    _column("person_key", pl.Utf8, "人员键（对应 persons.person_key）"),
    _column("source_table", pl.Utf8, "来源表（逻辑名）"),
    _column("file_name", pl.Utf8, "来源文件名"),
    _column("sheet_name", pl.Utf8, "来源工作表名"),
    _column("row_number", pl.Int64, "来源行号"),
    _column("household_key", pl.Utf8, "家庭键（dibao:户主身份证号 或 fupin:户编号）"),
)

# (suffix, dtype, comment with {h} = the column's Chinese header), in the order normalisation adds them.
ID_PARTS = (
    ("_raw", pl.Utf8, "{h}（原始）"),
    ("", pl.Utf8, "{h}（规范化的18位；无法恢复时为空）"),
    ("_valid", pl.Boolean, "{h}是否有效"),
    ("_issue", pl.Utf8, "{h}问题说明"),
    ("_prefix", pl.Utf8, "{h}已知前缀"),
)
NAME_PARTS = (
    ("_raw", pl.Utf8, "{h}（原始）"),
    ("", pl.Utf8, "{h}（规范化：简体、去空格和分隔符）"),
    ("_display", pl.Utf8, "{h}（显示用）"),
    ("_pinyin", pl.Utf8, "{h}拼音"),
    ("_pinyin_fuzzy", pl.Utf8, "{h}模糊拼音"),
)
FROM_PERSON_ID = (
    _column("birth_date", pl.Date, "出生日期（由身份证号得出）"),
    _column("gender", pl.Utf8, "性别（由身份证号得出）"),
)
FROM_CERTIFICATE = (
    *(_column(CERT_ID + s, t, c.format(h="残疾人证号所含身份证号")) for s, t, c in ID_PARTS),
    _column("cert_category", pl.Utf8, "残疾类别（由残疾人证号得出）"),
    _column("cert_grade", pl.Int8, "残疾等级（由残疾人证号得出）"),
)
REGION_COLUMNS = (
    _column("region_code", pl.Utf8, "区划代码（12位）"),
    _column("county_code", pl.Utf8, "县级区划代码"),
    _column("township_code", pl.Utf8, "乡级区划代码"),
    _column("village_code", pl.Utf8, "村级区划代码"),
    _column("county", pl.Utf8, "县（市、区）"),
    _column("township", pl.Utf8, "乡镇（街道）"),
    _column("village", pl.Utf8, "村（社区）"),
)


def _parts(key: str, header: str, parts) -> list[StagingColumn]:
    return [_column(key + suffix, dtype, comment.format(h=header)) for suffix, dtype, comment in parts]


def normalised_columns(table: Table) -> list[StagingColumn]:
    """The typed columns normalisation gives ``table``'s rows, in order."""
    out: list[StagingColumn] = []
    for col in table.columns:
        if col.kind == ID:
            out += _parts(col.key, col.header, ID_PARTS)
            if col.key == PERSON_ID:
                out += FROM_PERSON_ID
        elif col.kind == NAME:
            out += _parts(col.key, col.header, NAME_PARTS)
        else:
            out.append(_column(col.key, DTYPES[col.kind], col.header))
        if col.key == CERTIFICATE:
            out += FROM_CERTIFICATE
    region_keys = {c.key for c in REGION}
    assert region_keys <= {c.name for c in REGION_COLUMNS}, "every region column of the registry is declared"
    return [*out, *REGION_COLUMNS]


def staging_columns(table: Table) -> list[StagingColumn]:
    """Every column of ``stg_<table>``: provenance, then the normalised columns."""
    return [*PROVENANCE, *normalised_columns(table)]


def staging_schema(table: Table) -> dict[str, pl.DataType]:
    """column -> dtype of ``stg_<table>``."""
    return {c.name: c.dtype for c in staging_columns(table)}


def staging_contract(table: Table) -> pa.DataFrameSchema:
    """The Pandera contract of ``stg_<table>``: every declared column, typed; the keys not null."""
    keys = {"quarter", "record_id", "source_table", "file_name", "sheet_name", "row_number"}
    columns = {
        c.name: pa.Column(c.dtype, nullable=c.name not in keys, required=True, description=c.comment)
        for c in staging_columns(table)
    }
    columns["record_id"] = pa.Column(pl.Int64, nullable=False, unique=True, description="记录编号")
    return pa.DataFrameSchema(columns, name=f"stg_{table.name}", title=f"{table.title}（已规范化）：{table.grain}", strict=True)


# What every record offers to identity resolution and to ``source_records`` (outputs.md names
# the person's ID companions id_valid / id_issue / id_prefix): column -> (dtype, staging column).
RECORD_COLUMNS: dict[str, tuple[pl.DataType, str]] = {
    "id_number_raw": (pl.Utf8, "id_number_raw"),
    "id_number": (pl.Utf8, "id_number"),
    "id_valid": (pl.Boolean, "id_number_valid"),
    "id_issue": (pl.Utf8, "id_number_issue"),
    "id_prefix": (pl.Utf8, "id_number_prefix"),
    "name_raw": (pl.Utf8, "name_raw"),
    "name": (pl.Utf8, "name"),
    "name_display": (pl.Utf8, "name_display"),
    "name_pinyin": (pl.Utf8, "name_pinyin"),
    "name_pinyin_fuzzy": (pl.Utf8, "name_pinyin_fuzzy"),
    "gender": (pl.Utf8, "gender"),
    "birth_date": (pl.Date, "birth_date"),
    "region_code": (pl.Utf8, "region_code"),
    "county": (pl.Utf8, "county"),
    "township": (pl.Utf8, "township"),
    "village": (pl.Utf8, "village"),
    "relation": (pl.Utf8, "relation"),
    "account": (pl.Utf8, "account"),  # 资金发放's 一卡通账号: two payments to one account are one payee
}


@cache
def kept_in_source_records() -> dict[str, str]:
    """The staging columns whose values ``source_records`` holds too (staging column ->
    source_records column): the provenance, the person's ID and name, the region.  The database
    stores them once: ``stg_<table>_fields`` holds a table's other columns, and ``stg_<table>`` is
    the view that joins the two (``pipeline.store``).  Worked out once; not to be changed."""
    from contracts.outputs import SourceRecords  # not at the top: outputs is the larger module

    stored = set(SourceRecords.columns) - {"quarter", "record_id"}
    out = {c.name: c.name for c in PROVENANCE if c.name in stored}
    out.update({staging: name for name, (_, staging) in RECORD_COLUMNS.items() if name in stored})
    return out


def source_records_only() -> list[str]:
    """The columns of ``source_records`` no staging column holds (the raw cells, how identity
    matched the record), besides its keys quarter and record_id."""
    from contracts.outputs import SourceRecords

    kept = set(kept_in_source_records().values())
    return [c for c in SourceRecords.columns if c not in kept and c not in ("quarter", "record_id")]


def fields_columns(table: Table) -> list[StagingColumn]:
    """The columns of ``stg_<table>_fields``: the keys (quarter, record_id) and what
    ``source_records`` does not hold, in the staging order."""
    kept = kept_in_source_records()
    return [c for c in staging_columns(table) if c.name not in kept]
