"""The stage as a whole: SQL headers, policy binding, quarter-over-quarter status, overlap rates."""

import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipeline.policy import KEYS, load_policy, validate_policy
from pipeline.feedback import carry_feedback
from pipeline.rules import create_views, load_facts, load_rules, run_rules
from pipeline.rules.run import connect
from pipeline.rules.sqlfiles import SQL_DIR, SqlHeaderError, _read_fact, code_only, parameters
from tests.rules.builder import Build

# The contract sits beside the repository (../shared/spec), on every machine and in CI.
SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "rules.md"
RUN_PARAMETERS = {"quarter", "quarter_start", "reference_date"}


def spec_catalogue() -> dict[str, tuple[int, str]]:
    rows = re.findall(r"^\| ((?:S\d|Y)-\d) \| (\d) \| (\w+) \|", SPEC.read_text(encoding="utf-8"), re.M)
    return {code: (int(sieve), kind) for code, sieve, kind in rows}


def test_one_sql_file_per_rule_code_with_the_spec_sieve_and_kind():
    rules = {r.code: (r.sieve, r.kind) for r in load_rules()}
    assert rules == spec_catalogue()


def test_every_rule_reads_known_tables_and_the_death_register_only_where_death_is_the_finding():
    reads = {r.code: set(r.reads) for r in load_rules()}
    assert {code for code, tables in reads.items() if "siwang" in tables} == {"S3-2", "S7-1", "S8-3"}
    assert all(tables or code == "S4-5" for code, tables in reads.items())


def test_headers_declare_exactly_the_policy_numbers_used():
    for rule in load_rules():
        used = parameters(rule.sql) - RUN_PARAMETERS
        assert used <= set(rule.policy_keys), rule.code
        assert set(rule.policy_keys) <= set(KEYS), rule.code
    for fact in load_facts():
        assert set(fact.policy_keys) <= set(KEYS), fact.name
        assert fact.grain.startswith("one row"), fact.name


def test_no_number_written_in_rule_sql():
    """Numbers come from the policy or from ref_definitions; 0 and 1 (none, first) are allowed.
    (The marts only number their sort order, pairs and levels, and the overlap groups' bits.)"""
    for path in [*SQL_DIR.glob("rules/*.sql"), *SQL_DIR.glob("facts/*.sql"), SQL_DIR / "marts" / "cases.sql"]:
        if path.stem == "ref_definitions":
            continue
        numbers = set(re.findall(r"(?<![\w$.])\d+(?:\.\d+)?(?![\w])", code_only(path.read_text(encoding="utf-8"))))
        assert numbers <= {"0", "1"}, (path.name, numbers)


def test_a_fact_is_a_table_unless_its_header_says_view(tmp_path):
    con, _ = connect({}, load_policy(), "2026Q3")
    kinds = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables").fetchall())
    con.close()
    views = {f.name for f in load_facts() if f.view}
    assert views == {"int_person_names", "int_record_provenance"}  # the large facts read for a few rows
    assert {f.name: kinds[f.name] for f in load_facts()} == {
        f.name: "VIEW" if f.name in views else "BASE TABLE" for f in load_facts()
    }
    bound = tmp_path / "bound.sql"
    bound.write_text("-- one row per person: key person_key\n-- materialized: view\nSELECT $advanced_age AS x", encoding="utf-8")
    with pytest.raises(SqlHeaderError, match="binds no policy numbers"):
        _read_fact(bound)
    odd = tmp_path / "odd.sql"
    odd.write_text("-- one row per person: key person_key\n-- materialized: ephemeral\nSELECT 1 AS x", encoding="utf-8")
    with pytest.raises(SqlHeaderError, match="table or view"):
        _read_fact(odd)


def test_missing_tables_are_empty():
    out = run_rules({}, load_policy(), "2026Q3")
    assert out["cases"].is_empty() and out["overlap_rates"].is_empty()


def test_second_policy_changes_exactly_the_cases_it_should():
    b = Build()
    between = b.person("标一")  # income 8000: above 7200 (600), below 8640 (720)
    b.add("fupin", between, household_type="未脱贫户", income_per_capita=8000.0)
    b.add("yibao_canbao", between, subsidy_amount=70.0)
    dibao_head = b.person("标二")
    b.add("dibao", dibao_head)
    b.add("fupin", dibao_head, income_per_capita=8000.0)
    b.add("yibao_canbao", dibao_head, subsidy_amount=70.0)
    other = b.person("标三", birth="1940-01-01")  # S5-2, untouched by the standard
    b.add("canlian", other)
    default = b.run()["cases"]
    higher = b.run(validate_policy({**load_policy().values, "dibao_monthly_standard": 720}, "720.toml"))["cases"]
    key = ["rule_code", "person_key"]
    gone = default.join(higher, on=key, how="anti").select(key).to_dicts()
    new = higher.join(default, on=key, how="anti").select(key).to_dicts()
    assert gone == [{"rule_code": "S7-2", "person_key": dibao_head}]
    assert new == [{"rule_code": "S2-1", "person_key": between}]
    assert default.filter(pl.col("rule_code") == "S5-2").height == 1
    assert higher.filter(pl.col("rule_code") == "S5-2").height == 1


