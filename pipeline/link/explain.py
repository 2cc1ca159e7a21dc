"""Explaining: match_method and match_review reasons in words, read from the pair's level columns.

The words for a level are its label in comparisons.py; a level speaks *for* one person when its
weight is positive and *against* when negative. Gender only speaks against (性别一致 proves little).
"""

from __future__ import annotations

import polars as pl

from pipeline.link.comparisons import COMPARISONS, GENDER
from pipeline.link.settings import LinkSettings

EXACT_ID = "身份证号一致"
OLD_ID = "15位转18位一致"
ALONE = "单独记录"
SUSPECTED = "疑似同一人"


def _words(settings: LinkSettings, sign: int, skip: tuple = ()) -> list[pl.Expr]:
    out = []
    for c in COMPARISONS:
        if c in skip:
            continue
        labels = {lv.key: lv.label for lv in c.levels if sign * settings.weights[c.name][lv.key] > 0}
        out.append(pl.col(c.column).replace_strict(labels, default=None, return_dtype=pl.Utf8))
    return out


def method(settings: LinkSettings) -> pl.Expr:
    """The evidence a fuzzy link rests on, e.g. 身份证号一位之差+姓名同音+出生日期一致+同村."""
    return pl.concat_str(_words(settings, +1, skip=(GENDER,)), separator="+", ignore_nulls=True)


def reasons(settings: LinkSettings) -> pl.Expr:
    """疑似同一人; 支持: ...; 反对: ...; plus the hard rule that refused the link, if any."""
    pro = pl.concat_str(_words(settings, +1), separator="、", ignore_nulls=True)
    con = pl.concat_str(
        [*_words(settings, -1), pl.col("refused"), pl.col("conflict")], separator="、", ignore_nulls=True
    )
    return pl.concat_str(
        [
            pl.lit(SUSPECTED),
            pl.when(pro != "").then(pl.lit("支持: ") + pro),
            pl.when(con != "").then(pl.lit("反对: ") + con),
        ],
        separator="; ",
        ignore_nulls=True,
    )
