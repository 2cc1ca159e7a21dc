"""A catalogue of broken input files, run through the real stages (ingest -> prepare).

For every file: no exception escapes, the problem is told in a message naming the file (and
sheet / row / column where it applies), and no row is lost - every non-blank data row written is
in exactly one of the accepted records / rejected rows, and ``data_rows == accepted + rejected``
per file and sheet in ``run_files`` (outputs.md, "Reliability").  One test runs a folder of
these files through ``run_quarter`` into a DuckDB file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time

import duckdb
import openpyxl
import polars as pl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.sources import TABLES
from pipeline.ingest.sheet import FOOTER_PATTERN
from pipeline.normalise import ids
from pipeline.policy import load_policy
from pipeline.run import run_quarter

from .inputs import (
    rejected_whole,
    DIBAO_HEADER,
    QUARTER_END,
    Written,
    assert_accounted,
    check_digit,
    dibao_rows,
    make_id,
    message_of,
    reasons_of,
    stages,
    write_csv,
    write_raw_xlsx,
)

ROWS = dibao_rows(6)


def write_xlsx(path, rows, setup=None, sheet="低保"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    if setup:
        setup(ws)
    wb.save(path)
    return path


# --- files that cannot be read at all --------------------------------------------------


@pytest.mark.parametrize("cut", ["half", "first_100", "last_30"])
def test_truncated_xlsx(tmp_path, cut):
    whole = write_xlsx(tmp_path / "full.xlsx", [DIBAO_HEADER, *ROWS]).read_bytes()
    (tmp_path / "full.xlsx").unlink()
    size = {"half": len(whole) // 2, "first_100": 100, "last_30": len(whole) - 30}[cut]
    (tmp_path / "低保.xlsx").write_bytes(whole[:size])
    written = Written()
    written.file("低保.xlsx")
    prepared = stages(tmp_path)
    assert_accounted(prepared, written)
    message = message_of(prepared, "低保.xlsx")
    assert "低保.xlsx" in message and "无法读取" in message, message
    # outputs.md: a file rejected whole is one rejected_rows row, sheet and row empty, with the reason
    assert rejected_whole(prepared) == {("低保.xlsx", ""): message}


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_excel_that_is_really_html_is_read_as_its_table(tmp_path, suffix):
    """inputs.md: an .xls that is an HTML table (web-based systems) is read like any sheet."""
    cells = "".join(f"<td>{h}</td>" for h in DIBAO_HEADER)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in ROWS)
    html = f"<html><head><meta charset='utf-8'></head><body><table><tr>{cells}</tr>{body}</table></body></html>"
    name = "低保" + suffix
    (tmp_path / name).write_text(html, encoding="utf-8")
    written = Written()
    written.add(name, "", range(2, 2 + len(ROWS)), "accepted")
    prepared = stages(tmp_path)
    assert_accounted(prepared, written)


def test_html_page_with_no_table_is_a_problem_naming_the_file(tmp_path):
    name = "低保.xls"
    (tmp_path / name).write_text("<html><body><p>会话已过期，请重新登录</p></body></html>", encoding="utf-8")
    written = Written()
    written.file(name)
    prepared = stages(tmp_path)
    assert_accounted(prepared, written)
    message = message_of(prepared, name)
    assert name in message and "没有含数据的表格" in message, message


@pytest.mark.parametrize(
    "name, content",
    [
        ("空.csv", b""),
        ("空白.csv", b" \r\n\r\n\t\r\n"),
        ("只有BOM.csv", b"\xef\xbb\xbf"),
        ("空.xlsx", None),
    ],
)
def test_empty_file(tmp_path, name, content):
    if content is None:
        write_xlsx(tmp_path / name, [])
    else:
        (tmp_path / name).write_bytes(content)
    written = Written()
    written.file(name)
    prepared = stages(tmp_path)
    assert_accounted(prepared, written)
    message = message_of(prepared, name)
    assert name in message and "为空" in message, message


# --- encodings --------------------------------------------------------------------------


@pytest.mark.parametrize("encoding, prefix", [("gbk", b""), ("gbk", b"\xef\xbb\xbf"), ("gb18030", b"\xef\xbb\xbf"), ("utf-8", b"\xef\xbb\xbf")])
def test_csv_encodings_with_and_without_bom(tmp_path, encoding, prefix):
    """GBK bytes behind a UTF-8 BOM (a file some tool "marked" UTF-8) still read as GBK."""
    write_csv(tmp_path / "低保.csv", [DIBAO_HEADER, *ROWS], encoding=encoding, prefix=prefix)
    written = Written()
    written.add("低保.csv", "", range(2, 2 + len(ROWS)), "accepted")
    prepared = stages(tmp_path)
    assert_accounted(prepared, written)
    assert prepared.tables["dibao"]["name"].to_list() == [r[0] for r in ROWS]


def test_stray_latin1_bytes_in_a_utf8_csv(tmp_path):
    """One cell in Latin-1 (ü = 0xFC) must not turn the whole UTF-8 file into mojibake."""
    text = "\r\n".join(",".join(r) for r in [DIBAO_HEADER, *ROWS]) + "\r\n"
    data = text.encode("utf-8").replace("在保".encode(), "在保".encode() + b" M\xfcller", 1)
    (tmp_path / "低保.csv").write_bytes(data)
    written = Written()
    written.add("低保.csv", "", range(2, 2 + len(ROWS)))
    prepared = stages(tmp_path)
    seen = assert_accounted(prepared, written)
    assert prepared.tables["dibao"].height >= len(ROWS) - 1
    assert seen.filter(pl.col("fate") == "accepted")["source_table"].unique().to_list() == ["dibao"]


def test_latin1_file_is_rejected_whole_with_every_row(tmp_path):
    rows = [["Name", "ID", "Montant"], ["José Müller", "530381198001011234", "12,50"], ["Zoë", "x", "3"]]
    write_csv(tmp_path / "export.csv", rows, encoding="latin-1")
    written = Written()
    written.add("export.csv", "", [1, 2, 3], "rejected")
    prepared = stages(tmp_path)
    seen = assert_accounted(prepared, written)
    message = message_of(prepared, "export.csv")
    assert "export.csv" in message and "表头" in message, message
    raw = json.dumps(prepared.rejected["raw_values"].to_list(), ensure_ascii=False)
    assert "Jos" in raw and "ller" in raw and "530381198001011234" in raw  # undecodable letters become \ufffd
    assert reasons_of(seen, "export.csv", 2) == message


@pytest.mark.parametrize("cell", ["张三;;;;;;;;;;;;;;;", "张\t\t\t\t\t\t\t\t\t\t三", '"张;三;;;;;;;;;;;"'])
def test_one_cell_full_of_other_delimiters_does_not_flip_the_file(tmp_path, cell):
    rows = dibao_rows(4)
    rows[1][0] = cell
    write_csv(tmp_path / "低保.csv", [DIBAO_HEADER, *rows])
    written = Written()
    written.add("低保.csv", "", [2, 4, 5], "accepted")
    written.add("低保.csv", "", [3])
    prepared = stages(tmp_path)
    assert_accounted(prepared, written)
    assert prepared.run_files["source_table"].to_list() == ["dibao"]


# --- headers ----------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_header_only(tmp_path, form):
    name = f"低保.{form}"
    (write_csv if form == "csv" else write_xlsx)(tmp_path / name, [DIBAO_HEADER])
    written = Written()
    written.file(name)
    prepared = stages(tmp_path)
    assert_accounted(prepared, written)
    listed = prepared.run_files.filter(pl.col("file_name") == name).to_dicts()
    assert [(r["source_table"], r["data_rows"]) for r in listed] == [("dibao", 0)]


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_header_repeated_as_first_data_row(tmp_path, form):
    name = f"低保.{form}"
    (write_csv if form == "csv" else write_xlsx)(tmp_path / name, [DIBAO_HEADER, DIBAO_HEADER, *ROWS])
    written = Written()
    written.add(name, "" if form == "csv" else "低保", [2], "rejected")
    written.add(name, "" if form == "csv" else "低保", range(3, 3 + len(ROWS)), "accepted")
    seen = assert_accounted(stages(tmp_path), written)
    assert reasons_of(seen, name, 2, "" if form == "csv" else "低保")


def test_second_header_block_mid_sheet(tmp_path):
    """Two exports pasted one under the other: the second title and header are data rows, rejected."""
    rows = [["青岚县2026年9月农村低保花名册"], DIBAO_HEADER, *ROWS[:3], [], ["青岚县2026年9月农村低保花名册（续）"], DIBAO_HEADER, *ROWS[3:]]
    write_xlsx(tmp_path / "低保.xlsx", rows)
    written = Written()
    written.add("低保.xlsx", "低保", [3, 4, 5, 9, 10, 11], "accepted")
    written.add("低保.xlsx", "低保", [7, 8], "rejected")
    seen = assert_accounted(stages(tmp_path), written)
    for row in (7, 8):
        assert reasons_of(seen, "低保.xlsx", row, "低保")


def _registry_header_rows():
    from contracts.sources import TABLES

    return {name: [c.header for c in t.columns] for name, t in TABLES.items()}


@pytest.mark.parametrize("table", sorted(_registry_header_rows()))
def test_repeated_header_row_is_never_a_person(tmp_path, table):
    """In every table, a header row repeated under the header is rejected, not a person named 姓名."""
    header = _registry_header_rows()[table]
    write_csv(tmp_path / f"{table}.csv", [header, header])
    written = Written()
    written.add(f"{table}.csv", "", [2], "rejected")
    seen = assert_accounted(stages(tmp_path), written)
    assert reasons_of(seen, f"{table}.csv", 2)


# --- merged cells, formulas, mixed types ------------------------------------------------


def test_merged_cells_inside_data(tmp_path):
    def merge(ws):
        ws.merge_cells("F2:F3")  # household amount down its two members (the expected form)
        ws.merge_cells("A4:B4")  # name and ID of one member merged across: the ID becomes the name
        ws.merge_cells("D5:E7")  # a block across rows and columns, through the last data row
        ws.merge_cells("A9:H9")  # a row that is one merged cell below the data: a note line

    rows = [DIBAO_HEADER, *ROWS, ["注：本表由系统导出"]]
    write_xlsx(tmp_path / "低保.xlsx", rows, merge)
    written = Written()
    written.add("低保.xlsx", "低保", range(2, 8))
    prepared = stages(tmp_path)
    seen = assert_accounted(prepared, written)
    dibao = prepared.tables["dibao"]
    row3 = dibao.filter(pl.col("row_number") == 3)
    assert row3["household_monthly_amount"].to_list() == [1200.0]  # the merge's value reached row 3
    row4 = seen.filter(pl.col("row_number") == 4)
    if row4["fate"][0] == "accepted":
        assert dibao.filter(pl.col("row_number") == 4)["id_number_valid"].to_list() == [False]


def test_formulas_with_cached_values_xlsxwriter(tmp_path):
    path = tmp_path / "低保.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("低保")
    ws.write_row(0, 0, DIBAO_HEADER)
    for i, r in enumerate(ROWS, start=1):
        ws.write_row(i, 0, r)
        ws.write_formula(i, 5, "=600*2", None, 1200)
        ws.write_formula(i, 1, f'="{r[1][:9]}"&"{r[1][9:]}"', None, r[1])
    wb.close()
    written = Written()
    written.add("低保.xlsx", "低保", range(2, 2 + len(ROWS)), "accepted")
    prepared = stages(tmp_path)
    assert_accounted(prepared, written)
    dibao = prepared.tables["dibao"]
    assert dibao["household_monthly_amount"].to_list() == [1200.0] * len(ROWS)
    assert dibao["id_number"].to_list() == [r[1] for r in ROWS]


def test_formulas_without_cached_values_openpyxl(tmp_path):
    """openpyxl writes formulas with no cached result: the cell reads blank; the row is rejected
    with the column named, the ID formula row is kept with its ID flagged, nothing lost."""
    rows = [DIBAO_HEADER]
    for i, r in enumerate(ROWS, start=2):
        r = list(r)
        if i % 2 == 0:
            r[5] = "=600*2"
        else:
            r[1] = '="530381"&"198001011234"'
        rows.append(r)
    write_xlsx(tmp_path / "低保.xlsx", rows)
    written = Written()
    written.add("低保.xlsx", "低保", range(2, 2 + len(ROWS)))
    seen = assert_accounted(stages(tmp_path), written)
    for i in range(2, 2 + len(ROWS), 2):
        assert "户月保障金额" in reasons_of(seen, "低保.xlsx", i, "低保")


def test_mixed_types_in_amount_and_month_columns(tmp_path):
    good = [1200, 1200.5, "1200", "1,200.00", "１２００"]
    bad = ["一千二", dt.datetime(2026, 9, 30), True, "12元5", -5]
    months = [dt.datetime(2020, 1, 1), 202001, "2020-01", "2020年1月", "2020/1"]
    bad_months = ["abc", 3.5, "2020-13", True, dt.time(12, 0)]
    rows = [DIBAO_HEADER]
    fate = {}
    for i, amount in enumerate(good + bad):
        r = list(dibao_rows(1, start=i)[0])
        r[5] = amount
        rows.append(r)
        fate[len(rows)] = "accepted" if i < len(good) else "rejected"
    for i, month in enumerate(months + bad_months):
        r = list(dibao_rows(1, start=100 + i)[0])
        r[6] = month
        rows.append(r)
        fate[len(rows)] = "accepted" if i < len(months) else "rejected"
    write_xlsx(tmp_path / "低保.xlsx", rows)
    written = Written()
    for n, f in fate.items():
        written.add("低保.xlsx", "低保", [n], f)
    seen = assert_accounted(stages(tmp_path), written)
    for n, f in fate.items():
        if f == "rejected":
            reason = reasons_of(seen, "低保.xlsx", n, "低保")
            assert re.search("户月保障金额|最初享受月份", reason), (n, reason)


# --- ID numbers -------------------------------------------------------------------------


def _wrong_ids() -> list[str]:
    valid = make_id(7)
    out = ["1" * n for n in range(0, 21) if n != 15]  # every length but the old 15-digit form
    out += [valid[:n] for n in range(1, 18)] + [valid + "0", valid + "12"]
    out += [valid[:8] + "AB" + valid[10:], valid[:5] + "X" + valid[6:], valid[:17].replace("8", "x", 1) + valid[17]]
    out += ["ABCDEFGHIJKLMNOPQR", "5303811980010112X4", "530381-19800101-1234", "身份证号", "无"]
    return out


def test_ids_of_every_wrong_shape_are_kept_and_flagged(tmp_path):
    wrong = _wrong_ids()
    rows = [DIBAO_HEADER]
    for i, bad in enumerate(wrong):
        r = list(dibao_rows(1, start=2 * i)[0])  # a 户主 row: keep the head's valid ID in 户主身份证号
        r[1] = bad
        r[2] = make_id(2 * i)
        rows.append(r)
    write_csv(tmp_path / "低保.csv", rows)
    written = Written()
    written.add("低保.csv", "", range(2, 2 + len(wrong)))
    prepared = stages(tmp_path)
    seen = assert_accounted(prepared, written)
    dibao = prepared.tables["dibao"]
    assert not dibao["id_number_valid"].any(), dibao.filter(pl.col("id_number_valid")).select("id_number_raw")
    assert dibao["id_number_issue"].is_not_null().all()
    # A bad ID alone never rejects the row: only a blank one does (身份证号 is required).
    rejected = seen.filter(pl.col("fate") == "rejected")
    assert all("身份证号" in r for r in rejected["reason"]), rejected


def _reference_valid(text: str) -> bool:
    """An independent GB 11643 check of a normalised 18-character number."""
    if not re.fullmatch(r"[0-9]{17}[0-9X]", text or ""):
        return False
    if text[:2] not in ids.PROVINCES:
        return False
    try:
        born = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return ids.EARLIEST_BIRTH <= born <= QUARTER_END and check_digit(text[:17]) == text[17]


def _id_frame(values: list[str | None]) -> pl.DataFrame:
    frame = pl.DataFrame({"id_number": values}, schema={"id_number": pl.Utf8})
    return ids.add_id_columns(frame, "id_number", QUARTER_END, person=True)


_ID_CHARS = st.sampled_from(list("0123456789") * 4 + list("Xx ０１９'\".E+-eO") + ["\u3000", "\n", "٣", "𝟓", "\x00"])
_mutated = st.builds(
    lambda i, pos, ch, op: {
        "replace": lambda s: s[:pos] + ch + s[pos + 1 :],
        "insert": lambda s: s[:pos] + ch + s[pos:],
        "delete": lambda s: s[:pos] + s[pos + 1 :],
        "swap": lambda s: s[:pos] + s[pos + 1 : pos + 2] + s[pos : pos + 1] + s[pos + 2 :],
    }[op](make_id(i)),
    st.integers(0, 300_000),
    st.integers(0, 18),
    _ID_CHARS,
    st.sampled_from(["replace", "insert", "delete", "swap"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(_ID_CHARS, max_size=22), _mutated, st.none(), st.text(max_size=20)), min_size=1, max_size=40))
def test_id_normalisation_never_raises_and_flags_every_invalid_one(values):
    out = _id_frame(values)
    assert out.height == len(values)
    assert out["id_number_raw"].to_list() == values
    for row in out.iter_rows(named=True):
        if row["id_number_valid"]:
            assert _reference_valid(row["id_number"]), row
        else:
            assert row["id_number_issue"], row
        if row["id_number"] is not None and len(row["id_number"]) == 18 and _reference_valid(row["id_number"]):
            # a well-formed, correct number is never flagged, whatever the raw form was
            assert row["id_number_valid"] or "15位" in (row["id_number_issue"] or ""), row


# --- random cells in a CSV: every row accepted or rejected, never lost -----------------

_CELL = st.text(
    st.one_of(
        st.sampled_from(list("张王李伟芳0123456789XxE+.-,;\t\"' \n，；：合计制表元年月日在保户主配偶一类")),
        st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
    ),
    max_size=12,
)
_ROW = st.lists(_CELL, min_size=len(DIBAO_HEADER), max_size=len(DIBAO_HEADER) + 2)


def _expected_data_lines(rows: list[list[str]]) -> list[int]:
    """Line numbers where each non-blank, non-footer record starts (header on line 1)."""
    line, starts = 2, []
    for r in rows:
        starts.append(line)
        line += 1 + sum(c.count("\n") for c in r)
    blank = [not any(c.strip() for c in r) for r in rows]
    first = [next((re.sub(r"\s", "", c) for c in r if c.strip()), "") for r in rows]
    footer = [b or bool(re.match(FOOTER_PATTERN, f)) for b, f in zip(blank, first)]
    end = len(rows)
    while end and footer[end - 1]:
        end -= 1
    return [s for s, b in zip(starts[:end], blank[:end]) if not b]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.one_of(_ROW, st.just(None)), min_size=1, max_size=12), encoding=st.sampled_from(["utf-8", "utf-8-sig"]))
def test_random_cells_in_a_dibao_csv_are_accepted_or_rejected_never_lost(tmp_path_factory, rows, encoding):
    folder = tmp_path_factory.mktemp("random")
    real = [r if r is not None else dibao_rows(1)[0] for r in rows]
    write_csv(folder / "低保.csv", [DIBAO_HEADER, *real], encoding=encoding)
    written = Written()
    written.add("低保.csv", "", _expected_data_lines(real))
    prepared = stages(folder)
    assert_accounted(prepared, written)
    for reason in prepared.rejected["reason"]:
        assert reason and "：" in reason


# --- big sheets -------------------------------------------------------------------------


def _big_xlsx(path, n: int, bad_every: int):
    bad = []

    def rows():
        yield DIBAO_HEADER
        for i in range(n):
            head = i - i % 2
            amount = "一千二" if i % bad_every == bad_every - 1 else 1200
            if amount != 1200:
                bad.append(i + 2)
            yield [f"张{i}", make_id(i), make_id(head), "户主" if i == head else "配偶", "一类", amount, 202001, "在保"]

    write_raw_xlsx(path, rows(), sheet="低保")
    return bad


def _big_case(tmp_path, n: int) -> None:
    """Every row of a large sheet accounted for (its time is measured by benchmarks/bench_ingest.py)."""
    bad = _big_xlsx(tmp_path / "低保.xlsx", n, bad_every=997)
    written = Written()
    written.add("低保.xlsx", "低保", range(2, n + 2))
    prepared = stages(tmp_path)
    seen = assert_accounted(prepared, written)
    rejected = seen.filter(pl.col("fate") == "rejected")
    assert sorted(rejected["row_number"].to_list()) == bad
    assert rejected["reason"].str.contains("户月保障金额").all()


def test_large_sheet_100k_rows(tmp_path):
    _big_case(tmp_path, 100_000)


@pytest.mark.slow
def test_large_sheet_1m_rows(tmp_path):
    _big_case(tmp_path, 1_000_000)


# --- the whole run over a folder of bad files -------------------------------------------


def test_run_quarter_over_a_folder_of_bad_files(tmp_path):
    folder = tmp_path / "2026Q3"
    folder.mkdir()
    write_csv(folder / "低保_gbk_bom.csv", [DIBAO_HEADER, *dibao_rows(4)], encoding="gbk", prefix=b"\xef\xbb\xbf")
    write_xlsx(folder / "低保_重复表头.xlsx", [DIBAO_HEADER, DIBAO_HEADER, *dibao_rows(4, start=10)])
    whole = write_xlsx(folder / "x.xlsx", [DIBAO_HEADER, *ROWS]).read_bytes()
    (folder / "x.xlsx").unlink()
    (folder / "截断.xlsx").write_bytes(whole[: len(whole) // 2])
    (folder / "空.csv").write_bytes(b"")
    (folder / "网页.xls").write_text("<html><table><tr><td>姓名</td></tr></table></html>", encoding="utf-8")
    write_csv(folder / "只有表头.csv", [DIBAO_HEADER])
    ids_rows = [DIBAO_HEADER] + [[*r[:1], bad, *r[2:]] for r, bad in zip(dibao_rows(8, start=20), ["1", "12345678901234567", "5303811980010112X4", "", "X" * 18, make_id(25), "5.30381E+17", "530381800101123"])]
    write_csv(folder / "身份证.csv", ids_rows)
    (folder / "说明.docx").write_bytes(b"PK\x03\x04 not really")
    db = tmp_path / "d.duckdb"
    others = [t for t in TABLES if t != "dibao"]  # the folder holds 低保 only: the others are declared not exported
    result = run_quarter(folder, "2026Q3", load_policy(), db, reports_dir=None, allow_missing=others)
    with duckdb.connect(str(db), read_only=True) as con:
        files = con.sql(f"SELECT * FROM run_files WHERE run_id = '{result.run_id}'").pl()
        whole = con.sql("SELECT file_name, sheet_name, reason FROM rejected_rows WHERE row_number IS NULL").pl()
        status = con.sql(f"SELECT status FROM runs WHERE run_id = '{result.run_id}'").pl()["status"][0]
        by_sheet = con.sql(
            "SELECT file_name, sheet_name, count(*) FILTER (WHERE fate = 'a') AS acc, count(*) FILTER (WHERE fate = 'r') AS rej FROM ("
            "SELECT file_name, sheet_name, 'a' AS fate FROM source_records WHERE quarter = '2026Q3' "
            "UNION ALL SELECT file_name, sheet_name, 'r' FROM rejected_rows WHERE quarter = '2026Q3' AND row_number IS NOT NULL) GROUP BY ALL"
        ).pl()
        dupes = con.sql(
            "SELECT file_name, sheet_name, row_number, count(*) FROM (SELECT file_name, sheet_name, row_number FROM source_records "
            "UNION ALL SELECT file_name, sheet_name, row_number FROM rejected_rows) GROUP BY ALL HAVING count(*) > 1"
        ).pl().rows()
    assert status == "succeeded"
    assert dupes == []
    assert set(files["file_name"]) == {p.name for p in folder.iterdir()}
    assert files.filter(pl.col("data_rows") != pl.col("accepted_rows") + pl.col("rejected_rows")).height == 0
    cmp = files.group_by("file_name", "sheet_name").agg(pl.col("accepted_rows").sum(), pl.col("rejected_rows").sum())
    cmp = cmp.join(by_sheet, on=["file_name", "sheet_name"], how="left").fill_null(0)
    assert cmp.filter((pl.col("acc") != pl.col("accepted_rows")) | (pl.col("rej") != pl.col("rejected_rows"))).height == 0, cmp
    expected_rows = {"低保_gbk_bom.csv": 4, "低保_重复表头.xlsx": 5, "身份证.csv": 8}
    got = dict(files.group_by("file_name").agg(pl.col("data_rows").sum()).iter_rows())
    for name, n in expected_rows.items():
        assert got[name] == n, (name, got)
    unreadable = files.filter(pl.col("file_name").is_in(["截断.xlsx", "空.csv", "网页.xls", "说明.docx"]))
    for r in unreadable.to_dicts():
        assert r["message"] and r["file_name"] in r["message"], r
    # each file rejected whole is one rejected_rows row with its reason, and the console lists it
    assert set(whole["file_name"]) == {"截断.xlsx", "空.csv", "网页.xls", "说明.docx"}, whole
    for reason in whole["reason"]:
        assert reason in result.problem_sheets
    assert "低保_gbk_bom.csv" not in " ".join(result.problem_sheets)
