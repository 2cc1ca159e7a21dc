"""The stages of one quarterly run, as plain functions over polars frames.

``flows/quarterly.py`` wraps each stage in a Prefect task; tests and benchmarks call them
directly.  Every input row ends in exactly one of ``source_records`` / ``rejected_rows``:
``ingest`` (per file) keeps the count per file and sheet, ``combine`` gathers it in ``run_files``.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl

from contracts.outputs import RejectedRows, SourceRecords, dtypes
from contracts.sources import TABLES, Table
from pipeline import store
from pipeline.ingest import FileProblem, FileRead, list_files, read_file
from pipeline.normalise import RegionNames, normalise
from pipeline.policy import Policy
from pipeline.rules import create_views, run_rules
from pipeline.validate import split

# Columns every record offers to identity resolution and to source_records, with their types.
COMMON = {
    "id_number_raw": pl.Utf8,
    "id_number": pl.Utf8,
    "id_valid": pl.Boolean,
    "id_issue": pl.Utf8,
    "id_prefix": pl.Utf8,
    "name_raw": pl.Utf8,
    "name": pl.Utf8,
    "name_display": pl.Utf8,
    "name_pinyin": pl.Utf8,
    "name_pinyin_fuzzy": pl.Utf8,
    "gender": pl.Utf8,
    "birth_date": pl.Date,
    "region_code": pl.Utf8,
    "county": pl.Utf8,
    "township": pl.Utf8,
    "village": pl.Utf8,
    "relation": pl.Utf8,
}
# The person's own ID companions are named after the column (id_number_valid ...) in staging;
# source_records and identity use the short names of outputs.md.
_RENAMED = {"id_valid": "id_number_valid", "id_issue": "id_number_issue", "id_prefix": "id_number_prefix"}
_PROVENANCE = ("file_name", "sheet_name", "row_number")
_DROP_FROM_STAGING = ("raw", "problems")


@dataclass
class Prepared:
    """Accepted records per table (normalised, with provenance) and everything rejected."""

    tables: dict[str, pl.DataFrame]
    rejected: pl.DataFrame
    run_files: pl.DataFrame
    files: list[dict] = field(default_factory=list)


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


def _rejected_frame(read: FileRead, sheet_name: str, table: str | None, rows: pl.DataFrame, reason) -> pl.DataFrame:
    reason_expr = reason if isinstance(reason, pl.Expr) else pl.lit(reason)
    return rows.select(
        pl.lit(read.file_name).alias("file_name"),
        pl.lit(sheet_name).alias("sheet_name"),
        pl.col("row_number").cast(pl.Int64),
        pl.lit(table, dtype=pl.Utf8).alias("source_table"),
        reason_expr.cast(pl.Utf8).alias("reason"),
        pl.col("raw").alias("raw_values"),
    )


def _household_key(table: Table, frame: pl.DataFrame) -> pl.Expr:
    if table.name == "dibao":
        head = pl.coalesce(pl.col("head_id_number"), pl.col("head_id_number_prefix"), pl.col("head_id_number_raw"))
        return pl.concat_str(pl.lit("dibao:"), head)
    if table.name == "fupin":
        return pl.concat_str(pl.lit("fupin:"), pl.col("household_number"))
    return pl.lit(None, dtype=pl.Utf8)


@dataclass
class PreparedFile:
    """One input file read, normalised and validated: the per-file half of ``prepare``."""

    file: dict  # file_name, sha256, form
    accepted: list[tuple[str, str, pl.DataFrame]]  # (table, sheet name, accepted rows) per sheet
    rejected: list[pl.DataFrame]
    run_files: list[dict]


def ingest(item: tuple) -> PreparedFile:
    """Read one input file and normalise and validate its rows.

    ``item`` = (path, name shown in messages, reference date of the quarter).  The raw cells of a
    file are let go as soon as its rows are normalised, so a run never holds every file twice.
    """
    path, name, reference_date = item
    return prepare_file(read_file(path, name), reference_date)


_EMPTY_REJECTED = dtypes(RejectedRows, drop=("quarter",))  # the contract's columns; quarter comes in outputs


def prepare_file(read: FileRead, reference_date: date) -> PreparedFile:
    """Normalise and validate every recognised sheet of one file; route every row to accepted or rejected."""
    accepted: list[tuple[str, str, pl.DataFrame]] = []
    rejected: list[pl.DataFrame] = []
    run_files: list[dict] = []
    for sheet_name, why in read.skipped_sheets:
        run_files.append(_skipped_row(read, sheet_name, why))
    for sheet in read.sheets:
        if isinstance(sheet, FileProblem):
            rejected.append(_rejected_frame(read, sheet.sheet_name, None, sheet.rows, sheet.message))
            run_files.append(_file_row(read, sheet, None, sheet.rows.height, 0, sheet.rows.height, sheet.message))
            continue
        table = TABLES[sheet.table]
        frame = normalise(table, sheet.rows, reference_date)
        ok, bad = split(table, frame)
        ok = ok.with_columns(
            pl.lit(read.file_name).alias("file_name"),
            pl.lit(sheet.sheet_name).alias("sheet_name"),
            pl.lit(table.name).alias("source_table"),
            _household_key(table, ok).alias("household_key"),
        )
        accepted.append((table.name, sheet.sheet_name, ok))
        rejected.append(_rejected_frame(read, sheet.sheet_name, table.name, bad, pl.col("reason")))
        run_files.append(_file_row(read, sheet, table.name, sheet.rows.height, ok.height, bad.height))
    file = {"file_name": read.file_name, "sha256": read.sha256, "form": read.form}
    return PreparedFile(file, accepted, rejected, run_files)


def combine(parts: list[PreparedFile]) -> Prepared:
    """The run's tables from every prepared file: region names learned across all files, and
    ``record_id`` numbered in a deterministic order (table, file, sheet, row).

    The tables are kept in that order, so their rows, concatenated, run 0, 1, 2 ... (``outputs``
    relies on it to add person keys by position).  Each sheet's rows are already in row order,
    so ordering the sheets is enough: no sort of the (large) tables.
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
    run_files = [row for part in parts for row in part.run_files]
    return Prepared(tables, rejected_all, pl.DataFrame(run_files, infer_schema_length=None), [part.file for part in parts])


