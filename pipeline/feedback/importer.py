"""``doudi feedback import``: township answers into ``case_feedback``.

Each answered row must name a case of its workbook's quarter (``cases.case_id``); the township and
rule come from that case.  ``case_feedback`` is history (``store.HISTORY_TABLES``): a rerun of a
quarter keeps it, and importing a workbook again replaces the answers of the cases it answers
(one row per quarter and case), in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl

from contracts.outputs import CaseFeedback
from pipeline import store
from pipeline.feedback.read import Issue, WorkbookRead, frame, read_workbook
from pipeline.quarter import Quarter


def _shown_date(d: date | None) -> str | None:
    return None if d is None else f"{d:%Y-%m-%d}"


@dataclass
class FileSummary:
    file: str
    quarter: str | None
    sheets: list[str]
    answered: int  # rows with an answer read
    imported: int
    blank: int  # case rows left empty


@dataclass
class ImportResult:
    imported: int
    files: list[FileSummary] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def refused(self) -> list[Issue]:
        """Issues whose row (or file) was not imported."""
        return [i for i in self.issues if not i.imported]


def _known_cases(con, quarter: str) -> pl.DataFrame:
    return con.sql(
        "SELECT case_id, township, rule_code, first_seen_quarter FROM cases WHERE quarter = ?", params=[quarter]
    ).pl()


def _existed(row: dict, first_seen: str | None) -> str | None:
    """Why a 销号日期 cannot be: before the first day of the quarter the case was first found."""
    if row["closed_date"] is None or not first_seen:
        return None
    start = Quarter.parse(first_seen).start
    if row["closed_date"] < start:
        return f"销号日期 {row['closed_date']:%Y-%m-%d} 早于该问题首次发现的季度 {first_seen}（{start:%Y-%m-%d} 起），请核对"
    return None


def import_feedback(
    paths: list[Path | str], db_path: Path | str, quarter: str | None = None, today: date | None = None
) -> ImportResult:
    """Read every workbook of ``paths`` and store its answers in ``db_path`` (see the module doc).
    ``today``: the import date (default: today's); a 销号日期 after it is refused."""
    reads: list[WorkbookRead] = [read_workbook(p, quarter, today) for p in paths]
    result = ImportResult(0)
    db_path = Path(db_path)
    if not db_path.exists():
        raise FileNotFoundError(f"数据库 {db_path} 不存在")
    keep: dict[tuple[str, str], dict] = {}
    counted: dict[str, int] = {}
    with store.run_lock(db_path), store.connect(db_path) as con:
        known: dict[str, pl.DataFrame] = {}
        for read in reads:
            result.issues.extend(read.issues)
            counted[read.file] = 0
            if read.quarter is None or not read.sheets:
                continue
            if read.quarter not in known:
                known[read.quarter] = _known_cases(con, read.quarter)
            cases = known[read.quarter]
            if cases.is_empty():
                result.issues.append(Issue(read.file, None, None, None, None, f"数据库中没有 {read.quarter} 的问题清单（cases），无法对应问题编号"))
                continue
            ids = dict(zip(cases["case_id"], zip(cases["township"], cases["rule_code"])))
            first_seen = dict(zip(cases["case_id"], cases["first_seen_quarter"]))
            for row in read.rows:
                where = (read.file, row["source_sheet"], row["source_row"], "问题编号", row["case_id"])
                if row["case_id"] not in ids:
                    result.issues.append(Issue(*where, f"问题编号 {row['case_id']} 不在 {read.quarter} 的问题清单中"))
                    continue
                if why := _existed(row, first_seen[row["case_id"]]):
                    result.issues.append(Issue(read.file, row["source_sheet"], row["source_row"], "销号日期", _shown_date(row["closed_date"]), why))
                    continue
                key = (read.quarter, row["case_id"])
                if key in keep:
                    before = keep[key]
                    result.issues.append(
                        Issue(*where, f"问题编号重复（另见 {before['source_file']} 工作表“{before['source_sheet']}”第 {before['source_row']} 行），以本行为准", imported=True)
                    )
                    counted[before["source_file"]] -= 1
                township, rule_code = ids[row["case_id"]]
                keep[key] = row | {"township": township, "rule_code": rule_code}
                counted[read.file] += 1
        imported_at = datetime.now()
        rows = frame(list(keep.values())) if keep else frame([])
        rows = rows.with_columns(
            pl.Series("township", [r["township"] for r in keep.values()], dtype=pl.Utf8),
            pl.Series("rule_code", [r["rule_code"] for r in keep.values()], dtype=pl.Utf8),
            pl.lit(imported_at, dtype=pl.Datetime("us")).alias("imported_at"),
        ).select(list(CaseFeedback.columns))
        CaseFeedback.validate(rows)
        store.replace_history(con, "case_feedback", rows, ("quarter", "case_id"))
    result.imported = rows.height
    for read in reads:
        result.files.append(
            FileSummary(read.file, read.quarter, read.sheets, len(read.rows), counted.get(read.file, 0), read.blank_rows)
        )
    return result
