"""Resident ID numbers (GB 11643-1999) from the text ingest read.

Cleaning: NFKC (full-width digits and letters), apostrophes and quotes removed, every white
space removed, ``x`` -> ``X``, a trailing ``.0`` of a number dropped; placeholders (``无``,
``-`` ...) are blank.  Then, per ID column ``<k>``:

- ``<k>_raw``     the cell as read;
- ``<k>``         18 characters for a well-formed number (15-digit old IDs widened: ``19``
                  inserted after 6 digits and the check digit computed), the cleaned text for a
                  malformed one (kept, never dropped), null when blank or when Excel kept only a
                  prefix of it: scientific notation (``5.33129E+17``) or 18 digits ending in
                  ``000`` (``522622196011193000``: an 18-digit number typed into Excel keeps 15
                  significant digits; such a value passes the check digit by chance one time in
                  eleven and is never read as an ID, valid or mistyped);
- ``<k>_valid``   True when well formed with a real province code, a birth date
                  1900-01-01 .. reference date and the right check digit;
- ``<k>_issue``   every finding in words, ``；``-joined, null when there is nothing to say.  A
                  widened old ID is valid and says so (information, not a fault);
- ``<k>_prefix``  the leading digits known: the first 17 of a full ID, the mantissa digits of
                  ``5.33321198001011E+17``, the 15 digits before ``000``, the leading digit run of
                  a malformed one.

So the cell proves one of: a full valid ID (``<k>_valid``); an 18-character ID with a slip
(``<k>`` set, not valid: a typo of some ID, see :func:`id_slip`); an Excel prefix (``<k>`` null,
``<k>_prefix`` set, up to 15 digits); nothing (all null).

For the person's own ID (``person=True``) also ``birth_date`` and ``gender`` (男/女 from the
17th digit), whenever the date part is a valid birth date, even if the check digit fails; a
number Excel kept with 14+ digits (scientific notation, ``…000``) still gives its birth date;
fewer digits never give one (``5.3312919800E+17`` holds no whole date).
An invalid ID is never a ``problems`` entry: the row is kept and flagged.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from pipeline.frames import read_per_value
from pipeline.normalise.cells import PLACEHOLDERS, WHITE, nfkc

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CODES = "10X98765432"  # check character for (weighted sum mod 11) = 0, 1, 2 ...
PROVINCES = tuple(
    f"{p}"
    for p in (
        *range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47),
        *range(50, 55), *range(61, 66), 71, 81, 82,
    )
)  # fmt: skip
EARLIEST_BIRTH = date(1900, 1, 1)

ISSUE_BLANK = "为空"
ISSUE_ILLEGAL = "含非法字符"
ISSUE_REGION = "地区码无效"
ISSUE_BIRTH = "出生日期无效"
ISSUE_CHECK = "校验位错误"
ISSUE_WIDENED = "15位旧号已升为18位"

_QUOTES = "'\"‘’“”`´′″"
_SCIENTIFIC = r"^([0-9])(?:\.([0-9]+))?[eE]\+?([0-9]+)$"
_ID18 = r"^[0-9]{17}[0-9X]$"
_EXCEL18 = r"^[0-9]{15}000$"  # an 18-digit number Excel kept to 15 significant digits
_ID15 = r"^[0-9]{15}$"
_LEGAL = r"^[0-9X]+$"
# ASCII digits throughout: ``\d`` takes every script's digits, and NFKC folds full-width ３ but
# not an Arabic-Indic ٣: such a cell is 含非法字符, not an 18-digit number whose check fails unsaid.


def clean_id_text(cell: pl.Expr) -> pl.Expr:
    """NFKC, quotes and white space removed, x -> X, ``.0`` dropped; blank/placeholder -> null."""
    text = (
        nfkc(cell)
        .str.replace_all(f"[{_QUOTES}]|{WHITE}", "")
        .str.replace_all("x", "X", literal=True)
        .str.replace(r"^([0-9]+)\.0+$", "${1}")
    )
    return text.replace(["", *PLACEHOLDERS], None)


def check_code(body17: pl.Expr) -> pl.Expr:
    """The GB 11643 check character of 17 digits (null for anything else).  The project's one
    definition of the check digit (``WEIGHTS``, ``CHECK_CODES``): everything else (the sample
    generator, the benchmarks, the tests) calls this, or :func:`check_character` for one value."""
    return body17.map_batches(_check_codes, return_dtype=pl.Utf8, is_elementwise=True)


def _check_codes(bodies: pl.Series) -> pl.Series:
    """``check_code`` of a column: the weighted sum of the digits as a matrix (rows x 17 bytes),
    not 17 divisions of the number they spell (1.2 s for 1.7M IDs, against a tenth of it)."""
    digits17 = bodies.str.contains(r"^[0-9]{17}$").fill_null(False)  # ASCII digits: \d takes ２ too
    text = pl.select(pl.when(digits17).then(bodies).otherwise(pl.lit("0" * 17))).to_series()
    joined = text.str.join("").item() if len(text) else ""
    matrix = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, 17).astype(np.int64) - ord("0")
    sums = pl.Series(bodies.name, matrix @ np.array(WEIGHTS, dtype=np.int64) % 11)
    codes = sums.replace_strict(dict(enumerate(CHECK_CODES)), return_dtype=pl.Utf8)
    return pl.select(pl.when(digits17).then(codes)).to_series().alias(bodies.name)


def check_character(body17: str) -> str:
    """The check character of one 17-digit body: ``check_code``'s sum on a single value, in plain
    Python (generators and test builders call it per ID; a polars query per ID costs 1 ms)."""
    return CHECK_CODES[sum(int(d) * w for d, w in zip(body17, WEIGHTS)) % 11]


def with_check(body17: str) -> str:
    """The 18-character ID of a 17-digit body."""
    return body17 + check_character(body17)


SLIPS = pl.Struct({"differences": pl.Int32, "swapped": pl.Boolean})


def slips(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """How two IDs' 17 body digits differ, in one reading of both: ``differences`` (how many
    differ; 0 where either is null) and ``swapped`` (two adjacent ones are the other's, swapped;
    null where either is null).  A frame that reads both fields in several places computes this
    once as a column: eager polars computes a ``map_batches`` again wherever it is read."""
    return pl.map_batches([left, right], _slips, return_dtype=SLIPS, is_elementwise=True)


def _slips(sides: list[pl.Series]) -> pl.Series:
    count, swapped, known = _compared(*sides)
    return pl.DataFrame(
        [pl.Series("differences", count.astype(np.int32)), pl.Series("swapped", swapped, pl.Boolean).set(pl.Series(~known), None)]
    ).to_struct(sides[0].name)


def body_differences(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """How many of the 17 body digits of two 18-character IDs differ (0 where either is null)."""
    return slips(left, right).struct.field("differences")


def adjacent_swap(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """Two adjacent body digits of one ID are the other's, swapped (with body_differences == 2);
    null where either side is null.  On the body characters as a matrix: comparing each of
    16 positions with its neighbour in polars slices 96 string columns (0.9 s per 400,000 pairs);
    a matrix of their characters takes a fraction of it."""
    return slips(left, right).struct.field("swapped")


def _body_chars(ids: pl.Series) -> np.ndarray:
    """(rows, 17) code points of each value's first 17 characters, padded with spaces (a null: all
    spaces): UTF-32 gives every character the same width."""
    text = ids.str.slice(0, 17).str.pad_end(17, " ").fill_null(" " * 17)
    joined = text.str.join("").item() if len(text) else ""  # one string, not a Python string per row
    return np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).reshape(-1, 17)


def _compared(left: pl.Series, right: pl.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(differing body characters, 0 where either side is null; two adjacent ones swapped; both
    sides known) of each pair, from one reading of each side's characters."""
    a, b = _body_chars(left), _body_chars(right)
    differ = a != b
    known = (left.is_not_null() & right.is_not_null()).to_numpy()
    swapped = (differ[:, :16] & (a[:, :16] == b[:, 1:]) & (a[:, 1:] == b[:, :16])).any(axis=1)
    return np.where(known, differ.sum(axis=1), 0), swapped, known