def link_records(prepared: Prepared) -> pl.DataFrame:
    """One frame of every accepted record with the columns identity resolution reads."""
    parts = []
    for frame in prepared.tables.values():
        cols = [
            (pl.col(_RENAMED.get(c, c)) if _RENAMED.get(c, c) in frame.columns else pl.lit(None)).cast(t).alias(c)
            for c, t in COMMON.items()
        ]
        parts.append(frame.select("record_id", "source_table", "household_key", *cols, *_PROVENANCE))
    return pl.concat(parts) if parts else pl.DataFrame(schema={"record_id": pl.Int64, "source_table": pl.Utf8, "household_key": pl.Utf8, **COMMON})


def code_version() -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=Path(__file__).parent, capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except Exception:  # no git on a county machine: the package version says enough
        sha = ""
    from importlib.metadata import version

    return f"doudi {version('doudi')}" + (f" ({sha})" if sha else "")


def new_run_id() -> str:
    return datetime.now().strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]


def outputs(quarter: str, prepared: Prepared, records: pl.DataFrame, linkage) -> dict[str, pl.DataFrame]:
    """The quarter's rows of every table: source_records, stg_<table>, persons, match_review, rejected_rows.

    ``records`` (link_records) and the staging tables hold the records in record_id order, and
    the linkage has one assignment per record: the person keys are added by position, so no
    column of the (large) record frames is copied.
    """
    q = pl.lit(quarter).alias("quarter")
    assigned = linkage.assignments.select("record_id", "person_key", "match_method", "match_score").sort("record_id")
    if not assigned.get_column("record_id").equals(records.get_column("record_id")):
        raise AssertionError("identity resolution must assign every record exactly once")
    raw = [f.get_column("raw").alias("raw_values") for f in prepared.tables.values()]
    raw_values = pl.concat(raw, rechunk=False) if raw else pl.Series("raw_values", [], pl.Utf8)
    source_records = records.hstack(assigned.drop("record_id").get_columns()).hstack([raw_values])
    out = {
        "source_records": source_records.with_columns(q).select(list(SourceRecords.columns)),
        "persons": linkage.persons.with_columns(q, pl.col("source_tables").list.join(",")),
        "match_review": linkage.review.with_columns(q),
        "rejected_rows": prepared.rejected.with_columns(q),
    }
    person_key, offset = assigned.get_column("person_key"), 0
    for name, frame in prepared.tables.items():
        keep = [c for c in frame.columns if c not in _DROP_FROM_STAGING]
        out[f"stg_{name}"] = frame.select(keep).with_columns(person_key.slice(offset, frame.height), q)
        offset += frame.height
    return out


