"""The cross-quarter key of a record: what identifies a roster row from one quarter's export to the next.

``record_id`` is renumbered every run; a person's decision must outlive it. A record is known by
its roster (``source_table``), its normalised name, its village and its ID: the normalised 18-digit
ID when every digit is known, else the digits Excel kept (``id_prefix``). Two keys name the same
record when roster and name agree, the village agrees where both rows name one (a roster exported
in one form without region columns and in another with them, or a village filled in from the
region code, must not lose the decision), and the IDs agree as identity resolution compares them:
the same full ID, or the same first 15 digits (Excel truncated them) or the same 15 digits after
rounding (Excel rounded them; or an 18-digit text ending in 000: the number written back out) - so a
decision taken on a clean ID still applies after a township
re-saved the roster in Excel, and the other way round. A record with no ID only matches a record
with no ID.

The key is written into the review workbook as one text cell (``表|身份证号|已知前缀|姓名|村``)
and read back from it: ``key_text`` / ``parse_key``.
"""

from __future__ import annotations

import polars as pl

from pipeline.normalise.ids import comparable_ids

# The identifying values of one record, as stored per side in ``link_decisions`` (suffix _l / _r).
KEY_COLUMNS = ("source_table", "id_number", "id_prefix", "name", "village")
SEPARATOR = "|"
EXCEL_PAD = "000"


def key_text(prefix: str = "") -> pl.Expr:
    """The key of each row as one text: 表|身份证号|已知前缀|姓名|村 (empty for a missing value)."""
    return pl.concat_str([pl.col(f"{prefix}{c}").fill_null("") for c in KEY_COLUMNS], separator=SEPARATOR)


def parse_key(text: str) -> dict[str, str | None] | None:
    """The key columns of a key text, or None when it is not one (a cell edited by hand)."""
    parts = str(text).strip().split(SEPARATOR)
    if len(parts) != len(KEY_COLUMNS) or not parts[0] or not parts[3]:
        return None
    return {c: (p.strip() or None) for c, p in zip(KEY_COLUMNS, parts)}


def _comparable(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (key columns) with id_full, id_prefix15, id_round15 as identity resolution reads them."""
    ids = frame.with_columns(
        pl.col("id_number").is_not_null().alias("id_valid")  # the key only stores IDs known whole
    ).select(*comparable_ids(raw_known=False)[:3])  # a key keeps no raw cell: every prefix read both ways
    return frame.hstack(ids.get_columns())


def matches(keys: pl.DataFrame, records: pl.DataFrame, key_id: str = "key") -> pl.DataFrame:
    """(``key_id``, record_id) for every record a key names.

    ``keys``: ``key_id`` and the KEY_COLUMNS; ``records``: record_id and the KEY_COLUMNS."""
    on = ["source_table", "name"]
    k = _comparable(keys.select(key_id, *[pl.col(c).cast(pl.Utf8) for c in KEY_COLUMNS]))
    r = _comparable(records.select("record_id", *[pl.col(c).cast(pl.Utf8) for c in KEY_COLUMNS]))
    joined = k.join(r, on=on, how="inner", suffix="_rec").filter(
        (pl.col("village") == pl.col("village_rec")) | pl.col("village").is_null() | pl.col("village_rec").is_null()
    )
    # A number Excel kept and wrote back out as text: 15 digits and "000" (rounded or truncated).
    padded = pl.col("id_full").str.ends_with(EXCEL_PAD) | pl.col("id_full_rec").str.ends_with(EXCEL_PAD)
    both_full = pl.col("id_full").is_not_null() & pl.col("id_full_rec").is_not_null() & ~padded
    no_id = (
        pl.col("id_full").is_null() & pl.col("id_prefix15").is_null()
        & pl.col("id_full_rec").is_null() & pl.col("id_prefix15_rec").is_null()
    )
    same_id = (
        pl.when(both_full)
        .then(pl.col("id_full") == pl.col("id_full_rec"))
        .otherwise(
            (pl.col("id_prefix15") == pl.col("id_prefix15_rec")).fill_null(False)
            | (pl.col("id_round15") == pl.col("id_round15_rec")).fill_null(False)
        )
    )
    return joined.filter(same_id | no_id).select(key_id, "record_id").unique()
