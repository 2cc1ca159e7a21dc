"""Read a CSV (as Excel or a government system writes it) into a text grid.

Encoding: UTF-16 with its BOM (Excel's "Unicode text", tab-separated); UTF-8 (with or without
BOM) when the bytes decode (a few stray undecodable bytes become U+FFFD), else GB18030 (a
superset of GBK); a BOM in front of GBK bytes is dropped.
Delimiter: comma, tab or semicolon: the one that splits a known header row out of the top
lines best, else whichever the top lines use most.
Cells stay text exactly as written (a CSV that Excel re-saved may hold ``5.30381E+17``).
Row numbers are the line a text editor shows where the record starts (a quoted cell may
span lines).

polars parses the file; a file polars finds malformed (a stray quote inside a cell, which
Excel itself tolerates) is parsed again by Python's csv module, slower but forgiving.
"""

from __future__ import annotations

import csv as stdlib_csv
import io
from itertools import zip_longest

import numpy as np
import polars as pl

from contracts.sources import header_key
from pipeline.ingest.grid import build_grid, column_letter
from pipeline.ingest.header import HEADER_SCAN_ROWS, KNOWN_HEADERS, MIN_HEADER_MATCHES

DELIMITERS = (",", "\t", ";")
_SNIFF_LINES = 30
_SNIFF_CHARS = 1 << 16  # the header is looked for in this much text from the top


_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# A file is read as UTF-8 despite undecodable bytes when they are fewer than this share of its
# non-ASCII bytes: a stray Latin-1 or GBK byte in a UTF-8 export (two exports pasted together)
# must not turn every Chinese header into mojibake.  GBK text read as UTF-8 fails almost
# everywhere, far above this share.
_STRAY_SHARE = 0.05


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name): UTF-16 after its BOM (Excel's "Unicode text"), UTF-8 (a BOM
    dropped) when it decodes, else GB18030.

    The UTF-8 BOM is dropped before either: some tools put a UTF-8 BOM in front of GBK bytes.
    """
    if data.startswith(UTF16_BOMS):
        return data.decode("utf-16", errors="replace"), "utf-16"
    bom = data.startswith(_BOM)
    body = data[len(_BOM) :] if bom else data
    try:
        return body.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError:
        pass
    lenient = body.decode("utf-8", errors="replace")
    non_ascii = len(body) - len(body.translate(None, bytes(range(128))))
    if lenient.count("\ufffd") < _STRAY_SHARE * non_ascii:
        return lenient, "utf-8 (含少量无效字节)"
    return body.decode("gb18030", errors="replace"), "gb18030"


def _top_lines(text: str, n: int) -> list[str]:
    """The first ``n`` lines of ``text`` (as ``str.splitlines`` cuts them), without cutting the
    rest of a large file into lines."""
    end = -1
    for _ in range(n):
        end = text.find("\n", end + 1)
        if end < 0:
            return text.splitlines()[:n]
    return text[:end].splitlines()[:n]


def _counted(text: str) -> str:
    """The delimiter used most on one of the top lines (comma on a tie)."""
    top = _top_lines(text, _SNIFF_LINES)
    counts = {d: max((line.count(d) for line in top), default=0) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (counts[d], d == ","))


def _header_score(text: str, sep: str) -> int:
    """How many known column names the best of the top records holds when split at ``sep``."""
    reader = stdlib_csv.reader(io.StringIO(text[:_SNIFF_CHARS], newline=""), delimiter=sep)
    best = 0
    try:
        for i, record in enumerate(reader):
            if i >= HEADER_SCAN_ROWS:
                break
            best = max(best, len({k for k in map(header_key, record) if k in KNOWN_HEADERS}))
    except stdlib_csv.Error:
        pass
    return best


def delimiter(text: str) -> str:
    """The delimiter that splits a header row out of the top lines best; else the one used most.

    Counting alone is fooled by one cell holding many semicolons or tabs (an address, a note):
    the whole file would then be split wrongly and rejected for want of a header.
    """
    counted = _counted(text)
    scores = {d: _header_score(text, d) for d in DELIMITERS}
    best = max(scores.values())
    if best < MIN_HEADER_MATCHES or scores[counted] == best:
        return counted
    return next(d for d in DELIMITERS if scores[d] == best)


def read_csv(data: bytes) -> pl.DataFrame:
    """The grid of a CSV file's bytes (raises csv.Error on a file that is no CSV at all)."""
    text, _ = decode(data)
    sep = delimiter(text)
    try:
        columns, numbers = _parse_fast(text, sep)
    except pl.exceptions.PolarsError:
        columns, numbers = _parse_forgiving(text, sep)
    while columns and columns[-1].null_count() + (columns[-1] == "").sum() == len(columns[-1]):
        columns.pop()  # trailing columns with nothing in them (the width is estimated)
    return build_grid(columns, numbers)


def widest_line(data: bytes, sep: str) -> int:
    """Cells on the widest line of UTF-8 ``data`` (its separators + 1; one inside quotes counts
    too: a grid wider than needed only gains empty columns, dropped later).  Counted over the
    bytes, without cutting them into lines: in UTF-8 no byte of a Chinese character is a comma,
    tab, semicolon or line break."""
    raw = np.frombuffer(data, dtype=np.uint8)
    seps = np.flatnonzero(raw == ord(sep))
    before_break = np.searchsorted(seps, np.flatnonzero(raw == ord("\n")))
    per_line = np.diff(np.concatenate(([0], before_break, [len(seps)])))
    return int(per_line.max()) + 1


# Lines whose width is taken for the grid's before the whole file is parsed.
_WIDTH_LINES = 1000


def _parse_fast(text: str, sep: str) -> tuple[list[pl.Series], pl.Series]:
    data = text.encode("utf-8")
    top = max((line.count(sep) + 1 for line in _top_lines(text, _WIDTH_LINES)), default=1)
    try:  # as wide as the top lines: polars refuses a wider line further down, never cuts it
        frame = _parsed(data, sep, top, ragged=False)
    except pl.exceptions.ComputeError:  # then as wide as the widest line (counted over every byte)
        frame = _parsed(data, sep, widest_line(data, sep), ragged=True)
    # a record starts on line 1 + its index + the line breaks inside the records before it
    breaks = frame.select(
        pl.sum_horizontal(pl.all().str.count_matches("\n", literal=True).fill_null(0)).cum_sum().shift(1, fill_value=0)
    ).to_series()
    numbers = pl.int_range(1, frame.height + 1, eager=True) + breaks
    return frame.get_columns(), numbers


def _parsed(data: bytes, sep: str, width: int, ragged: bool) -> pl.DataFrame:
    """The CSV ``data`` as ``width`` text columns (a shorter line gets nulls; with ``ragged`` a
    longer line's extra cells are dropped, else it is an error)."""
    return pl.read_csv(
        io.BytesIO(data),
        has_header=False,
        separator=sep,
        quote_char='"',
        schema={column_letter(i): pl.String for i in range(width)},
        truncate_ragged_lines=ragged,
        missing_columns="insert",
        raise_if_empty=False,
    )


def _parse_forgiving(text: str, sep: str) -> tuple[list[pl.Series], pl.Series]:
    reader = stdlib_csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    records, starts, line = [], [], 0
    for record in reader:
        starts.append(line + 1)
        line = reader.line_num
        records.append(record)
    columns = [pl.Series(cells, dtype=pl.String) for cells in zip_longest(*records)]
    return columns, pl.Series(starts, dtype=pl.Int64)
