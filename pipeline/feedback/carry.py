"""The townships' last answers, carried onto the next run's cases.

``latest_feedback(db, quarter)`` reads, for each case, the answer of the latest workbook before
``quarter`` (a rerun of a quarter does not read the answers to its own lists).  ``carry_feedback`` joins
it onto the quarter's cases (the rules' SQL is unchanged):

- ``feedback_quarter``, ``last_check_result``, ``last_rectification``, ``last_closed_date``,
  ``last_remark``: what was answered, and for which quarter's list;
- ``false_report``: the last answer was 不属实 -> listed apart (the ``disputed_cases`` view, the
  workbook's 核实不属实 sheet), with the township's reason, for the county to arbitrate;
- ``rectification_failed`` (整改未到位): the township reported the case put right (a 销号日期, or
  已整改 …), the answer was not 不属实, and the case fires again.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from contracts.outputs import FEEDBACK_COLUMNS, Cases, dtypes
from pipeline import store

CARRIED = {name: dtype for name, dtype in dtypes(Cases).items() if name in FEEDBACK_COLUMNS}
LATEST = {
    "case_id": pl.Utf8,
    "quarter": pl.Utf8,
    "check_result": pl.Utf8,
    "rectification": pl.Utf8,
    "closed_date": pl.Date,
    "remark": pl.Utf8,
    "rectified": pl.Boolean,
}

_LATEST_SQL = """
SELECT case_id, quarter, check_result, rectification, closed_date, remark, rectified
FROM case_feedback
WHERE quarter < ?
QUALIFY row_number() OVER (PARTITION BY case_id ORDER BY quarter DESC, imported_at DESC, source_row DESC) = 1
"""


def latest_feedback(db_path: Path, quarter: str) -> pl.DataFrame | None:
    """Per case_id, the latest answer from a list before ``quarter`` (None when there is none)."""
    return store.read_if_present(db_path, "case_feedback", _LATEST_SQL, [quarter])


def carry_feedback(cases: pl.DataFrame, feedback: pl.DataFrame | None) -> pl.DataFrame:
    """``cases`` with the CARRIED columns (no answer: nulls, and both flags false)."""
    base = cases.drop([c for c in CARRIED if c in cases.columns])
    if feedback is None or feedback.is_empty():
        fb = pl.DataFrame(schema=LATEST)
    else:
        fb = feedback.select([pl.col(c).cast(t) for c, t in LATEST.items()])
    fb = fb.select(
        "case_id",
        pl.col("quarter").alias("feedback_quarter"),
        pl.col("check_result").alias("last_check_result"),
        pl.col("rectification").alias("last_rectification"),
        pl.col("closed_date").alias("last_closed_date"),
        pl.col("remark").alias("last_remark"),
        (pl.col("check_result") == "不属实").fill_null(False).alias("false_report"),
        (pl.col("rectified").fill_null(False) & (pl.col("check_result").fill_null("") != "不属实")).alias("rectification_failed"),
    )
    out = base.join(fb, on="case_id", how="left", maintain_order="left")
    return out.with_columns(
        pl.col("false_report").fill_null(False),
        pl.col("rectification_failed").fill_null(False),
    )
