"""A quarter is compared only when it is complete (outputs.md, Reliability).

On the bundled county (2026Q2 and 2026Q3 stored): 2026Q3 again without the death register is
refused before anything is written; with the death register declared not exported it runs, the
rules that read it are not run (未筛查), and 2026Q2's open cases of those rules are carried
(延续, 本季未复核), none 销号.
"""

import hashlib
import json
import shutil

import polars as pl
import pytest

from pipeline.completeness import volume_drops
from pipeline.errors import IncompleteQuarter, UsageError
from pipeline.policy import load_policy
from pipeline.prepare import Prepared
from pipeline.run import run_quarter
from tests.conftest import BUNDLED

DEATH_RULES = ["S3-2", "S7-1", "S8-3"]  # the rules whose SQL header reads siwang


def _without_deaths(tmp_path):
    folder = tmp_path / "2026Q3"
    shutil.copytree(BUNDLED / "2026Q3", folder)
    for path in folder.glob("*死亡*"):
        path.unlink()
    return folder


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_quarter_without_the_death_register_is_refused_and_nothing_is_written(bundled_copy, tmp_path):
    folder, before = _without_deaths(tmp_path), _digest(bundled_copy.db)
    with pytest.raises(IncompleteQuarter) as refused:
        run_quarter(folder, "2026Q3", load_policy(), bundled_copy.db)
    message = str(refused.value)
    assert "死亡(火化)登记（siwang）" in message and "--allow-missing siwang" in message, message
    # the files it names as possibly meant are those rejected whole, not a roster read fine
    assert "农村低保花名册.xlsx" not in message and "会议的通知.csv" in message, message
    assert _digest(bundled_copy.db) == before


def test_a_refused_first_run_creates_no_database(tmp_path):
    db = tmp_path / "new.duckdb"
    with pytest.raises(IncompleteQuarter):
        run_quarter(_without_deaths(tmp_path), "2026Q3", load_policy(), db)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026Q3"]


def test_a_folder_without_any_table_is_a_usage_error(tmp_path):
    folder = tmp_path / "2026Q3"
    folder.mkdir()
    (folder / "说明.pdf").write_bytes(b"%PDF-1.4 not a table")
    with pytest.raises(UsageError, match="没有可识别的导出表.*说明.pdf"):
        run_quarter(folder, "2026Q3", load_policy(), tmp_path / "d.duckdb")
    assert not (tmp_path / "d.duckdb").exists()


def test_declared_not_exported_the_death_rules_are_unscreened_and_their_cases_carried(bundled_copy, tmp_path):
    result = run_quarter(_without_deaths(tmp_path), "2026Q3", load_policy(), bundled_copy.db, allow_missing=["siwang"])
    assert result.completeness.not_exported == ["siwang"]
    assert result.completeness.unscreened_rules == DEATH_RULES
    q2 = bundled_copy.sql("SELECT case_id, rule_code FROM cases WHERE quarter = '2026Q2' AND rule_code IN ('S3-2', 'S7-1', 'S8-3')")
    q3 = bundled_copy.sql("SELECT * FROM cases WHERE quarter = '2026Q3' AND rule_code IN ('S3-2', 'S7-1', 'S8-3')")
    assert q2.height > 0
    assert sorted(q3["case_id"]) == sorted(q2["case_id"])  # carried, all of them, nothing new
    assert set(q3["status"]) == {"延续"} and q3["not_rechecked"].all()
    resolved = bundled_copy.sql("SELECT rule_code FROM resolved_cases WHERE quarter = '2026Q3'")
    assert not set(resolved["rule_code"]) & set(DEATH_RULES)  # none 销号
    # every other rule was judged afresh: no case of theirs is marked not rechecked
    others = bundled_copy.sql("SELECT count(*) AS n FROM cases WHERE quarter = '2026Q3' AND not_rechecked AND rule_code NOT IN ('S3-2', 'S7-1', 'S8-3')")
    assert others["n"][0] == 0
    run = bundled_copy.sql("SELECT completeness FROM runs WHERE run_id = ?", [result.run_id])
    stored = json.loads(run["completeness"][0])
    assert stored["not_exported"] == ["siwang"] and stored["unscreened_rules"] == DEATH_RULES
    assert {"table": "siwang", "previous": bundled_copy.sql(
        "SELECT count(*) AS n FROM source_records WHERE quarter = '2026Q2' AND source_table = 'siwang'")["n"][0], "current": 0} in stored["volume_drops"]


def test_an_unknown_table_name_is_refused(bundled_copy, tmp_path):
    with pytest.raises(UsageError, match="siwan 不是输入表"):
        run_quarter(_without_deaths(tmp_path), "2026Q3", load_policy(), bundled_copy.db, allow_missing=["siwan"])


def test_a_table_falling_by_more_than_a_third_is_flagged():
    def prepared(rows: dict[str, int]) -> Prepared:
        tables = {name: pl.DataFrame({"x": range(n)}) for name, n in rows.items()}
        run_files = pl.DataFrame({"source_table": list(rows), "accepted_rows": list(rows.values())})
        return Prepared(tables, pl.DataFrame(), run_files)

    drops = volume_drops(prepared({"dibao": 66, "fupin": 67, "tekun": 30}), {"dibao": 100, "fupin": 100, "tekun": 30, "linshi": 3})
    assert drops == [{"table": "dibao", "previous": 100, "current": 66}, {"table": "linshi", "previous": 3, "current": 0}]