def counts(tables: dict[str, pl.DataFrame]) -> dict[str, int]:
    return {name: frame.height for name, frame in sorted(tables.items())}


def run_files_frame(run_id: str, quarter: str, prepared: Prepared) -> pl.DataFrame:
    return prepared.run_files.with_columns(pl.lit(run_id).alias("run_id"), pl.lit(quarter).alias("quarter"))


def start_run(con, run_id: str, quarter: str, input_dir: Path, policy: Policy) -> None:
    # We hold the run lock: a run still marked running was killed before it could say so.
    con.execute(
        "UPDATE runs SET status = 'interrupted', error = coalesce(error, '运行被中断（进程被终止），本季度数据保持中断前的状态') "
        "WHERE status = 'running'"
    )
    store.append(
        con,
        "runs",
        pl.DataFrame(
            [
                {
                    "run_id": run_id,
                    "quarter": quarter,
                    "status": "running",
                    "started_at": datetime.now(),
                    "input_dir": str(input_dir),
                    "policy_path": policy.source,
                    "policy": policy.to_json(),
                    "policy_sha256": policy.digest(),
                    "code_version": code_version(),
                }
            ]
        ),
    )


def finish_run(con, run_id: str, status: str, **values) -> None:
    store.update_run(con, run_id, status=status, finished_at=datetime.now(), **{k: v for k, v in values.items()})


def files_summary(prepared: Prepared) -> list[dict]:
    by_file = prepared.run_files.group_by("file_name", maintain_order=True).agg(
        pl.col("sha256").first(),
        pl.col("form").first(),
        pl.col("sheet_name"),
        pl.col("source_table"),
        pl.col("data_rows").sum(),
        pl.col("accepted_rows").sum(),
        pl.col("rejected_rows").sum(),
    )
    return json.loads(by_file.write_json())


def previous_cases(db_path: Path, quarter) -> pl.DataFrame | None:
    """The previous quarter's cases in the database (None when there are none)."""
    if not db_path.exists():
        return None
    with store.connect(db_path, read_only=True) as con:
        frame = con.sql("SELECT * FROM cases WHERE quarter = ?", params=[str(quarter.previous())]).pl()
    return frame if frame.height else None