def _two_quarters():
    people = {}

    def build(quarter, with_dibao_for_b):
        b = Build(quarter)
        a = b.person("季一", birth="1940-01-01")  # S5-2 both quarters
        c = b.person("季二", birth="1980-01-01")
        people.update(a=a, c=c)
        b.add("canlian", a)
        if with_dibao_for_b:
            b.add("dibao", c)  # Y-1 (no enrolment) in the first quarter only
        else:
            b.add("canlian", c)
        return b

    return build, people


def test_two_quarters_new_continued_and_resolved():
    build, people = _two_quarters()
    q2 = build("2026Q2", True).run()["cases"]
    assert set(q2["status"]) == {"新增"}
    b3 = build("2026Q3", False)
    d = b3.person("季三", birth="1945-01-01")
    b3.add("canlian", d)  # new in Q3 (aged 80 in 2025-2026)
    out = b3.run(previous_cases=q2)
    cases = {r["person_key"]: r for r in out["cases"].to_dicts()}
    assert cases[people["a"]]["status"] == "延续" and cases[people["a"]]["first_seen_quarter"] == "2026Q2"
    assert cases[d]["status"] == "新增" and cases[d]["first_seen_quarter"] == "2026Q3"
    q2_case = q2.filter(pl.col("person_key") == people["a"])["case_id"][0]
    assert cases[people["a"]]["case_id"] == q2_case
    resolved = out["resolved_cases"]
    assert set(resolved["person_key"]) == {people["c"]}
    assert set(resolved["rule_code"]) == {"Y-1", "S8-1"}  # no enrolment, no payment: gone with the 低保 row
    assert set(resolved["quarter"]) == {"2026Q3"} and set(resolved["last_seen_quarter"]) == {"2026Q2"}


def test_continued_case_keeps_its_first_seen_quarter():
    build, _ = _two_quarters()
    q2 = build("2026Q2", True).run()["cases"]
    q3 = build("2026Q3", True).run(previous_cases=q2)["cases"]
    q4 = build("2026Q4", True).run(previous_cases=pl.concat([q2, q3]))["cases"]
    assert set(q4["first_seen_quarter"]) == {"2026Q2"} and set(q4["status"]) == {"延续"}


def test_overlap_rates_on_a_tiny_example():
    b = Build()
    a = b.person("叠一")  # 低保 and registry H1
    bb = b.person("叠二")  # 低保 only, own 低保 household
    c = b.person("叠三")  # registry H1 only
    d = b.person("叠四", township="河口乡", village="西村")  # registry H2 only
    b.add("dibao", a)
    b.add("dibao", bb)
    b.add("fupin", a, household_number="H1")
    b.add("fupin", c, household_number="H1", relation="配偶")
    b.add("fupin", d, household_number="H2")
    rates = b.run()["overlap_rates"].filter(pl.col("pair") == "低保 x 防返贫")

    def row(level, unit, measure):
        r = rates.filter(level=level, unit=unit, measure=measure).to_dicts()
        assert len(r) == 1
        return {k: r[0][k] for k in ("left_count", "right_count", "overlap_count", "left_rate", "right_rate")}

    assert row("乡镇", "城关镇", "persons") == dict(left_count=2, right_count=2, overlap_count=1, left_rate=0.5, right_rate=0.5)
    assert row("乡镇", "城关镇", "households") == dict(left_count=2, right_count=1, overlap_count=1, left_rate=0.5, right_rate=1.0)
    assert row("县", "测试县", "persons") == dict(left_count=2, right_count=3, overlap_count=1, left_rate=0.5, right_rate=1 / 3)
    assert row("县", "测试县", "households") == dict(left_count=2, right_count=2, overlap_count=1, left_rate=0.5, right_rate=0.5)
    assert row("乡镇", "河口乡", "persons") == dict(left_count=0, right_count=1, overlap_count=0, left_rate=None, right_rate=0.0)
    assert row("村", "西村", "households")["right_count"] == 1


def test_a_household_across_two_villages_counts_once_in_its_township():
    """Counted per village, then rolled up: a household with a member in each of two villages is
    in both villages' counts, once in the township's, and in the township's overlap when one
    member is in each group, though neither village sees both groups."""
    b = Build()
    a = b.person("跨一", village="东村")  # 低保 and registry H1
    c = b.person("跨二", village="西村")  # registry H1 only
    b.add("dibao", a)
    b.add("fupin", a, household_number="H1")
    b.add("fupin", c, household_number="H1", relation="配偶")
    rates = b.run()["overlap_rates"].filter(pair="低保 x 防返贫", measure="households")

    def counts(level, unit):
        (r,) = rates.filter(level=level, unit=unit).to_dicts()
        return r["left_count"], r["right_count"], r["overlap_count"]

    assert counts("村", "东村") == (1, 1, 1) and counts("村", "西村") == (0, 1, 0)
    assert counts("乡镇", "城关镇") == (1, 1, 1) and counts("县", "测试县") == (1, 1, 1)


