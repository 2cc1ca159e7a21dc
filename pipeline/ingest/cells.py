"""One rule turning spreadsheet cells into text (docs/architecture.md, "1. Ingest").

- strings as they are (not stripped here); the empty string is blank;
- whole numbers as integers: ``12.0`` -> ``12``;
- numbers with |v| >= 1e15 (an ID number typed as a number) as the 15 significant digits
  Excel kept, in scientific form: ``5.33321198001011E+17`` (normalisation flags these);
- other numbers in their shortest round-trip form: ``1234.5``;
- dates ``2026-09-30``; date-times ``2026-09-30 14:00:00`` (a midnight date-time is a date);
  times ``14:00:00``;
- booleans ``TRUE`` / ``FALSE``; blank -> null.

The rule is applied a column at a time: the cells of each Python type are picked out and
formatted by polars, so a 100k-row sheet costs no Python call per cell (only numbers of
15 digits or more are formatted in Python, Excel's scientific form having no polars twin).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import polars as pl

BIG_NUMBER = 1e15
_NONE = type(None)
_TEXT_ONLY = {str, _NONE}


def _numbers(cells: list[object]) -> pl.Series:
    values = pl.Series(cells, dtype=pl.Float64)
    big = values.abs() >= BIG_NUMBER
    scientific = None
    if big.any():
        scientific = pl.Series([f"{v:.15G}" if v is not None and abs(v) >= BIG_NUMBER else None for v in cells], dtype=pl.String)
    whole = values == values.floor()
    return pl.select(
        pl.when(big)
        .then(scientific if scientific is not None else pl.lit(None, pl.String))
        .when(whole)
        .then(values.cast(pl.Int64, strict=False).cast(pl.String))
        .otherwise(values.cast(pl.String))
    ).to_series()


def _datetimes(cells: list[object]) -> pl.Series:
    values = pl.Series(cells, dtype=pl.Datetime("us"))
    midnight = values.dt.time() == dt.time(0)
    return pl.select(
        pl.when(midnight).then(values.dt.to_string("%Y-%m-%d")).otherwise(values.dt.to_string("%Y-%m-%d %H:%M:%S"))
    ).to_series()


def _booleans(cells: list[object]) -> pl.Series:
    values = pl.Series(cells, dtype=pl.Boolean)
    return pl.select(pl.when(values).then(pl.lit("TRUE")).when(~values).then(pl.lit("FALSE"))).to_series()


_FORMATS: dict[type, Callable[[list[object]], pl.Series]] = {
    str: lambda cells: pl.Series(cells, dtype=pl.String),
    float: _numbers,
    int: _numbers,
    bool: _booleans,
    dt.datetime: _datetimes,
    dt.date: lambda cells: pl.Series(cells, dtype=pl.Date).dt.to_string("%Y-%m-%d"),
    dt.time: lambda cells: pl.Series(cells, dtype=pl.Time).dt.to_string("%H:%M:%S"),
}


def _other(cells: list[object]) -> pl.Series:
    """A type the reader may add later (e.g. a duration): its str(), never lost."""
    return pl.Series([None if v is None else str(v) for v in cells], dtype=pl.String)


def column_text(cells: Sequence[object]) -> pl.Series:
    """A column of cells as a ``pl.String`` Series by the rule above (blank -> null)."""
    kinds = set(map(type, cells))
    if kinds <= _TEXT_ONLY:
        series = pl.Series(cells, dtype=pl.String)
    else:
        parts = []
        for kind in kinds - {_NONE}:
            picked = [v if type(v) is kind else None for v in cells]
            parts.append(_FORMATS.get(kind, _other)(picked))
        # each cell is of one type, so exactly one part holds it
        series = pl.select(pl.coalesce(parts)).to_series() if len(parts) > 1 else parts[0]
    return series.replace("", None)


def cell_text(value: object) -> str | None:
    """The text of one cell (the same rule, for one value)."""
    return column_text([value])[0]
