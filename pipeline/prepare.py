"""Preparation: every input file read, normalised and validated, then the run's tables gathered.

``prepare_file`` takes one file (read -> normalise -> validate, one sheet at a time) and routes
every data row to accepted or rejected; its raw cells are let go before the next file, so a run
never holds every file twice.  ``combine_files`` gathers the accepted rows of all files into one
frame per table (region names learned across files, ``record_id`` numbered in table, file,
sheet, row order).  Every input row ends in exactly one of the accepted tables or ``rejected``,
and ``run_files`` keeps the count per file and sheet.  A file or sheet rejected whole is also one
row of ``rejected`` with no row number (``row_number`` null), so the console, ``rejected_rows``
and the department lists all name it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from contracts.outputs import RejectedRows, dtypes
from contracts.sources import TABLES, Table
from pipeline.ingest import FileProblem, FileRead, read_file
from pipeline.normalise import RegionNames, normalise
from pipeline.validate import accept_or_reject

_EMPTY_REJECTED = dtypes(RejectedRows, drop=("quarter",))  # the contract's columns; quarter comes later


@dataclass
class PreparedFile:
    """One input file read, normalised and validated."""

    file: dict  # file_name, sha256, form
    accepted: list[tuple[str, str, pl.DataFrame]]  # (table, sheet name, accepted rows) per sheet
    rejected: list[pl.DataFrame]
    run_files: list[dict]


@dataclass
class Prepared:
    """Accepted records per table (normalised, with provenance) and everything rejected."""

    tables: dict[str, pl.DataFrame]
    rejected: pl.DataFrame
    run_files: pl.DataFrame
    files: list[dict] = field(default_factory=list)

    @property
    def recognised_tables(self) -> set[str]:
        """The tables some sheet of the folder was recognised as (with rows or only a header)."""
        return set(self.run_files.get_column("source_table").drop_nulls()) if self.run_files.height else set()


def _file_row(read: FileRead, sheet, table: str | None, data_rows: int, accepted: int, rejected: int, message=None) -> dict:
    return {
        "file_name": read.file_name,
        "sheet_name": sheet.sheet_name if sheet is not None else "",
        "sha256": read.sha256,
        "form": read.form,
        "source_table": table,
        "header_row": getattr(sheet, "header_row", None),
        "data_rows": data_rows,
        "accepted_rows": accepted,
        "rejected_rows": rejected,
        "title_rows": getattr(sheet, "title_rows", None),
        "blank_rows": getattr(sheet, "blank_rows", None),
        "footer_rows": getattr(sheet, "footer_rows", None),
        "message": message,
    }


def _skipped_row(read: FileRead, sheet_name: str, why: str) -> dict:
    """A sheet that holds no data rows (empty, chart, hidden without a table): reported, 0 rows."""
    row = _file_row(read, None, None, 0, 0, 0, why)
    row["sheet_name"] = sheet_name
    return row


def _rejected_rows(read: FileRead, sheet_name: str, table: str | None, rows: pl.DataFrame, reason) -> pl.DataFrame:
    reason_expr = reason if isinstance(reason, pl.Expr) else pl.lit(reason)
    return rows.select(
        pl.lit(read.file_name).alias("file_name"),
        pl.lit(sheet_name).alias("sheet_name"),
        pl.col("row_number").cast(pl.Int64),
        pl.lit(table, dtype=pl.Utf8).alias("source_table"),
        reason_expr.cast(pl.Utf8).alias("reason"),
        pl.col("raw").alias("raw_values"),
    )


def _rejected_whole(read: FileRead, problem: FileProblem) -> pl.DataFrame:
    """The one row that says a file or sheet was rejected whole (no row number)."""
    raw = json.dumps({"最接近的表": problem.closest_table, "缺少的列": problem.missing_columns}, ensure_ascii=False)
    return pl.DataFrame(
        [{"file_name": read.file_name, "sheet_name": problem.sheet_name, "row_number": None,
          "source_table": None, "reason": problem.message, "raw_values": raw}],
        schema=_EMPTY_REJECTED,
    )  # fmt: skip


def household_key(table: Table) -> pl.Expr:
    """The household a record belongs to: ``dibao:<户主身份证号>`` or ``fupin:<户编号>``."""
    if table.name == "dibao":
        head = pl.coalesce(pl.col("head_id_number"), pl.col("head_id_number_prefix"), pl.col("head_id_number_raw"))
        return pl.concat_str(pl.lit("dibao:"), head)
    if table.name == "fupin":
        return pl.concat_str(pl.lit("fupin:"), pl.col("household_number"))
    return pl.lit(None, dtype=pl.Utf8)


def prepare_file(item: tuple) -> PreparedFile:
    """Read one input file and normalise and validate its rows.

    ``item`` = (path, name shown in messages, reference date of the quarter).
    """
    path, name, reference_date = item
    return prepare_sheets(read_file(path, name), reference_date)


def prepare_sheets(read: FileRead, reference_date: date) -> PreparedFile:
    """Normalise and validate every recognised sheet of one file; route every row to accepted or rejected."""
    accepted: list[tuple[str, str, pl.DataFrame]] = []
    rejected: list[pl.DataFrame] = []
    run_files: list[dict] = [_skipped_row(read, sheet_name, why) for sheet_name, why in read.skipped_sheets]
    for sheet in read.sheets:
        if isinstance(sheet, FileProblem):
            rejected.append(_rejected_whole(read, sheet))
            rejected.append(_rejected_rows(read, sheet.sheet_name, None, sheet.rows, sheet.message))
            run_files.append(_file_row(read, sheet, None, sheet.rows.height, 0, sheet.rows.height, sheet.message))
            continue
        table = TABLES[sheet.table]
        ok, bad = accept_or_reject(table, normalise(table, sheet.rows, reference_date))
        ok = ok.with_columns(
            pl.lit(read.file_name).alias("file_name"),
            pl.lit(sheet.sheet_name).alias("sheet_name"),
            pl.lit(table.name).alias("source_table"),
            household_key(table).alias("household_key"),
        )
        accepted.append((table.name, sheet.sheet_name, ok))
        rejected.append(_rejected_rows(read, sheet.sheet_name, table.name, bad, pl.col("reason")))
        run_files.append(_file_row(read, sheet, table.name, sheet.rows.height, ok.height, bad.height))
    file = {"file_name": read.file_name, "sha256": read.sha256, "form": read.form}
    return PreparedFile(file, accepted, rejected, run_files)


def combine_files(parts: list[PreparedFile]) -> Prepared:
    """The run's tables from every prepared file: region names learned across all files, and
    ``record_id`` numbered in a deterministic order (table, file, sheet, row).

    The tables are kept in that order, so their rows, concatenated, run 0, 1, 2 ... (the quarter's
    assembly relies on it to add person keys by position).  Each sheet's rows are already in row
    order, so ordering the sheets is enough: no sort of the (large) tables.
    """
    by_table: dict[str, list[tuple[str, str, pl.DataFrame]]] = {}
    for part in parts:
        for name, sheet_name, frame in part.accepted:
            by_table.setdefault(name, []).append((part.file["file_name"], sheet_name, frame))
    tables: dict[str, pl.DataFrame] = {}
    for name in sorted(by_table):
        sheets = sorted(by_table.pop(name), key=lambda s: (s[0], s[1]))
        tables[name] = pl.concat([frame for _, _, frame in sheets], how="diagonal_relaxed")
    regions = RegionNames.learn(list(tables.values()))
    offset = 0
    for name in list(tables):  # one table at a time: each unfilled frame goes once its filled one exists
        frame = regions.fill(tables.pop(name))
        tables[name] = frame.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + offset).alias("record_id"))
        offset += frame.height
    rejected = [frame for part in parts for frame in part.rejected]
    rejected_all = pl.concat(rejected, how="vertical_relaxed") if rejected else pl.DataFrame(schema=_EMPTY_REJECTED)
    run_files = pl.DataFrame([row for part in parts for row in part.run_files], infer_schema_length=None)
    return Prepared(tables, rejected_all, run_files, [part.file for part in parts])
