"""Builders and checks shared by the reliability tests (bad inputs, kill, concurrency).

``Written`` records every non-blank data row a test wrote (file, sheet, row number as Excel /
a text editor shows it); ``stages`` runs the real ingest -> prepare stages on a folder;
``assert_accounted`` checks the reliability contract of outputs.md: every written row is in
exactly one of the accepted records / rejected rows, ``data_rows == accepted + rejected`` per
file and sheet, and nothing else appeared.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from pipeline.ingest import list_files
from pipeline.normalise.ids import check_character
from pipeline.prepare import Prepared, combine_files, prepare_file

QUARTER_END = date(2026, 9, 30)

DIBAO_HEADER = ["姓名", "身份证号", "户主身份证号", "与户主关系", "分类施保类别", "户月保障金额（元）", "最初享受月份", "状态"]
SURNAMES = "张王李赵刘陈杨黄吴周"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def check_digit(id17: str) -> str:
    return check_character(id17)


def make_id(i: int, region: str = "530381", birth: str = "19800101") -> str:
    """A valid 18-digit ID number, distinct for each ``i`` below 1000 * 365."""
    year, day = int(birth[:4]) + (i // 1000) % 60, 1 + (i // 1000 // 60) % 28
    body = f"{region}{year:04d}{birth[4:6]}{day:02d}{i % 1000:03d}"
    return body + check_digit(body)


def person_name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 10) % len(GIVEN)] + GIVEN[(i // 200) % len(GIVEN)]


def dibao_rows(n: int, start: int = 0) -> list[list[str]]:
    """``n`` valid 低保 rows, households of two (户主 + 配偶)."""
    rows = []
    for i in range(start, start + n):
        head = i - (i - start) % 2
        rows.append(
            [person_name(i), make_id(i), make_id(head), "户主" if i == head else "配偶", "一类", "1200", "202001", "在保"]
        )
    return rows


@dataclass
class Written:
    """Every non-blank data row written, per (file name, sheet name)."""

    rows: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    # rows whose fate the test knows: (file, sheet, row) -> "accepted" / "rejected"
    fate: dict[tuple[str, str, int], str] = field(default_factory=dict)

    def add(self, file_name: str, sheet: str, numbers, fate: str | None = None) -> None:
        numbers = list(numbers)
        self.rows.setdefault((file_name, sheet), []).extend(numbers)
        if fate:
            for n in numbers:
                self.fate[(file_name, sheet, n)] = fate

    def file(self, file_name: str, sheet: str = "") -> None:
        """A file (sheet) written with no data rows: it must still be listed in run_files."""
        self.rows.setdefault((file_name, sheet), [])


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8", prefix: bytes = b"") -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(prefix + buf.getvalue().encode(encoding))
    return path


def stages(folder: Path) -> Prepared:
    """The real ingest and combine stages of ``run_quarter`` over every file in ``folder``."""
    return combine_files([prepare_file((path, name, QUARTER_END)) for path, name in list_files(folder)])


def fates(prepared: Prepared) -> pl.DataFrame:
    """(file_name, sheet_name, row_number, fate, source_table, reason) of every row the stages returned."""
    parts = [
        frame.select("file_name", "sheet_name", pl.col("row_number").cast(pl.Int64), pl.lit("accepted").alias("fate"),
                     pl.lit(name).alias("source_table"), pl.lit(None, pl.Utf8).alias("reason"))
        for name, frame in prepared.tables.items()
    ]
    data_rows = prepared.rejected.filter(pl.col("row_number").is_not_null())  # not a file's own rejection row
    parts.append(
        data_rows.select("file_name", "sheet_name", pl.col("row_number").cast(pl.Int64), pl.lit("rejected").alias("fate"),
                         pl.col("source_table").cast(pl.Utf8), pl.col("reason"))
    )
    return pl.concat(parts)


def rejected_whole(prepared: Prepared) -> dict[tuple[str, str], str]:
    """(file, sheet) -> reason of every file or sheet rejected whole (its row without a row number)."""
    whole = prepared.rejected.filter(pl.col("row_number").is_null())
    return {(r["file_name"], r["sheet_name"]): r["reason"] for r in whole.iter_rows(named=True)}


def assert_accounted(prepared: Prepared, written: Written) -> pl.DataFrame:
    """The reliability contract over one stage run; returns the fates frame for further checks."""
    seen = fates(prepared)
    got = Counter(zip(seen["file_name"], seen["sheet_name"], seen["row_number"]))
    twice = {k: v for k, v in got.items() if v > 1}
    assert not twice, f"rows returned more than once: {sorted(twice)[:10]}"
    want = {(f, s, n) for (f, s), numbers in written.rows.items() for n in numbers}
    lost = want - set(got)
    assert not lost, f"rows lost: {sorted(lost)[:10]} (of {len(lost)})"
    extra = set(got) - want
    assert not extra, f"rows that were never written: {sorted(extra)[:10]}"
    for key, expected in written.fate.items():
        row = seen.filter((pl.col("file_name") == key[0]) & (pl.col("sheet_name") == key[1]) & (pl.col("row_number") == key[2]))
        assert row["fate"][0] == expected, (key, row.to_dicts())

    files = prepared.run_files
    unbalanced = files.filter(pl.col("data_rows") != pl.col("accepted_rows") + pl.col("rejected_rows"))
    assert unbalanced.height == 0, unbalanced
    for (f, s), numbers in written.rows.items():
        listed = files.filter((pl.col("file_name") == f) & (pl.col("sheet_name") == s))
        assert listed.height >= 1 or not numbers, f"{f} {s} is missing from run_files"
        if listed.height:
            assert int(listed["data_rows"].sum()) == len(numbers), (f, s, listed.to_dicts(), len(numbers))
    by_sheet = seen.group_by("file_name", "sheet_name", "fate").len()
    for r in files.group_by("file_name", "sheet_name").agg(pl.col("accepted_rows").sum(), pl.col("rejected_rows").sum()).to_dicts():
        for fate, col in (("accepted", "accepted_rows"), ("rejected", "rejected_rows")):
            n = by_sheet.filter((pl.col("file_name") == r["file_name"]) & (pl.col("sheet_name") == r["sheet_name"]) & (pl.col("fate") == fate))
            assert (int(n["len"][0]) if n.height else 0) == r[col], (r, fate)
    return seen


def message_of(prepared: Prepared, file_name: str, sheet: str | None = None) -> str:
    """The run_files message(s) of one file (and sheet), joined; "" when none."""
    rows = prepared.run_files.filter(pl.col("file_name") == file_name)
    if sheet is not None:
        rows = rows.filter(pl.col("sheet_name") == sheet)
    return "；".join(m for m in rows["message"].to_list() if m)


def reasons_of(seen: pl.DataFrame, file_name: str, row_number: int, sheet: str = "") -> str:
    row = seen.filter((pl.col("file_name") == file_name) & (pl.col("sheet_name") == sheet) & (pl.col("row_number") == row_number))
    assert row.height == 1, (file_name, sheet, row_number, row)
    return row["reason"][0] or ""


def _cell(ref: str, value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def write_raw_xlsx(path: Path, rows, sheet: str = "Sheet1") -> Path:
    """A minimal .xlsx written as XML directly (inline strings): 100k rows in about a second,
    where openpyxl / xlsxwriter take ten.  Rows are an iterable of lists (numbers or text)."""
    import zipfile

    from pipeline.ingest.grid import column_letter

    letters = [column_letter(i) for i in range(64)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            chunk = []
            for r, row in enumerate(rows, start=1):
                cells = "".join(_cell(f"{letters[j]}{r}", v) for j, v in enumerate(row) if v is not None and v != "")
                chunk.append(f'<row r="{r}">{cells}</row>')
                if len(chunk) >= 5000:
                    f.write("".join(chunk).encode())
                    chunk = []
            f.write("".join(chunk).encode())
            f.write(b"</sheetData></worksheet>")
    return path