def screen(
    tables: dict[str, pl.DataFrame],
    policy: Policy,
    quarter: str,
    previous: pl.DataFrame | None,
    feedback: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """Run every screening rule: cases, resolved_cases, overlap_rates, person_facts of the quarter.

    ``feedback``: the townships' latest answer per case (``pipeline.feedback.latest_feedback``),
    carried onto the cases (last answer, 不属实, 整改未到位).
    """
    from pipeline.feedback import carry

    inputs = {name: frame for name, frame in tables.items() if name.startswith("stg_") or name == "persons"}
    out = run_rules(inputs, policy, quarter, previous)
    return {
        "cases": carry(out["cases"], feedback),
        "resolved_cases": out["resolved_cases"],
        "overlap_rates": out["overlap_rates"],
        "person_facts": out["person_facts"].with_columns(pl.lit(quarter).alias("quarter")),
    }


class LocalExecutor:
    """Runs stages in this process, one after another, telling ``progress`` what it does.

    ``flows/quarterly.py`` supplies an executor that runs the same stages as Prefect tasks;
    the stages and their order live only in ``run_quarter``.
    """

    def __init__(self, progress=None):
        from pipeline.progress import Progress

        self.progress = progress or Progress()

    def call(self, stage: str, fn, *args):
        with self.progress.stage(stage):
            return fn(*args)

    def map(self, stage: str, fn, items: list):
        with self.progress.stage(stage, total=len(items)) as advance:
            out = []
            for item in items:
                out.append(fn(item))
                advance(item[1] if isinstance(item, tuple) else str(item))
            return out


@dataclass
class RunResult:
    run_id: str
    quarter: str
    db_path: Path
    counts: dict[str, int]
    rejected_rows: int
    problem_sheets: list[str]
    stage_seconds: dict[str, float]


def run_quarter(
    input_dir: Path,
    quarter: str,
    policy: Policy,
    db_path: Path,
    reports_dir: Path | None = None,
    executor=None,
) -> RunResult:
    """Reconcile one quarter's folder into ``db_path``: the whole run, whatever runs the stages."""
    from pipeline.feedback import latest_feedback
    from pipeline.feedback.carry import create_views as create_feedback_views
    from pipeline.link import link
    from pipeline.link import load as load_link_settings
    from pipeline.quarter import Quarter
    from pipeline.review import load_decisions
    from pipeline.review.pending import mark_undecided

    q = Quarter.parse(quarter)
    quarter = str(q)
    executor = executor or LocalExecutor()
    input_dir, db_path = Path(input_dir), Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    run_id = new_run_id()
    with store.run_lock(db_path):
        with store.connect(db_path) as con:
            start_run(con, run_id, quarter, input_dir, policy)
        try:
            files = [(path, name, q.reference_date) for path, name in list_files(input_dir)]
            parts = executor.map("读取与校验", ingest, files)
            prepared = executor.call("合并各表", combine, parts)
            del parts  # memory: each stage's inputs are let go as soon as the next stage has its own
            records = link_records(prepared)
            settings = load_link_settings()
            decisions = load_decisions(db_path)  # a person's 同一人 / 不是同一人 (doudi review import)
            linkage = executor.call("人员识别", link, records, settings, list(policy["residence_precedence"]), decisions)
            tables = outputs(quarter, prepared, records, linkage)
            del records, linkage
            prepared.tables.clear()  # now in tables (stg_<table>, source_records)
            previous = previous_cases(db_path, q)
            feedback = latest_feedback(db_path, quarter)
            screened = executor.call("筛查规则", screen, tables, policy, quarter, previous, feedback)
            screened["cases"] = mark_undecided(screened["cases"], tables["match_review"], tables["source_records"])
            tables.update(screened)
            del screened
            with store.connect(db_path) as con:
                table_counts = counts(tables)
                executor.call("写入数据库", store.write_quarter, con, quarter, tables, True)
                create_views(con)
                create_feedback_views(con)
                store.comment_view_columns(con)
                store.append(con, "run_files", run_files_frame(run_id, quarter, prepared))
            if reports_dir is not None:  # reads the committed quarter; rebuilt alone by `doudi report`
                from pipeline.report import write_reports

                executor.call("生成乡镇清单", write_reports, db_path, quarter, reports_dir, policy)
            with store.connect(db_path) as con:
                finish_run(
                    con,
                    run_id,
                    "succeeded",
                    files=files_summary(prepared),
                    counts=table_counts,
                    stage_seconds=executor.progress.seconds,
                )
        except BaseException as e:
            with store.connect(db_path) as con:
                finish_run(con, run_id, "failed", error=f"{type(e).__name__}: {e}", stage_seconds=executor.progress.seconds)
            raise
    # Sheets whose rows went to rejected_rows whole (a skipped empty/hidden sheet has no rows).
    problems = [
        f"{r['file_name']} {r['sheet_name']}".strip() + f"：{r['message']}"
        for r in prepared.run_files.filter(pl.col("message").is_not_null() & (pl.col("data_rows") > 0)).to_dicts()
    ]
    return RunResult(run_id, quarter, db_path, table_counts, prepared.rejected.height, problems, dict(executor.progress.seconds))
