"""残疾人证号 (disability certificate numbers), second generation.

A second-generation number is the holder's 18-character ID number, the category digit
(1 视力 .. 7 多重) and the grade digit (1..4), optionally followed by a reissue suffix
``B1``..``B9``: ``53038119800101002X42B1``.  From it come ``cert_id_number`` (with the same
companions as any ID column: ``_raw`` = the 18 characters taken from the certificate,
``_valid``, ``_issue``, ``_prefix``), ``cert_category`` (word) and ``cert_grade`` (Int8).  A
number in another form (first generation, mistyped) leaves these null with
``cert_id_number_issue`` = ``残疾人证号不是第二代格式``; it is not a problem.

In ``canlian`` the certificate also stands in for blank cells: a blank 身份证号 takes the
certificate's ID (its ``id_number_issue`` then says ``取自残疾人证号``; ``id_number_raw`` stays
blank, as read), a blank 残疾类别 / 残疾等级 the certificate's digits.  Both IDs are kept so a
rule (S4-5 人证不符) can compare the certificate's ID with the row's 身份证号.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from contracts.sources import Table
from pipeline.normalise.cells import Reader
from pipeline.normalise.ids import add_id_columns, clean_id_text
from pipeline.normalise.values import category_of, grade_of

_SECOND_GENERATION = r"^(\d{17}[\dX])([1-7])([1-4])(B[1-9])?$"
ISSUE_FROM_CERTIFICATE = "取自残疾人证号"
ISSUE_OTHER_FORM = "残疾人证号不是第二代格式"
CERT_ID = "cert_id_number"
# Tables whose blank ID, category and grade are taken from the certificate (inputs.md: canlian).
FILLS_FROM_CERTIFICATE = ("canlian",)


def clean_certificate(cell: pl.Expr) -> pl.Expr:
    """The certificate number as one token: NFKC, quotes and spaces removed, upper case."""
    return clean_id_text(cell).str.to_uppercase()


# 残疾人证号 kept as one token (the TEXT kind of the registry, cleaned like an ID).
CERTIFICATE = Reader(clean_certificate)


def add_certificate_columns(frame: pl.DataFrame, reference_date: date) -> pl.DataFrame:
    """Add ``cert_id_number`` (+ companions), ``cert_category``, ``cert_grade`` from the
    ``certificate_number`` cell as read."""
    parts = clean_certificate(pl.col("certificate_number")).str.extract_groups(_SECOND_GENERATION)
    frame = frame.with_columns(
        parts.struct.field("1").alias(CERT_ID),
        category_of(parts.struct.field("2")).alias("cert_category"),
        grade_of(parts.struct.field("3")).alias("cert_grade"),
    )
    frame = add_id_columns(frame, CERT_ID, reference_date)
    other_form = clean_certificate(pl.col("certificate_number")).is_not_null() & pl.col(f"{CERT_ID}_raw").is_null()
    issue = pl.when(other_form).then(pl.lit(ISSUE_OTHER_FORM)).otherwise(pl.col(f"{CERT_ID}_issue"))
    return frame.with_columns(issue.alias(f"{CERT_ID}_issue"))


def fills_from_certificate(table: Table) -> bool:
    return table.name in FILLS_FROM_CERTIFICATE and "certificate_number" in table.keys()


def id_source() -> pl.Expr:
    """The text to read the person's ID from: the 身份证号 cell, else the certificate's ID part
    (``cert_id_number_raw``, the 18 characters as they stand in the certificate)."""
    blank = clean_id_text(pl.col("id_number")).is_null()
    return pl.when(blank).then(pl.col(f"{CERT_ID}_raw")).otherwise(pl.col("id_number"))


def borrowed_id() -> pl.Expr:
    """True where the 身份证号 cell is blank and the ID came from the certificate."""
    return clean_id_text(pl.col("id_number_raw")).is_null() & pl.col(f"{CERT_ID}_raw").is_not_null()


def note_borrowed(issue: pl.Expr) -> pl.Expr:
    """``id_number_issue`` with ``取自残疾人证号`` added where the ID came from the certificate."""
    note = pl.concat_str([issue, pl.lit(ISSUE_FROM_CERTIFICATE)], separator="；", ignore_nulls=True)
    return pl.when(borrowed_id()).then(note).otherwise(issue)
