"""GB 11643 resident ID numbers, built and checked column-wise in polars."""

from __future__ import annotations

import polars as pl

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CODES = "10X98765432"


def check_digit_expr(id17: pl.Expr) -> pl.Expr:
    """The check character of a 17-digit string expression."""
    total = pl.lit(0, dtype=pl.Int64)
    for i, w in enumerate(WEIGHTS):
        total = total + id17.str.slice(i, 1).cast(pl.Int64) * w
    return (total % 11).replace_strict(list(range(11)), list(CHECK_CODES), return_dtype=pl.Utf8)


def _weighted(value: pl.Expr, weights: tuple[int, ...]) -> pl.Expr:
    """Sum of the decimal digits of an integer expression times weights (most significant first)."""
    total = pl.lit(0, dtype=pl.Int64)
    n = len(weights)
    for i, w in enumerate(weights):
        total = total + ((value // (10 ** (n - 1 - i))) % 10) * w
    return total


def id18_expr(prefix6: pl.Expr, birth: pl.Expr, seq3: pl.Expr) -> pl.Expr:
    """18-digit ID from a 6-digit region prefix, a Date birth and a sequence 0..999 (integer arithmetic)."""
    p = prefix6.cast(pl.Int64)
    ymd = (birth.dt.year().cast(pl.Int64) * 10000 + birth.dt.month().cast(pl.Int64) * 100 + birth.dt.day().cast(pl.Int64))
    s = seq3.cast(pl.Int64)
    total = _weighted(p, WEIGHTS[:6]) + _weighted(ymd, WEIGHTS[6:14]) + _weighted(s, WEIGHTS[14:17])
    check = (total % 11).replace_strict(list(range(11)), list(CHECK_CODES), return_dtype=pl.Utf8)
    return pl.concat_str([prefix6.cast(pl.Utf8), ymd.cast(pl.Utf8), s.cast(pl.Utf8).str.zfill(3), check])


def check_digit(id17: str) -> str:
    return CHECK_CODES[sum(int(c) * w for c, w in zip(id17, WEIGHTS)) % 11]


def is_valid(id18: str) -> bool:
    return len(id18) == 18 and id18[:17].isdigit() and check_digit(id18[:17]) == id18[17].upper()


def to_15(id18: str) -> str:
    """The old 15-digit form (century and check digit dropped): only for people born 19xx."""
    return id18[:6] + id18[8:17]
