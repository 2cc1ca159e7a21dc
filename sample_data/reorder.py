"""The same exports in another row order, and what two runs of them must share.

A county re-exports its rosters sorted another way from one quarter to the next. ``shuffled_copy``
copies a quarter's folder (a county's, or a province's with a folder per county) with the data
rows of every CSV in another order; ``differences`` compares the databases of two runs table by
table on what must not depend on the order: persons, the records' persons (a record by its table
and raw cells), cases with their words, review count, overlap rates, rejected rows.  Only what
names a row (record_id, row_number, evidence) may differ.  Used by tests/test_row_order.py and
benchmarks/row_order.py.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

# Each query reads one attached database ({db}); a table may differ by row order only.
ORDER_FREE = {
    "persons": "SELECT person_key, id_number, name, gender, birth_date, county, township, village FROM {db}.persons",
    "source_records": "SELECT hash(source_table, raw_values), person_key, match_method, round(match_score, 6) FROM {db}.source_records",
    "cases": "SELECT rule_code, kind, sieve, person_key, id_number, name, county, township, village, detail FROM {db}.cases",
    "match_review": "SELECT count(*) FROM {db}.match_review",
    "overlap_rates": "SELECT * EXCLUDE (quarter) FROM {db}.overlap_rates",
    "rejected_rows": "SELECT hash(file_name, raw_values), reason FROM {db}.rejected_rows",
}


def shuffled_copy(folder: Path, out: Path, seed: int = 5) -> Path:
    """``folder`` copied to ``out`` with the data rows of each CSV shuffled: its first line (the
    header) kept first; a CSV whose first line is a title, not a header (no comma), and every
    other file, copied as they are."""
    rng = random.Random(seed)
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        target = out / path.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = path.read_bytes()
        newline = b"\r\n" if b"\r\n" in data else b"\n"
        lines = [line for line in data.split(newline) if line.strip()]
        if path.suffix.lower() != ".csv" or not lines or b"," not in lines[0]:
            shutil.copyfile(path, target)
            continue
        header, rows = lines[0], lines[1:]
        rng.shuffle(rows)
        target.write_bytes(newline.join([header, *rows]) + newline)
    return out


def differences(con, first: str = "first", second: str = "second") -> dict[str, dict]:
    """The tables of ``ORDER_FREE`` that differ between the two databases attached to ``con`` as
    ``first`` and ``second``, each with its rows in ``first``, how many rows are only in one of
    them, and an example.  Empty: the two runs say the same.  A table empty in ``first`` counts as
    differing (nothing compared is no proof)."""
    out = {}
    for table, query in ORDER_FREE.items():
        a, b = query.format(db=first), query.format(db=second)
        n = con.execute(f"SELECT count(*) FROM ({a})").fetchone()[0]
        only_first = con.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchone()[0]
        only_second = con.execute(f"SELECT count(*) FROM ({b} EXCEPT ALL {a})").fetchone()[0]
        if only_first or only_second or not n:
            example = con.execute(f"({a} EXCEPT ALL {b}) UNION ALL ({b} EXCEPT ALL {a}) LIMIT 2").fetchall()
            out[table] = {"rows": n, "only_first": only_first, "only_second": only_second, "example": example}
    return out
