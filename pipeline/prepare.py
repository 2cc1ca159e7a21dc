"""Preparation: every input file read, normalised and validated, then the run's tables gathered.

``prepare_file`` takes one file (read -> normalise -> validate, one sheet at a time) and routes
every data row to accepted or rejected; its raw cells are let go before the next file, so a run
never holds every file twice.  Given the run's build folder, each sheet's accepted rows are
written there as Parquet at once (``sheets/``), so the files' rows wait on disk, not in memory.
``combine_files`` gathers the accepted rows of all files into one table per table name (region
names learned across files, ``record_id`` numbered in table, file, sheet, row order); with a
build folder it works lazily over those files and writes only the filled region columns there:
each table is read from the sheets' files whenever a stage reads it.  Every input row ends in
exactly one of the accepted tables or ``rejected``, and ``run_files`` keeps the count per file
and sheet.  A file or sheet rejected whole is also one row of ``rejected`` with no row number
(``row_number`` null), so the console, ``rejected_rows`` and the department lists all name it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from contracts.outputs import RejectedRows, dtypes
from contracts.sources import TABLES, Table
from pipeline.frames import beside
from pipeline.ingest import FileProblem, FileRead, read_file
from pipeline.limits import compact
from pipeline.normalise import RegionNames, normalise
from pipeline.store import spool_path, write_scratch
from pipeline.validate import accept_or_reject

_EMPTY_REJECTED = dtypes(RejectedRows, drop=("quarter",))  # the contract's columns; quarter comes later


@dataclass
class PreparedFile:
    """One input file read, normalised and validated."""

    file: dict  # file_name, sha256, form
    accepted: list[tuple[str, str, pl.LazyFrame]]  # (table, sheet name, accepted rows) per sheet
    rejected: list[pl.DataFrame]
    run_files: list[dict]


@dataclass
class Prepared:
    """Accepted records per table (normalised, with provenance) and everything rejected."""

    tables: dict[str, pl.DataFrame | pl.LazyFrame]  # lazy (Parquet in the build folder) in a run
    rejected: pl.DataFrame
    run_files: pl.DataFrame
    files: list[dict] = field(default_factory=list)

    @property
    def recognised_tables(self) -> set[str]:
        """The tables some sheet of the folder was recognised as (with rows or only a header)."""
        return set(self.run_files.get_column("source_table").drop_nulls()) if self.run_files.height else set()

    @property
    def accepted_rows(self) -> dict[str, int]:
        """Accepted rows per table (from ``run_files``: the tables themselves may wait on disk)."""
        if not self.run_files.height:
            return {}
        counted = self.run_files.drop_nulls("source_table").group_by("source_table").agg(pl.col("accepted_rows").sum())
        return dict(counted.iter_rows())


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
    """The rows of a sheet not used, kept to the run's end: compacted (``limits.compact``), so that
    they do not hold the whole sheet's cells."""
    reason_expr = reason if isinstance(reason, pl.Expr) else pl.lit(reason)
    return compact(rows.select(
        pl.lit(read.file_name).alias("file_name"),
        pl.lit(sheet_name).alias("sheet_name"),
        pl.col("row_number").cast(pl.Int64),
        pl.lit(table, dtype=pl.Utf8).alias("source_table"),
        reason_expr.cast(pl.Utf8).alias("reason"),
        pl.col("raw").alias("raw_values"),
    ))


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

    ``item`` = (path, name shown in messages, reference date of the quarter[, build folder]).
    """
    path, name, reference_date, *build = item
    return prepare_sheets(read_file(path, name), reference_date, build[0] if build else None)


def _set_aside(ok: pl.DataFrame, build: Path | None, file_name: str, sheet_name: str) -> pl.LazyFrame:
    """A sheet's accepted rows, written to ``build/sheets`` (when given) and read back lazily."""
    if build is None:
        return ok.lazy()
    digest = hashlib.blake2b(f"{file_name}\0{sheet_name}".encode(), digest_size=12).hexdigest()
    path = Path(build) / "sheets" / f"{digest}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_scratch(ok, path)
    return pl.scan_parquet(path)


def prepare_sheets(read: FileRead, reference_date: date, build: Path | None = None) -> PreparedFile:
    """Normalise and validate every recognised sheet of one file; route every row to accepted or
    rejected.  ``build``: the run's build folder, where the accepted rows wait (``_set_aside``)."""
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
        accepted.append((table.name, sheet.sheet_name, _set_aside(ok, build, read.file_name, sheet.sheet_name)))
        rejected.append(_rejected_rows(read, sheet.sheet_name, table.name, bad, pl.col("reason")))
        run_files.append(_file_row(read, sheet, table.name, sheet.rows.height, ok.height, bad.height))
    file = {"file_name": read.file_name, "sha256": read.sha256, "form": read.form}
    return PreparedFile(file, accepted, rejected, run_files)


def _regions_aside(regions: RegionNames, frame: pl.LazyFrame, build: Path, name: str) -> pl.LazyFrame:
    """``frame`` with its region columns filled, lazily: only those six columns are written (to
    the build folder); the others stay in the sheets' files.  (Writing the whole table there was
    a second copy of every record, and its largest write before the database.)"""
    path = spool_path(build, f"regions_{name}")
    write_scratch(regions.filled(frame), path)
    return beside(frame, pl.scan_parquet(path))


def combine_files(parts: list[PreparedFile], build: Path | None = None) -> Prepared:
    """The run's tables from every prepared file: region names learned across all files, and
    ``record_id`` numbered in a deterministic order (table, file, sheet, row).

    The tables are kept in that order, so their rows, concatenated, run 0, 1, 2 ... (the quarter's
    assembly relies on it to add person keys by position).  Each sheet's rows are already in row
    order, so ordering the sheets is enough: no sort of the (large) tables.  With ``build`` the
    tables stay lazy: their rows are read from the sheets' files, beside the filled region columns
    (``_regions_aside``), whenever a stage reads them; without, they are collected in memory.
    """
    by_table: dict[str, list[tuple[str, str, pl.LazyFrame]]] = {}
    for part in parts:
        for name, sheet_name, frame in part.accepted:
            by_table.setdefault(name, []).append((part.file["file_name"], sheet_name, frame))
    tables: dict[str, pl.LazyFrame] = {}
    for name in sorted(by_table):
        sheets = sorted(by_table.pop(name), key=lambda s: (s[0], s[1]))
        tables[name] = pl.concat([frame for _, _, frame in sheets], how="diagonal_relaxed")
    regions = RegionNames.learn(list(tables.values()))
    offset = 0
    for name, frame in tables.items():
        columns, rows = frame.collect_schema().names(), frame.select(pl.len()).collect().item()
        filled = regions.fill(frame).collect() if build is None else _regions_aside(regions, frame, build, name)
        numbered = filled.with_row_index("record_id", offset).with_columns(pl.col("record_id").cast(pl.Int64))
        tables[name] = numbered.select(*columns, "record_id")
        offset += rows
    rejected = [frame for part in parts for frame in part.rejected]
    rejected_all = pl.concat(rejected, how="vertical_relaxed") if rejected else pl.DataFrame(schema=_EMPTY_REJECTED)
    run_files = pl.DataFrame([row for part in parts for row in part.run_files], infer_schema_length=None)
    return Prepared(tables, rejected_all, run_files, [part.file for part in parts])
