"""``doudi review import``: a person's decisions on record pairs into ``link_decisions``.

``link_decisions`` is history (``store.HISTORY_TABLES``): a rerun keeps it; importing a decision on
a pair already decided replaces it (one row per pair_key: the two records' cross-quarter keys), in
one transaction. The next run of any quarter applies the decisions (``pipeline/link/decisions.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from contracts.review import LinkDecisions
from pipeline import store
from pipeline.errors import UsageError
from pipeline.feedback.read import Issue
from pipeline.review.export import pair_key_expr
from pipeline.review.read import ReviewRead, read_review


@dataclass
class ReviewImport:
    imported: int
    counts: dict[str, int] = field(default_factory=dict)  # decision -> pairs
    reads: list[ReviewRead] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def decisions_frame(reads: list[ReviewRead], decided_at: datetime) -> pl.DataFrame:
    """One row per pair (the last file read wins), in the columns of ``link_decisions``."""
    rows = [row for read in reads for row in read.rows]
    if not rows:
        return pl.DataFrame(schema={c: s.dtype.type for c, s in LinkDecisions.columns.items()})
    frame = pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pair_key_expr(), pl.lit(decided_at, dtype=pl.Datetime("us")).alias("decided_at")
    )
    frame = frame.unique("pair_key", keep="last", maintain_order=True)
    return frame.select([pl.col(c).cast(s.dtype.type) for c, s in LinkDecisions.columns.items()])


def import_review(paths: list[Path | str], db_path: Path | str, quarter: str | None = None) -> ReviewImport:
    db_path = Path(db_path)
    if not db_path.exists():
        raise UsageError(f"数据库 {db_path} 不存在")
    reads = [read_review(p, quarter) for p in paths]
    rows = decisions_frame(reads, datetime.now())
    LinkDecisions.validate(rows)
    with store.run_lock(db_path), store.connect(db_path) as con:
        store.replace_history(con, "link_decisions", rows, ("pair_key",))
    counts = dict(rows.group_by("decision").len().iter_rows()) if rows.height else {}
    return ReviewImport(rows.height, counts, reads, [i for r in reads for i in r.issues])
