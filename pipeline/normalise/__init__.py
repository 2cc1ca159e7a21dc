"""Normalise: typed, normalised columns from ingest's text frames (architecture.md, section 2).

``normalise(table, rows, reference_date)`` takes a ``SheetTable.rows`` frame (``row_number``,
``raw`` and one Utf8 column per canonical key found; a column of the table absent from the file
is added as blank) and returns one row per input row, in order, with:

- every column of the table and the region columns, typed by kind (``contracts.inputs.DTYPES``):
  text/enum/category Utf8, date/month Date (a month is its 1st), amount Float64, int Int64,
  year Int32, bool Boolean, grade Int8;
- per ID column ``<k>``: ``<k>_raw``, ``<k>``, ``<k>_valid``, ``<k>_issue``, ``<k>_prefix``
  (:mod:`.ids`), and for the person's own ``id_number`` also ``birth_date``, ``gender``;
- per name column ``<k>``: ``<k>_raw``, ``<k>``, ``<k>_display``, ``<k>_pinyin``,
  ``<k>_pinyin_fuzzy`` (:mod:`.names`);
- region: ``region_code``, ``county_code``, ``township_code``, ``village_code``, ``county``,
  ``township``, ``village`` (:mod:`.region`);
- where the table has 残疾人证号: ``cert_id_number`` (+ ``_raw``, ``_valid``, ``_issue``,
  ``_prefix``), ``cert_category``, ``cert_grade`` (:mod:`.certificate`);
- ``problems`` (List[Utf8]): one sentence per cell that could not be read, naming the Chinese
  header and the value (``发放金额（元）："12元5" 不是金额``).  Invalid ID numbers are not
  problems: they are flagged in ``<k>_valid`` / ``<k>_issue`` and the row is kept;
- ``row_number`` and ``raw`` unchanged.

``fill_region_names(frames)`` then completes region names and codes across a run's files.
"""

from __future__ import annotations

from datetime import date

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
    TEXT,
    YEAR,
    Column,
    Table,
    all_columns,
)
from contracts.staging import PERSON_ID, normalised_columns
from pipeline.frames import read_per_value, with_lookup
from pipeline.normalise import certificate, dates, ids, names, region, values
from pipeline.normalise.cells import Reader, problem
from pipeline.normalise.region import RegionNames, fill_region_names

__all__ = ["normalise", "fill_region_names", "RegionNames", "output_columns", "reader_for"]

READERS: dict[str, Reader] = {
    TEXT: values.TEXT,
    AMOUNT: values.AMOUNT,
    INT: values.INT,
    YEAR: values.YEAR,
    BOOL: values.BOOL,
    ENUM: values.ENUM,
    GRADE: values.GRADE,
    CATEGORY: values.CATEGORY,
    DATE: dates.DATE,
    MONTH: dates.MONTH,
}
# Columns read by their key rather than their kind.
_BY_KEY = {
    "region_code": region.REGION_CODE,
    "county": region.PLACE_NAME,
    "township": region.PLACE_NAME,
    "village": region.PLACE_NAME,
    "certificate_number": certificate.CERTIFICATE,
}
# Columns filled from the certificate (canlian) when their cell is blank.
_FROM_CERTIFICATE = {"disability_category": "cert_category", "disability_grade": "cert_grade"}


def reader_for(column: Column) -> Reader:
    """How a (non-ID, non-name) column is read."""
    if column.kind == AMOUNT and column.signed:
        return values.SIGNED_AMOUNT
    return _BY_KEY.get(column.key) or READERS[column.kind]


def output_columns(table: Table) -> list[str]:
    """The columns of ``normalise(table, ...)``, in order (the staging declaration's, framed by
    ``row_number`` and the parse ``problems`` and ``raw`` cells)."""
    return ["row_number", *(c.name for c in normalised_columns(table)), "problems", "raw"]