def test_overlap_counts_the_dead_and_every_pair():
    b = Build()
    p = b.person("叠五")
    b.add("tekun", p)
    b.add("fupin", p, household_type="未脱贫户")
    b.add("canlian", p, disability_grade=1)
    b.add("siwang", p, death_date="2026-08-01")
    rates = b.run()["overlap_rates"].filter(level="县", measure="persons")
    got = {r["pair"]: (r["left_count"], r["right_count"], r["overlap_count"]) for r in rates.to_dicts()}
    assert got == {
        "特困 x 防返贫": (1, 1, 1),
        "低保 x 防返贫": (0, 1, 0),
        "持证残疾人 x 低保": (1, 0, 0),
        "重残 x (低保 or 特困)": (1, 1, 1),
        "三类对象 x 医保参保": (1, 0, 0),
    }


def test_cases_columns_and_views():
    b = Build()
    p = b.person("视一", birth="1940-01-01")
    b.add("dibao", p)
    cases = b.run()["cases"]
    for column in ("quarter", "case_id", "rule_code", "kind", "sieve", "person_key", "id_number", "name", "county",
                   "township", "village", "detail", "evidence", "first_seen_quarter", "status", "rule_name", "amount"):
        assert column in cases.columns
    assert cases["case_id"].str.len_chars().to_list() == [16] * cases.height
    con = duckdb.connect()
    con.register("_cases", carry_feedback(cases, None))  # the stored cases carry the townships' last answers
    con.execute("CREATE TABLE cases AS SELECT * FROM _cases")
    create_views(con)
    assert con.execute("SELECT count(*) FROM disputed_cases").fetchall()[0][0] == 0
    missed = con.execute("SELECT count(*) FROM missed_cases").fetchall()[0][0]
    exits = con.execute("SELECT count(*) FROM exit_cases").fetchall()[0][0]
    assert missed == cases.filter(kind="missed").height > 0
    assert exits == cases.filter(kind="exit").height


def test_every_fact_and_mart_has_one_row_per_its_declared_key(bundled_run):
    """Each ``sql/facts`` file says its key in its header (``: key person_key``); a join that
    doubled a person would put them twice on a list and count them twice in the rates.  Checked
    on the bundled county's 2026Q3, where every keyed fact has rows."""
    from contracts.sources import TABLES
    from pipeline.rules.run import connect
    from pipeline.rules.sqlfiles import load_mart

    quarter = "2026Q3"
    tables = {f"stg_{name}": bundled_run.sql(f"SELECT * FROM stg_{name} WHERE quarter = ?", [quarter]) for name in TABLES}
    tables["persons"] = bundled_run.sql("SELECT * FROM persons WHERE quarter = ?", [quarter])
    con, _ = connect(tables, load_policy(), quarter)
    keyed = [fact for fact in load_facts() if fact.key]
    assert len(keyed) >= 20  # every fact but the one-row ones
    for fact in keyed:
        key = ", ".join(fact.key)
        rows, distinct = con.execute(f'SELECT count(*), count(DISTINCT ({key})) FROM "{fact.name}"').fetchall()[0]
        assert rows > 0, f"{fact.name} is empty on the bundled county: its key is not tested"
        assert rows == distinct, f"{fact.name}: {rows} rows, {distinct} distinct ({key})"
    con.close()
    for mart, table in (("cases", "cases"), ("overlap_rates", "overlap_rates")):
        key = ", ".join(load_mart(mart).key)
        rows, distinct = bundled_run.sql(
            f"SELECT count(*), count(DISTINCT ({key})) FROM {table} WHERE quarter = ?", [quarter]
        ).row(0)
        assert rows == distinct > 0, f"{table}: {rows} rows, {distinct} distinct ({key})"


def test_a_key_the_staging_rows_use_but_persons_lacks_gets_a_persons_row_from_its_first_record():
    # extra_persons_sql: the key persons lacks gets one row, its columns from its first record
    # (the lowest record_id) that has them; a key persons holds is not added again.
    from pipeline.rules.run import connect

    b = Build()
    kept = b.person("张三")
    lost = b.person("李四", township="河口乡", village="西村")
    b.add("dibao", kept)
    b.add("laonian", lost)
    b.add("dibao", lost, name="李四四")
    tables = b.tables()
    tables["persons"] = tables["persons"].filter(pl.col("person_key") != lost)
    con, _ = connect(tables, load_policy(), "2026Q3")
    try:
        rows = con.sql("SELECT person_key, name, township, village FROM persons ORDER BY person_key").fetchall()
    finally:
        con.close()
    assert sorted(r[0] for r in rows) == sorted([kept, lost])
    (added,) = [r for r in rows if r[0] == lost]
    assert added[1:] == ("李四", "河口乡", "西村")
