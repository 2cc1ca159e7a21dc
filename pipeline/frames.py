"""Columns added beside a frame's own, row for row, without copying the frame.

A polars join gathers every column of its left frame into a new one; on a quarter's records
(5.8M rows at a million households, dozens of columns, the raw cells among them) that copy is most
of a lookup's cost and of its memory.  Here only the key column is joined, and what it brings
is put beside the frame's own columns, which stay where they are.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl


def with_lookup(frame: pl.DataFrame, lookup: pl.DataFrame, on: str, nulls_equal: bool = False) -> pl.DataFrame:
    """``frame`` plus the other columns of ``lookup`` (unique on ``on``), matched left in
    ``frame``'s row order, as a left join would give them.  ``nulls_equal``: a null key matches
    ``lookup``'s null key."""
    added = frame.select(on).join(lookup, on=on, how="left", maintain_order="left", nulls_equal=nulls_equal).drop(on)
    return frame.hstack(added.get_columns())


def read_per_value(frame: pl.DataFrame, column: str, read: Callable[[pl.DataFrame], pl.DataFrame]) -> pl.DataFrame:
    """``frame`` with the columns ``read`` adds beside ``column`` (``read`` takes a frame holding
    ``column`` and returns it with its new columns): read once per distinct value and looked up
    (exports repeat a head's ID, an amount, a month, an enum word over and over), or in place when
    most values are distinct (their distinct values and the lookup cost more than reading each:
    1.9 s against 0.6 s for the 1.16M 人员编号 of a 1,000,000-household registry)."""
    if frame.select(pl.col(column).approx_n_unique()).item() > frame.height // 2:
        return read(frame)
    return with_lookup(frame, read(frame.select(pl.col(column).unique())), column, nulls_equal=True)


def beside(frame: pl.DataFrame | pl.LazyFrame, replaced: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """``frame`` with the columns of ``replaced`` (as many rows, in order) in place of its own of
    those names, in ``frame``'s column order; lazy when both are."""
    names = replaced.collect_schema().names()
    rest = frame.select(pl.exclude(*names))
    return pl.concat([rest, replaced], how="horizontal").select(frame.collect_schema().names())