def _read_cells(cells: pl.DataFrame, col: Column) -> pl.DataFrame:
    """``cells`` with the typed value and problem sentence of each cell of one column beside them
    (``__value_<key>``, ``__problem_<key>``)."""
    reader = reader_for(col)
    text, value = f"__text_{col.key}", f"__read_{col.key}"
    cells = cells.with_columns(reader.clean(pl.col(col.key)).alias(text))
    cells = cells.with_columns(reader.read(pl.col(text), col).alias(value))
    sentence = problem(col.header, pl.col(col.key), reader.reason(pl.col(text), pl.col(value)))
    return cells.with_columns(
        reader.final(pl.col(value)).alias(f"__value_{col.key}"),
        sentence.alias(f"__problem_{col.key}"),
    ).drop(text, value)


def _read_scalars(frame: pl.DataFrame, columns: list[Column], fills_from_certificate: bool) -> pl.DataFrame:
    """Every non-ID, non-name column read in place, and ``problems``.

    A column is read once per distinct cell and looked up back, or where it is when its cells are
    mostly distinct (a person's number): ``frames.read_per_value``.
    """
    for col in columns:
        frame = read_per_value(frame, col.key, lambda cells, col=col: _read_cells(cells, col))
    values = []
    for col in columns:
        typed = pl.col(f"__value_{col.key}")
        if fills_from_certificate and col.key in _FROM_CERTIFICATE:
            blank = typed.is_null() & pl.col(f"__problem_{col.key}").is_null()
            typed = pl.when(blank).then(pl.col(_FROM_CERTIFICATE[col.key])).otherwise(typed)
        values.append(typed.alias(col.key))
    sentences = [pl.col(f"__problem_{c.key}") for c in columns if reader_for(c).can_fail]
    frame = _with_problems(frame.with_columns(*values), sentences)
    return frame.drop(*(f"__{part}_{c.key}" for c in columns for part in ("value", "problem")))


def _with_problems(frame: pl.DataFrame, sentences: list[pl.Expr]) -> pl.DataFrame:
    """``problems``: each row's ``sentences`` that are said, in column order (most rows: none).
    The lists are made for the rows with a sentence only, and looked up by row number: a list
    for every row took 2.7 s for 1.7M rows of 8 sentence columns, nearly all empty."""
    none = pl.lit([], pl.List(pl.Utf8))
    if not sentences:
        return frame.with_columns(none.alias("problems"))
    numbered = frame.with_row_index("__row")
    said = numbered.select("__row", *sentences).filter(pl.any_horizontal(s.is_not_null() for s in sentences))
    said = said.select("__row", pl.concat_list(sentences).list.drop_nulls().alias("problems"))
    return with_lookup(numbered, said, "__row").with_columns(pl.col("problems").fill_null(none)).drop("__row")


def normalise(table: Table, rows: pl.DataFrame, reference_date: date) -> pl.DataFrame:
    """Typed, normalised columns of one ingested sheet (see the module doc).

    ``reference_date`` is the last day of the run's quarter: birth dates after it are invalid.
    """
    columns = all_columns(table)
    frame = rows.with_columns(pl.lit(None, pl.Utf8).alias(c.key) for c in columns if c.key not in rows.columns)
    frame = frame.with_columns(pl.col(c.key).cast(pl.Utf8) for c in columns)

    if "certificate_number" in table.keys():
        frame = certificate.add_certificate_columns(frame, reference_date)
    fills_id = certificate.fills_from_certificate(table)

    frame = _read_scalars(frame, [c for c in columns if c.kind not in (ID, NAME)], fills_id)
    frame = frame.with_columns(region.region_codes(pl.col("region_code")))

    for col in columns:
        if col.kind == ID:
            person = col.key == PERSON_ID
            if person and fills_id:
                frame = frame.with_columns(certificate.id_source().alias("__id_source"))
                frame = ids.add_id_columns(frame, col.key, reference_date, person=True, source="__id_source")
                frame = frame.with_columns(certificate.note_borrowed(pl.col("id_number_issue")).alias("id_number_issue"))
            else:
                frame = ids.add_id_columns(frame, col.key, reference_date, person=person)
        elif col.kind == NAME:
            frame = names.add_name_columns(frame, col.key)
    return frame.select(output_columns(table))
