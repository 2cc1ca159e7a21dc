"""A small generated province for the tests that compare a partitioned run with a single-process one.

Three counties, each generated alone and renamed (``sample_data.province``: 青岚县, 白岩县, 石门县,
their own region codes), small.
Planted across them, the cases a partition must not lose:

- ``IN_TWO``: a member of a household of county A's 低保 roster also in force in county B's (S7-4);
- ``PAID_ELSEWHERE``: a payment in county C to a person of county A's 低保 roster;
- ``SLIPPED``: a person of county B's 低保 roster on county C's 低保 roster under an ID with one
  sequence digit mistyped (its check digit no longer fits: an invalid ID, linked by name and slip).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from sample_data.province import COUNTIES as PROVINCE, generate_county

COUNTIES = (("A", 0, 21), ("B", 1, 22), ("C", 2, 23))  # folder, index in sample_data.province.COUNTIES, seed
DIBAO = "2026年9月农村低保花名册.csv"
FAFANG = "2026年9月资金发放明细.csv"


def _rows(path: Path) -> tuple[list[str], list[list[str]], str]:
    data = path.read_bytes()
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    rows = list(csv.reader(io.StringIO(data.decode(encoding))))
    return rows[0], rows[1:], encoding


def _append(path: Path, row: list[str]) -> None:
    header, _, encoding = _rows(path)
    with open(path, "a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(row)


def _member(path: Path, skip: set[str]) -> list[str]:
    """A row of a 低保 roster in force, of a member (not the 户主) with a valid-looking 18-digit ID."""
    header, rows, _ = _rows(path)
    name, pid, head, status = 3, 4, 5, 12
    for row in rows:
        if row[status] == "在保" and row[pid] != row[head] and re.fullmatch(r"\d{17}[\dX]", row[pid]) and row[pid] not in skip:
            return row
    raise AssertionError(f"no member row in {path}")


def slip(id_number: str) -> str:
    """The ID with its 16th digit mistyped (+1 mod 10): one digit apart, check digit kept as written."""
    d = (int(id_number[15]) + 1) % 10
    return id_number[:15] + str(d) + id_number[16:]


def make_province(tmp: Path, households: int = 50, dirt: tuple = ()) -> tuple[Path, dict[str, str]]:
    """``tmp/province/2026Q3`` with one folder per county (A, B, C) and the planted persons; returns
    the folder and the planted IDs by what they are (``IN_TWO``, ``PAID_ELSEWHERE``, ``SLIPPED``:
    the original ID, whose slip is on C's roster).  ``dirt``: more generator arguments."""
    quarter = tmp / "province" / "2026Q3"
    for folder, index, seed in COUNTIES:
        generate_county(quarter / folder, index, households, seed, extra=dirt)
    a, b, c = (quarter / f / f"{PROVINCE[i][0]}{DIBAO}" for f, i, _ in COUNTIES)
    in_two = _member(a, set())
    paid = _member(a, {in_two[4]})
    slipped = _member(b, set())
    region_b, region_c = _rows(b)[1][0][:3], _rows(c)[1][0][:3]  # 区县, 所属街, 村(社区) of a row there
    _append(b, [*region_b, in_two[3], in_two[4], in_two[4], "户主", *in_two[7:]])
    _append(c, [*region_c, slipped[3], slip(slipped[4]), slip(slipped[4]), "户主", *slipped[7:]])
    fafang = quarter / "C" / f"{PROVINCE[2][0]}{FAFANG}"
    header, rows, _ = _rows(fafang)
    low = next(r for r in rows if "低保" in r[3])
    _append(fafang, [low[0], paid[3], paid[4], low[3], low[4], low[5], "6217000100000999999"])
    return quarter, {"IN_TWO": in_two[4], "PAID_ELSEWHERE": paid[4], "SLIPPED": slipped[4]}
