"""The synthetic county generator: forms, valid IDs, planted rules, truth that matches the files."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from functools import lru_cache
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import xlrd

from sample_data.dirt import Rates
from sample_data.generate import generate
from sample_data.idcard import is_valid
from sample_data.policy import POLICY_FILE
from sample_data.truth_rules import compute_cases

RULE_CODES = [
    "S1-1", "S1-2", "S1-3", "S1-4", "S2-1", "S2-2", "S2-3", "S3-1", "S3-2", "S3-3",
    "S4-1", "S4-2", "S4-3", "S4-4", "S4-5", "S4-6", "S5-1", "S5-2", "S6-1", "S6-2", "S6-3", "S6-4",
    "S7-1", "S7-2", "S7-3", "S7-4", "S7-5", "S8-1", "S8-2", "S8-3", "S8-4", "S8-5", "Y-1", "Y-2", "Y-3", "Y-4",
]
SPEC_RULES = Path(__file__).resolve().parents[2] / "shared" / "spec" / "rules.md"
ENCODING = {"csv-utf8": "utf-8", "csv-utf8-bom": "utf-8-sig", "csv-gbk": "gb18030"}


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("county")
    # dirt rates raised so that a small county shows every kind of dirt
    generate(300, 11, out, rates=Rates(id=0.5, name=0.4, date=0.2, reject=0.02, sci_file=0.8), quiet=True)
    return out


def truth(county: Path, name: str) -> pl.DataFrame:
    return pl.read_csv(county / "truth" / name, infer_schema_length=0)


def test_every_form_and_quarter(county):
    files = truth(county, "files.csv")
    assert set(files["form"]) == {"xlsx", "xls", "csv-utf8", "csv-utf8-bom", "csv-gbk"}
    assert set(files["quarter"]) == {"2026Q2", "2026Q3"}
    for q in ("2026Q2", "2026Q3"):
        tables = set(files.filter(pl.col("quarter") == q)["table"])
        assert {"dibao", "tekun", "tekun_visit", "linshi", "ertong", "liangbu", "laonian", "fafang", "siwang",
                "fupin", "canlian", "yibao_canbao", "yibao_jiesuan", ""} <= tables
    for row in files.iter_rows(named=True):
        path = county / row["quarter"] / row["file_name"]
        assert path.exists()
        if row["form"] == "csv-gbk":
            path.read_bytes().decode("gbk")  # strict GBK, as a GBK system writes it
        if row["form"] == "csv-utf8-bom":
            assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_ids_valid_and_consistent(county):
    p = truth(county, "persons.csv")
    assert p["person_uid"].n_unique() == p.height
    assert p["id_number"].n_unique() == p.height
    for idn, birth, gender in p.select("id_number", "birth_date", "gender").iter_rows():
        assert is_valid(idn), idn
        assert idn[6:14] == birth.replace("-", "")
        assert (int(idn[16]) % 2 == 1) == (gender == "男")


def test_every_rule_has_planted_cases_and_near_misses(county):
    codes = RULE_CODES
    if SPEC_RULES.exists():
        spec_codes = sorted(set(re.findall(r"^\| (S\d-\d|Y-\d) \|", SPEC_RULES.read_text("utf-8"), re.M)))
        assert set(spec_codes) == set(codes)
    cases = truth(county, "cases.csv").filter(pl.col("planted") == "true")
    near = truth(county, "near_misses.csv")
    for code in codes:
        assert cases.filter(pl.col("rule_code") == code).height >= 2, code
        assert near.filter(pl.col("rule_code") == code).height >= 1, code
    # cases move between quarters: some only in the first (fixed), some only in the last (new)
    both = cases.group_by("rule_code", "person_uid").agg(pl.col("quarter").n_unique().alias("n"))
    assert both.filter(pl.col("n") == 1).height > 0 and both.filter(pl.col("n") == 2).height > 0


@lru_cache(maxsize=2)  # files.csv lists a workbook's sheets one after another: each file is read once
def _workbook(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path, read_only=False)


@lru_cache(maxsize=2)
def _xls_book(path: Path) -> xlrd.book.Book:
    return xlrd.open_workbook(str(path))


def _sheet_rows_xlsx(path: Path, sheet: str, header_row: int) -> tuple[list[int], bool]:
    ws = _workbook(path)[sheet]
    rows = []
    for i, row in enumerate(ws.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1):
        first = next((v for v in row if v not in (None, "")), None)
        if first is None:
            continue
        if isinstance(first, str) and first.startswith(("合计", "制表人", "填报日期")):
            break
        rows.append(i)
    return rows, ws.sheet_state == "hidden"


def _sheet_rows_xls(path: Path, sheet: str, header_row: int) -> list[int]:
    ws = _xls_book(path).sheet_by_name(sheet)
    rows = []
    for r in range(header_row, ws.nrows):
        vals = [v for v in ws.row_values(r) if v not in (None, "")]
        if not vals:
            continue
        if isinstance(vals[0], str) and vals[0].startswith(("合计", "制表人", "填报日期")):
            break
        rows.append(r + 1)
    return rows


def _sheet_rows_html(path: Path, header_row: int, encoding: str) -> list[int]:
    """The <tr> numbers (from 1) below the header holding text, up to the footer."""
    import lxml.html

    page = lxml.html.document_fromstring(path.read_bytes().decode(encoding))
    rows = []
    for i, tr in enumerate(page.iter("tr"), start=1):
        texts = [" ".join(td.text_content().split()) for td in tr.xpath("./td")]
        first = next((t for t in texts if t), None)
        if i <= header_row or first is None:
            continue
        if first.startswith(("合计", "制表人", "填报日期")):
            break
        rows.append(i)
    return rows


def test_truth_counts_match_files(county):
    _truth_counts_match_files(county)


def _truth_counts_match_files(county: Path) -> None:
    files = truth(county, "files.csv").with_columns(pl.col("header_row", "data_rows").cast(pl.Int64))
    records = truth(county, "records.csv").with_columns(pl.col("row_number").cast(pl.Int64))
    for row in files.iter_rows(named=True):
        path = county / row["quarter"] / row["file_name"]
        recs = records.filter((pl.col("quarter") == row["quarter"]) & (pl.col("file_name") == row["file_name"])
                              & (pl.col("sheet_name") .fill_null("") == (row["sheet_name"] or "")))
        assert recs.height == row["data_rows"], row
        if not row["table"]:
            assert row["data_rows"] == 0
            if row["form"] == "xlsx":
                _, hidden = _sheet_rows_xlsx(path, row["sheet_name"], 1)
                assert hidden
            assert (row["file_reject"] or "") in ("", "no_table", "unreadable")
            continue
        if row["form"] == "xlsx":
            seen, hidden = _sheet_rows_xlsx(path, row["sheet_name"], row["header_row"])
            assert not hidden
        elif row["form"] == "xls":
            seen = _sheet_rows_xls(path, row["sheet_name"], row["header_row"])
        elif row["form"].startswith("html"):
            seen = _sheet_rows_html(path, row["header_row"], "gb18030" if row["form"] == "html-gbk" else "utf-8")
        else:
            text = path.read_bytes().decode(ENCODING[row["form"]])
            lines = list(csv.reader(io.StringIO(text)))
            seen = [i + 1 for i, ln in enumerate(lines) if i + 1 > row["header_row"] and any(ln)]
        assert seen == sorted(recs["row_number"].to_list()), row


def test_dirt_and_rejects_present(county):
    records = truth(county, "records.csv")
    kinds = set(";".join(records["dirt"].fill_null("").to_list()).split(";")) - {""}
    for k in ("id_excel_number", "id_apostrophe", "id_fullwidth", "id_inner_space", "id_15_digit", "id_sci_notation",
              "id_typo_digit", "id_typo_transpose", "id_parent_on_child", "name_traditional", "name_space",
              "name_homophone", "date_slash", "date_compact", "date_chinese", "date_serial", "month_compact", "month_chinese"):
        assert k in kinds, k
    rejects = records.filter(pl.col("expect") == "reject")
    assert set(rejects["reject_reason_kind"]) >= {"amount_bad", "required_blank", "enum_unknown"}


def test_dibao_workbook_layout(county):
    files = truth(county, "files.csv")
    name = files.filter((pl.col("table") == "dibao") & (pl.col("quarter") == "2026Q3"))["file_name"][0]
    wb = openpyxl.load_workbook(county / "2026Q3" / name)
    ws = wb.worksheets[0]
    assert ws.merged_cells.ranges, "household cells are merged"
    assert any(r.min_row == 1 and r.max_row == 1 for r in ws.merged_cells.ranges), "merged title row"
    assert len(wb.worksheets) >= 3


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_deterministic_for_a_seed(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(120, 5, a, quiet=True)
    generate(120, 5, b, quiet=True)
    generate(120, 6, c, forms="csv", quiet=True)
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)


def test_clean_world_fires_exactly_the_planted_cases(county):
    """A few rules computed straight on the clean world (before dirt and rejects): what fires is what
    was planted (planted.csv: the background is consistent with the policy) and no near miss fires."""
    q = "2026Q3"
    X = pl.read_parquet(county / "truth" / f"world_persons_{q}.parquet")
    seen = truth(county, "records.csv").filter(pl.col("quarter") == q).select(pl.col("person_uid").cast(pl.Int64).alias("uid")).unique()
    X = X.join(seen.with_columns(v=pl.lit(True)), on="uid", how="left").with_columns(pl.col("v").fill_null(False))
    cases = truth(county, "planted.csv").filter(pl.col("quarter") == q).with_columns(pl.col("person_uid").cast(pl.Int64))
    near = truth(county, "near_misses.csv").filter(pl.col("quarter") == q).with_columns(pl.col("person_uid").cast(pl.Int64))
    alive = ~pl.col("dead")
    heavy = pl.col("cert_in_force") & (pl.col("cert_grade") <= 2)
    able = pl.col("labour_skill").is_in(["普通劳动力", "技能劳动力", "弱劳动力或半劳动力"])
    X = X.with_columns(other_able=((able & alive).cast(pl.Int32).sum().over("hh_id") - (able & alive).cast(pl.Int32)) > 0)
    std = {"集中养育孤儿": 1800.0, "社会散居孤儿": 1400.0, "事实无人抚养儿童": 1400.0}
    checks = {
        "S1-1": alive & pl.col("is_sanlei") & (heavy | (pl.col("health") == "患有大病")) & ~pl.col("dibao_in_force") & ~pl.col("tekun_in_force"),
        "S2-1": alive & pl.col("is_sanlei") & (pl.col("income_pc") < 7200) & (pl.col("pos") == 0)
        & ~(pl.col("dibao_in_force") | pl.col("tekun_in_force")).any().over("hh_id"),
        "S2-2": alive & pl.col("is_sanlei") & ~able & ((pl.col("age") >= 60) | (pl.col("age") < 16) | heavy) & ~pl.col("other_able") & ~pl.col("tekun_in_force"),
        "S3-1": alive & pl.col("ertong_in_force") & (pl.col("age") >= 18),
        "S3-3": alive & pl.col("ertong_in_force") & (pl.col("ertong_amount") < pl.col("ertong_category").replace_strict(std)),
        "S4-2": alive & pl.col("cert_in_force") & (pl.col("_care") > 0) & ~(pl.col("care_amount") > 0),
        "S4-6": alive & pl.col("registry") & ((pl.col("health") == "残疾") | pl.col("disability_override").is_not_null()) & ~pl.col("cert_in_force"),
        "S5-1": alive & pl.col("v") & (pl.col("age") >= 60) & (pl.col("dibao_in_force") | pl.col("tekun_in_force") | pl.col("is_sanlei")) & ~pl.col("econ"),
        "S5-2": alive & pl.col("v") & (pl.col("age") >= 80) & ~pl.col("adv"),
        "S6-1": alive & pl.col("tekun_in_force") & (pl.col("tekun_mode") == "分散供养")
        & (pl.col("carer_uid").is_null() | (pl.col("care_agreement") != "是").fill_null(True)),
        "S6-4": alive & pl.col("tekun_in_force") & (pl.col("tekun_mode") == "分散供养") & (pl.col("self_care") == "全失能"),
        "S7-2": alive & pl.col("dibao_in_force") & pl.col("registry") & (pl.col("dibao_status") != "渐退") & (pl.col("income_pc") > 7200) & (pl.col("pos") == 0),
        "Y-1": alive & (pl.col("dibao_in_force") | pl.col("tekun_in_force") | pl.col("ertong_in_force") | pl.col("is_sanlei"))
        & ~(pl.col("insured") & (pl.col("insured_status") == "参保") & (pl.col("insured_year") == 2026)),
    }
    for code, expr in checks.items():
        got = set(X.filter(expr)["uid"].to_list())
        want = set(cases.filter(pl.col("rule_code") == code)["person_uid"].to_list())
        assert got == want, (code, sorted(got - want), sorted(want - got))
        assert not got & set(near.filter(pl.col("rule_code") == code)["person_uid"].to_list()), code


KEY = ["quarter", "rule_code", "person_uid"]


def test_rule_truth_holds_every_planted_case(county):
    """cases.csv is the full rule truth over the written rows; what was planted (and the side effects
    the scenarios know of) is part of it, flagged planted / with its variant."""
    cases = truth(county, "cases.csv")
    planted = truth(county, "planted.csv")
    assert planted.height and cases.height > planted.height
    lost = planted.join(cases, on=KEY, how="anti")
    assert lost.height == 0, lost
    flagged = cases.filter(pl.col("planted") == "true").select(KEY).sort(KEY)
    assert flagged.equals(planted.filter(pl.col("planted") == "true").select(KEY).sort(KEY))
    assert cases.select(KEY).is_unique().all()


def test_rule_truth_fires_no_near_miss(county):
    fired = truth(county, "near_misses.csv").join(truth(county, "cases.csv"), on=KEY)
    assert fired.height == 0, fired


def test_rule_truth_every_rule_at_300_households(county):
    cases = truth(county, "cases.csv")
    got = set(cases.filter(pl.col("quarter") == "2026Q3")["rule_code"])  # some scenarios plant in the last quarter only
    assert got == set(RULE_CODES), (sorted(set(RULE_CODES) - got), sorted(got - set(RULE_CODES)))


def test_rule_truth_counts_what_the_files_say(county):
    """Dirty IDs keep their true person: an accepted row carrying a parent's ID number is a 人证不符
    (S4-5) of the child; and the CLI / compute_cases give the cases.csv the generator wrote."""
    q = "2026Q3"
    cases = truth(county, "cases.csv")
    records = truth(county, "records.csv").filter(pl.col("quarter") == q)
    parent = records.filter(pl.col("dirt").str.contains("id_parent_on_child") & (pl.col("expect") == "accept"))
    s45 = set(cases.filter((pl.col("quarter") == q) & (pl.col("rule_code") == "S4-5"))["person_uid"])
    assert parent.height and set(parent["person_uid"]) <= s45
    again = compute_cases(county).with_columns(pl.col("person_uid").cast(pl.Utf8))
    assert again.select(KEY).sort(KEY).equals(cases.select(KEY).sort(KEY))


def test_rule_truth_reads_the_policy_given(county, tmp_path):
    """A second policy gives a second truth: with every week allowed missing, no S6-3; with the
    advanced age at 120, no S5-2."""
    import tomllib

    src = POLICY_FILE.read_text("utf-8") if POLICY_FILE.exists() else None
    if src is None:
        pytest.skip("no pipeline/policy_default.toml")
    values = tomllib.loads(src)
    text = src.replace(f"village_visit_missing_weeks_allowed = {values['village_visit_missing_weeks_allowed']}",
                       "village_visit_missing_weeks_allowed = 13")
    text = text.replace(f"advanced_age = {values['advanced_age']}", "advanced_age = 120")
    other = tmp_path / "other.toml"
    other.write_text(text, "utf-8")
    cases = compute_cases(county, other)
    assert cases.filter(pl.col("rule_code").is_in(["S6-3", "S5-2"])).height == 0
    assert cases.filter(pl.col("rule_code") == "S6-2").height > 0


@pytest.fixture(scope="module")
def hazard_county(tmp_path_factory) -> Path:
    from sample_data.layout import Hazards

    out = tmp_path_factory.mktemp("hazards")
    generate(300, 11, out, quiet=True, hazards=Hazards.parse("all"))
    return out


def test_hazards_are_optional_per_county(county):
    files = truth(county, "files.csv")
    assert not files["form"].str.starts_with("html").any() and "xlsx-truncated" not in set(files["form"])
    assert "id_blank" not in set(truth(county, "records.csv")["reject_reason_kind"].fill_null(""))


def test_hazard_county_html_xls_blank_id_and_truncated_file(hazard_county):
    """临时救助 as an HTML .xls (GBK without meta, then UTF-8 with meta), a dibao row with no digit in its
    身份证号 (rejected, reason kind id_blank), and an extra workbook cut short: unreadable, rejected whole."""
    from pipeline.ingest import FileProblem, read_file

    files = truth(hazard_county, "files.csv")
    html = files.filter(pl.col("form").str.starts_with("html"))
    assert html.select("quarter", "form", "table").rows() == [("2026Q2", "html-gbk", "linshi"), ("2026Q3", "html-utf8", "linshi")]
    gbk = (hazard_county / "2026Q2" / html["file_name"][0]).read_bytes()
    assert b"<table" in gbk and b"charset" not in gbk
    gbk.decode("gbk")
    _truth_counts_match_files(hazard_county)

    records = truth(hazard_county, "records.csv")
    blank = records.filter(pl.col("reject_reason_kind") == "id_blank")
    assert set(blank["quarter"]) == {"2026Q2", "2026Q3"} and set(blank["table"]) == {"dibao"}
    assert (blank["expect"] == "reject").all()

    cut = files.filter(pl.col("form") == "xlsx-truncated")
    assert cut.select("quarter", "table", "data_rows", "file_reject").rows() == [("2026Q3", "", "0", "unreadable")]
    (problem,) = read_file(hazard_county / "2026Q3" / cut["file_name"][0]).sheets
    assert isinstance(problem, FileProblem) and "已损坏或不完整" in problem.message


def test_a_person_listed_in_a_second_dibao_household_is_its_last_row(county):
    """The extra member of a second household (S7-4) is listed after that household's own members:
    its place is fixed, so the roster's row order is the same in every run (it took a random
    member's place, and at 100,000 households two runs gave the rows in another order)."""
    extras = 0
    for quarter in ("2026Q2", "2026Q3"):
        rows = pl.read_parquet(county / "truth" / f"rows_dibao_{quarter}.parquet").select("_row", "uid", "hh_id")
        own = pl.read_parquet(county / "truth" / f"world_persons_{quarter}.parquet").select("uid", own_hh="hh_id")
        placed = rows.join(own, on="uid").with_columns(last=pl.col("_row") == pl.col("_row").max().over("hh_id"))
        extra = placed.filter(pl.col("own_hh") != pl.col("hh_id"))
        extras += extra.height
        assert extra["last"].all(), extra
    assert extras > 0
