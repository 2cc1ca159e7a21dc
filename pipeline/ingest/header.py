"""Find the header row of a sheet and recognise which registry table it is.

Recognition is by header signature only (never by file name): a header is a table when all
the table's required columns are present (and one column of each ``one_of`` group); among
several, the one with most columns matched wins.  Headers are compared with the registry's
``header_key`` (spaces, line breaks, full-width brackets and trailing units folded) against
each table's ``alias_index`` (region columns included).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from contracts.sources import TABLES, Table, alias_index, header_key

HEADER_SCAN_ROWS = 30  # the header is looked for in this many rows from the top
MIN_HEADER_MATCHES = 2  # a header row names at least this many known columns

_INDEXES: dict[str, dict[str, str]] = {name: alias_index(t) for name, t in TABLES.items()}
_KNOWN: frozenset[str] = frozenset(k for index in _INDEXES.values() for k in index)
KNOWN_HEADERS = _KNOWN  # every header_key of every table (csv.py tells delimiters by it)


def find_header_row(rows: Sequence[Sequence[str | None]]) -> int | None:
    """Index (in ``rows``) of the row naming most known columns, at least MIN_HEADER_MATCHES.

    The first such row wins a tie.  ``rows`` are the top rows of a sheet as text.
    """
    best, best_score = None, MIN_HEADER_MATCHES - 1
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = len({k for k in map(header_key, row) if k in _KNOWN})
        if score > best_score:
            best, best_score = i, score
    return best


@dataclass
class Recognition:
    """What a header row is: ``table`` when recognised, else the closest table and what it lacks."""

    table: str | None
    closest: str | None = None
    missing: list[str] = field(default_factory=list)  # Chinese headers of required columns


def header_keys(table: str, headers: Sequence[str | None]) -> list[str | None]:
    """The canonical key of each header cell for ``table`` (None: unknown or a repeat)."""
    index, seen, keys = _INDEXES[table], set(), []
    for h in headers:
        key = index.get(header_key(h)) if h is not None else None
        if key in seen:
            key = None
        if key is not None:
            seen.add(key)
        keys.append(key)
    return keys


def _missing(table: Table, found: set[str]) -> list[str]:
    missing = [c.header for c in table.required if c.key not in found]
    for group in table.one_of:
        if not found.intersection(group):
            missing.append("或".join(table.column(k).header for k in group))
    return missing


def recognise(headers: Sequence[str | None]) -> Recognition:
    """Which table a header row is (see the module doc), or the closest one."""
    scored = []
    for order, (name, table) in enumerate(TABLES.items()):
        found = {k for k in header_keys(name, headers) if k is not None}
        missing = _missing(table, found)
        required_found = sum(c.key in found for c in table.required) + sum(bool(found.intersection(g)) for g in table.one_of)
        scored.append((not missing, len(found), required_found, -len(missing), -order, name, missing))
    matches = [s for s in scored if s[0]]
    if matches:
        return Recognition(max(matches)[5])
    closest = max(scored, key=lambda s: (s[2], s[3], s[1], s[4]))
    return Recognition(None, closest[5], closest[6])
