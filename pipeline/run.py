"""``run_quarter``: one quarterly run, its stages in order.  The orchestrator, nothing else.

1. 读取与校验  every file read, normalised, validated (``pipeline.prepare``), a few at a time and
              not much heavier together than the heaviest (``pipeline.executor.Admission``), its
              accepted rows written to the run's build folder (beside the database,
              ``store.build_folder``: the record-level rows wait on disk, not in memory);
2. 合并各表    the files' tables gathered there; the quarter checked complete (``pipeline.completeness``);
3. 人员识别    one person across every roster (``pipeline.link``; on a cluster the candidate pairs
              are scored per partition on the workers, ``pipeline.link.partitioned``), the
              quarter's tables assembled;
4. 筛查规则    the record-level tables checked and moved to the run's build folder, then the
              rules, overlap rates, 销号, the townships' last answers (``pipeline.rules``);
5. 写入数据库  every table checked against its contract (``pipeline.checks``), the quarter replaced
              in one transaction, the run recorded as finished (``pipeline.runlog``);
6. 生成乡镇清单 the township workbooks and the county summary, read back from the database (on a
              cluster, each county's folder a task: ``pipeline.report.by_county``).

A usage mistake (no such folder, no table, a missing table, a bad quarter) stops the run before
anything is written: no database file is created or changed.  Whatever runs the stages (this
process, Prefect, Dask) is the executor's business (``pipeline.executor``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from pipeline import runlog, store
from pipeline.assemble import assemble_quarter, records_beside, records_for_linking
from pipeline.checks import check_outputs
from pipeline.completeness import Completeness, check_completeness
from pipeline.errors import UsageError
from pipeline.executor import LocalExecutor
from pipeline.feedback import carry_feedback, latest_feedback
from pipeline.ingest import list_files, weight
from pipeline.link import load as load_link_settings
from pipeline.link.partitioned import link_on
from pipeline.policy import Policy
from pipeline.prepare import Prepared, combine_files, prepare_file
from pipeline.previous import accepted_rows_by_table, previous_cases
from pipeline.quarter import Quarter
from pipeline.report.by_county import write_reports_on
from pipeline.review import load_decisions
from pipeline.review.pending import mark_undecided
from pipeline.rules import create_views, run_rules


@dataclass
class RunResult:
    run_id: str
    quarter: str
    db_path: Path
    counts: dict[str, int]
    rejected_rows: int
    problem_sheets: list[str]
    stage_seconds: dict[str, float]
    status: str = "succeeded"
    completeness: Completeness = field(default_factory=Completeness)
    reports_written: list[Path] = field(default_factory=list)
    reports_locked: list[Path] = field(default_factory=list)


def input_files(input_dir: Path, quarter: Quarter) -> list[tuple]:
    """(path, name, reference date) of every file the run reads; a usage error when there is none."""
    if not input_dir.is_dir():
        raise UsageError(f"输入目录 {input_dir} 不存在")
    files = list_files(input_dir)
    if not files:
        raise UsageError(f"输入目录 {input_dir} 中没有文件")
    return [(path, name, quarter.reference_date) for path, name in files]


# The large tables: the record-level ones, the persons, and the rules' person_facts (``screen``):
# they wait for the write in the build folder.
LARGE = ("source_records", "persons", "person_facts")


def spooled_tables(tables: dict[str, pl.DataFrame]) -> list[str]:
    """The large tables of ``tables`` (``LARGE`` and every ``stg_<table>``)."""
    return [name for name in tables if name in LARGE or name.startswith("stg_")]


def screen(
    tables: dict[str, pl.DataFrame], policy: Policy, quarter: str, previous, feedback, unscreened, build: Path, beside: dict
) -> dict[str, pl.DataFrame | pl.LazyFrame]:
    """The rules' stage: cases (with the townships' last answers carried on, and marked where they
    rest on a pair waiting for a person), resolved_cases, overlap_rates and person_facts of the
    quarter; rules in ``unscreened`` are not run.

    The large tables are checked against their contracts, then leave ``tables`` for the build
    folder ``build``, where the rules read them and ``store_quarter`` copies them from; the rules
    write person_facts there too (returned as a lazy scan of its file).  ``beside``: each staging
    table's rows of source_records (``assemble.records_beside``), written beside the staging rows
    in its file, where ``store_quarter`` reads source_records from (a file of its own repeated
    the shared columns: 5.3 s at 1M households).
    """
    inputs = {name: tables.pop(name) for name in spooled_tables(tables)}
    for name, frame in inputs.items():  # a lazy frame: only the columns whose values are checked are read
        check_outputs({name: frame})
    records = inputs.pop("source_records")
    persons = store.spool(build, {"persons": inputs.pop("persons")})["persons"]
    out = run_rules({**inputs, "persons": persons}, policy, quarter, previous, unscreened, build, release=True, beside=beside)
    review = tables["match_review"]
    named = pl.concat([review["record_id_l"], review["record_id_r"]]).implode()  # memory: not every record's key
    person_of_record = records.lazy().select("record_id", "person_key").filter(pl.col("record_id").is_in(named)).collect()
    cases = mark_undecided(carry_feedback(out["cases"], feedback), review, person_of_record)
    check_outputs({"person_facts": out["person_facts"]})
    return {
        "cases": cases,
        "resolved_cases": out["resolved_cases"],
        "overlap_rates": out["overlap_rates"],
        "person_facts": out["person_facts"],
    }


def store_quarter(
    db_path: Path, run_id: str, quarter: str, tables: dict[str, pl.DataFrame], record: dict,
    build: Path | None = None, spooled: list[str] | tuple[str, ...] = (),
) -> None:  # fmt: skip
    """Check every table against its contract, replace the quarter (with ``spooled``, the tables
    ``screen`` checked and moved to the build folder), record the run as finished."""
    check_outputs(tables)
    with store.connect(db_path) as con:
        store.write_quarter(con, quarter, tables, release=True, build=build, spooled=spooled)
        create_views(con)
        store.comment_view_columns(con)
        runlog.record_files(con, run_id, quarter, record.pop("run_files"))
        runlog.finish_run(con, run_id, "succeeded", **record)


def _link_quarter(executor, quarter: str, prepared: Prepared, policy: Policy, decisions, build: Path) -> tuple[dict, dict, dict]:
    """Identity resolution (with a person's decisions on doubtful pairs), then the quarter's
    record-level tables; returns them, each staging table's rows of source_records to write
    beside it (``records_beside``) and what `runs` keeps of the linkage.  The prepared tables
    wait in the build folder meanwhile (identity reads only ``records``)."""
    records = records_for_linking(prepared)
    precedence = list(policy["residence_precedence"])
    linkage = link_on(executor, records, load_link_settings(), precedence, decisions, build)
    tables = assemble_quarter(quarter, prepared, records, linkage, build)
    beside = records_beside(prepared, build)
    prepared.tables.clear()  # now in tables (stg_<table>, source_records)
    return tables, beside, {"link_settings": linkage.settings, "link_counts": linkage.counts}


def _rejected_whole(prepared: Prepared) -> list[str]:
    """Every file or sheet rejected whole, in words, for the console summary."""
    whole = prepared.rejected.filter(pl.col("row_number").is_null())
    return [
        r["reason"] if r["file_name"] in r["reason"] else f"{r['file_name']} {r['sheet_name']}".strip() + f"：{r['reason']}"
        for r in whole.iter_rows(named=True)
    ]


def run_quarter(
    input_dir: Path,
    quarter: str,
    policy: Policy,
    db_path: Path,
    reports_dir: Path | None = None,
    executor=None,
    allow_missing: list[str] | tuple[str, ...] = (),
) -> RunResult:
    """Reconcile one quarter's folder into ``db_path`` (see the module doc).

    ``allow_missing``: tables this county does not export, besides the policy's
    ``tables_not_exported``; the rules that read them are not run this quarter.
    """
    q = Quarter.parse(quarter)
    quarter, executor = str(q), executor or LocalExecutor()
    input_dir, db_path = Path(input_dir), Path(db_path)
    files = input_files(input_dir, q)
    run_id, started = runlog.new_run_id(), datetime.now()
    with store.run_lock(db_path), store.build_folder(db_path) as build:
        parts = executor.map("读取与校验", prepare_file, [(*item, build) for item in files], weights=[weight(item[0]) for item in files])
        prepared = executor.call("合并各表", combine_files, parts, build)
        del parts  # memory: each stage's inputs are let go as soon as the next stage has its own
        not_exported = [*allow_missing, *policy["tables_not_exported"]]
        complete = check_completeness(prepared, input_dir, not_exported, accepted_rows_by_table(db_path, str(q.previous())))
        with store.connect(db_path) as con:
            runlog.start_run(con, run_id, quarter, input_dir, policy, started)
        try:
            tables, beside, linkage = _link_quarter(executor, quarter, prepared, policy, load_decisions(db_path), build)
            previous = previous_cases(db_path, str(q.previous()))
            feedback = latest_feedback(db_path, quarter)
            counts = {name: store.height(frame) for name, frame in tables.items()}
            screened = executor.call(
                "筛查规则", screen, tables, policy, quarter, previous, feedback, complete.unscreened_rules, build, beside
            )
            counts.update({name: store.height(frame) for name, frame in screened.items()})
            spooled = spooled_tables(counts)  # in the build folder, not in ``tables``
            tables.update({name: frame for name, frame in screened.items() if name not in spooled})
            del screened, previous
            table_counts = dict(sorted(counts.items()))
            record = {
                "files": runlog.files_summary(prepared.run_files), "run_files": prepared.run_files,
                "counts": table_counts, "completeness": complete.to_dict(), **linkage,
            }  # fmt: skip
            executor.call("写入数据库", store_quarter, db_path, run_id, quarter, tables, record, build, spooled)
            status, written, locked = "succeeded", [], []
            if reports_dir is not None:  # reads the finished run; rebuilt alone by `doudi report`
                outcome = write_reports_on(executor, db_path, quarter, reports_dir, policy)
                written, locked = outcome.written, outcome.locked
                status = "reports_incomplete" if locked else status
            with store.connect(db_path) as con:
                runlog.update_run(con, run_id, status=status, stage_seconds=executor.progress.seconds)
        except BaseException as e:
            with store.connect(db_path) as con:
                runlog.finish_run(con, run_id, "failed", error=f"{type(e).__name__}: {e}", stage_seconds=executor.progress.seconds)
            raise
    return RunResult(
        run_id, quarter, db_path, table_counts, prepared.rejected.filter(pl.col("row_number").is_not_null()).height,
        _rejected_whole(prepared), dict(executor.progress.seconds), status, complete, written, locked,
    )  # fmt: skip
