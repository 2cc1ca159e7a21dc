"""GB 11643 resident ID numbers for the generated county, built column-wise in polars.

The check digit is the pipeline's own definition (pipeline/normalise/ids.py): one rule, so the
generator and the reader can never disagree on what a valid number is.
"""

from __future__ import annotations

import polars as pl

from pipeline.normalise.ids import check_character, check_code


def id18_expr(prefix6: pl.Expr, birth: pl.Expr, seq3: pl.Expr) -> pl.Expr:
    """18-digit ID from a 6-digit region prefix, a Date birth and a sequence 0..999."""
    body = pl.concat_str([prefix6.cast(pl.Utf8), birth.dt.strftime("%Y%m%d"), seq3.cast(pl.Utf8).str.zfill(3)])
    return pl.concat_str([body, check_code(body)])


def check_digit(id17: str) -> str:
    return check_character(id17)


def is_valid(id18: str) -> bool:
    return len(id18) == 18 and id18[:17].isdigit() and check_character(id18[:17]) == id18[17].upper()


def to_15(id18: str) -> str:
    """The old 15-digit form (century and check digit dropped): only for people born 19xx."""
    return id18[:6] + id18[8:17]