def within_one_slip(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """``body_differences <= 1``, or ``== 2`` with ``adjacent_swap``: read in one pass over the two
    sides' body characters (the two expressions apart read each side three times: polars does not
    share a ``map_batches`` between them).  True where either side is null, as the two apart."""
    return pl.map_batches([left, right], _within_one_slip, return_dtype=pl.Boolean)


def _within_one_slip(sides: list[pl.Series]) -> pl.Series:
    count, swapped, _ = _compared(*sides)
    return pl.Series(sides[0].name, (count <= 1) | ((count == 2) & swapped), pl.Boolean)


def id_slip(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """The project's one definition of an "ID typo": two different 18-character IDs whose 17 body
    digits differ in one place, or by two adjacent digits swapped, or not at all (the check
    character alone differs).  The check character is not compared: a slip in the body makes the
    check character of the typed number wrong, or a system recomputes it."""
    both = (left.str.len_chars() == 18) & (right.str.len_chars() == 18) & (left != right)
    return both & within_one_slip(left, right)


def _birth(digits8: pl.Expr, reference_date: date) -> pl.Expr:
    day = digits8.str.to_date("%Y%m%d", strict=False)
    return pl.when(day.is_between(pl.lit(EARLIEST_BIRTH), pl.lit(reference_date))).then(day)


def add_id_columns(
    frame: pl.DataFrame, key: str, reference_date: date, *, person: bool = False, source: str | None = None
) -> pl.DataFrame:
    """Add the ``<key>...`` columns (see module doc) read from column ``source`` (default ``key``).

    ``<key>_raw`` is always the column ``key`` as read; ``source`` lets a caller read the number
    from elsewhere (the 残联 certificate) while keeping the cell as read.  When numbers repeat
    (a household head's ID on every member's row, a payee's on every payment) each distinct
    number is read once and looked up; mostly-distinct columns are read in place
    (``frames.read_per_value``).
    """
    src = f"__{key}_source"
    frame = frame.with_columns(pl.col(key).alias(f"{key}_raw"), pl.col(source or key).alias(src)).drop(key)
    return read_per_value(frame, src, lambda cells: _read_ids(cells, src, key, reference_date, person)).drop(src)


def _with_birth_and_gender(frame: pl.DataFrame, prefix: str, known_digits: pl.Expr, reference_date: date) -> pl.DataFrame:
    """``birth_date`` and ``gender`` from the known digits (column ``prefix`` where ``known_digits``):
    a full ID, or an Excel prefix that kept 14+ digits (the whole date); gender from the 17th."""
    known = pl.when(known_digits).then(pl.col(prefix))
    date_part = known.str.slice(6, 8)
    frame = frame.with_columns(
        _birth(pl.when(date_part.str.len_chars() == 8).then(date_part), reference_date).alias("birth_date")
    )
    sex = known.str.slice(16, 1).cast(pl.Int32, strict=False)
    return frame.with_columns(
        pl.when(pl.col("birth_date").is_not_null() & sex.is_not_null())
        .then(pl.when(sex % 2 == 1).then(pl.lit("男")).otherwise(pl.lit("女")))
        .alias("gender"),
    )


def _read_ids(frame: pl.DataFrame, source: str, key: str, reference_date: date, person: bool) -> pl.DataFrame:
    """The ``<key>`` columns (but ``_raw``) of each cell of column ``source``, in passes over
    temporary columns so that nothing is evaluated twice."""
    tmp = {n: f"__{key}_{n}" for n in ("text", "digits", "length", "body", "full", "widened")}
    tmp |= {n: f"__{key}_{n}" for n in ("code", "region_ok", "birth", "check_ok", "sci", "formed")}
    text, body, full = pl.col(tmp["text"]), pl.col(tmp["body"]), pl.col(tmp["full"])
    frame = frame.with_columns(clean_id_text(pl.col(source)).alias(tmp["text"]))

    sci = text.str.extract_groups(_SCIENTIFIC)
    widened = text.str.contains(_ID15)
    excel18 = text.str.contains(_EXCEL18)
    frame = frame.with_columns(
        pl.when(excel18)
        .then(text.str.slice(0, 15))
        .otherwise(pl.concat_str([sci.struct.field("1"), sci.struct.field("2").fill_null("")]))
        .alias(tmp["digits"]),
        pl.when(excel18).then(pl.lit(18)).otherwise(sci.struct.field("3").cast(pl.Int32, strict=False) + 1).alias(tmp["length"]),
        pl.when(excel18)
        .then(None)
        .when(text.str.contains(_ID18))
        .then(text.str.slice(0, 17))
        .when(widened)
        .then(pl.concat_str([text.str.slice(0, 6), pl.lit("19"), text.str.slice(6, 9)]))
        .alias(tmp["body"]),
        widened.alias(tmp["widened"]),
    )
    frame = frame.with_columns(check_code(body).alias(tmp["code"]))
    widened, code = pl.col(tmp["widened"]), pl.col(tmp["code"])
    frame = frame.with_columns(
        pl.when(widened).then(pl.concat_str([body, code])).otherwise(text).alias(tmp["full"]),
        pl.col(tmp["length"]).is_not_null().alias(tmp["sci"]),
        body.is_not_null().alias(tmp["formed"]),
    )
    is_sci, well_formed = pl.col(tmp["sci"]), pl.col(tmp["formed"])
    frame = frame.with_columns(
        full.str.slice(0, 2).is_in(PROVINCES).alias(tmp["region_ok"]),
        _birth(full.str.slice(6, 8), reference_date).alias(tmp["birth"]),
        (full.str.slice(17, 1) == code).alias(tmp["check_ok"]),
    )
    region_ok, birth, check_ok = pl.col(tmp["region_ok"]), pl.col(tmp["birth"]), pl.col(tmp["check_ok"])
    digits, length = pl.col(tmp["digits"]), pl.col(tmp["length"])
    shape_issue = (
        pl.when(text.is_null())
        .then(pl.lit(ISSUE_BLANK))
        .when(is_sci & text.str.contains(_EXCEL18))
        .then(pl.lit("数值格式，末3位被Excel置为000"))
        .when(is_sci)
        .then(pl.format("数值格式，末{}位丢失", length - digits.str.len_chars()))
        .when(~text.str.contains(_LEGAL) | text.str.slice(0, text.str.len_chars() - 1).str.contains("X"))
        .then(pl.lit(ISSUE_ILLEGAL))
        .when(~well_formed)
        .then(pl.format("位数错误({}位)", text.str.len_chars()))
    )
    findings = pl.concat_str(
        [
            shape_issue,
            pl.when(well_formed & ~region_ok).then(pl.lit(ISSUE_REGION)),
            pl.when(well_formed & birth.is_null()).then(pl.lit(ISSUE_BIRTH)),
            pl.when(well_formed & ~check_ok).then(pl.lit(ISSUE_CHECK)),
            pl.when(widened).then(pl.lit(ISSUE_WIDENED)),
        ],
        separator="；",
        ignore_nulls=True,
    )
    prefix = (
        pl.when(well_formed)
        .then(full.str.slice(0, 17))
        .when(is_sci)
        .then(digits)
        .otherwise(text.str.extract(r"^([0-9]{1,17})", 1))
    )
    frame = frame.with_columns(
        pl.when(~is_sci).then(full).alias(key),
        (well_formed & region_ok & birth.is_not_null() & check_ok).fill_null(False).alias(f"{key}_valid"),
        findings.replace("", None).alias(f"{key}_issue"),
        prefix.alias(f"{key}_prefix"),
    )
    if person:
        frame = _with_birth_and_gender(frame, f"{key}_prefix", well_formed | is_sci, reference_date)
    return frame.drop(tmp.values())


def comparable_ids(raw_known: bool = True) -> list[pl.Expr]:
    """The forms an ID is compared in (identity resolution, and the review's record keys).

    id_full: an 18-char ID with all digits known; id_prefix15: the first 15 digits when known
    (a number, as id_round15); id_round15: the 15 digits of a full ID rounded as a float keeps them (else id_prefix15);
    id_short: the digits of an Excel prefix too short to pad to 15 (5.33129E+17 -> 533129).
    With ``raw_known`` (records carry ``id_number_raw``) only a scientific cell is read as rounded:
    ``…000`` is 15 digits Excel truncated, its id_round15 null."""
    partial = pl.col("id_prefix").is_not_null() & (pl.col("id_prefix").str.len_chars() < 17)
    full = pl.col("id_number").is_not_null() & (pl.col("id_number").str.len_chars() == 18) & ~partial
    id_full = pl.when(full).then(pl.col("id_number"))
    # An ID Excel kept as a number holds 15 significant digits, *rounded* (a float written out with
    # 15 digits) or truncated (typed into Excel): a full ID gives both forms to compare with. The
    # trailing zeros of the 15 are not written ("5.3992120070402E+17"): 12 to 14 digits kept are
    # padded back to 15 (a short display form such as 5.39921E+17 keeps far fewer).
    kept = pl.col("id_prefix").str.len_chars()
    padded = pl.when(kept >= 15).then(pl.col("id_prefix").str.slice(0, 15)).when(kept >= 12).then(
        pl.col("id_prefix").str.pad_end(15, "0")
    )
    prefix15 = pl.when(full).then(pl.col("id_number").str.slice(0, 15)).when(partial).then(padded)
    # Fewer than 12 digits kept (Excel's display form 5.33129E+17): the digits, rounded, as they are.
    short = pl.when(partial & (kept < 12)).then(pl.col("id_prefix"))
    digits18 = pl.col("id_number").str.slice(0, 18).cast(pl.Int64, strict=False)  # null when it ends in X
    # Excel holds the number as a double (the nearest one is up to 64 off an 18-digit number), and its
    # 15 digits are the double's, rounded: …123495 is held as …123520 and written …124.
    held = digits18.cast(pl.Float64).cast(pl.Int64)
    rounded = (held + 500) // 1000
    # The 15 digits are compared as a number (a region code never starts with 0): 8 bytes a record,
    # not the 31 of a text (two such columns on every record of a province's quarter).
    prefix15 = prefix15.cast(pl.Int64, strict=False)
    truncated = pl.col("id_number_raw").str.contains("[eE]").not_().fill_null(False) if raw_known else pl.lit(False)
    round15 = pl.when(full).then(pl.coalesce(rounded, prefix15)).when(~truncated).then(prefix15)
    # a text …000: the 18 characters as written (two of them one slip apart are one number mistyped)
    zeros = pl.when(partial & (kept == 15) & truncated).then(pl.col("id_prefix") + "000")
    return [
        id_full.alias("id_full"),
        prefix15.alias("id_prefix15"),
        round15.alias("id_round15"),
        short.alias("id_short"),
        zeros.alias("id_zeros"),
        (full & pl.col("id_valid").fill_null(False)).alias("valid"),
    ]
