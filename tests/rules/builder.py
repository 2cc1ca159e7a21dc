"""A small builder of the frames ``run_rules`` reads: persons and stg rows from a few dict rows.

Every table has defaults (an in-force row, a healthy registry member with work capacity, ...), so a
test states only what matters to its rule::

    b = Build()
    zhang = b.person("张三", birth="1950-03-01")
    b.add("dibao", zhang, category="一类")
    cases = b.cases("S5-1")

``cases(code)`` and ``fired(code, ...)`` run that rule alone: the others are passed to ``run_rules``
as not run this quarter, which with no previous cases changes nothing but skips them (each rule
writes its own rows of ``rule_hits``, and ``cases`` is made per rule and person, so a rule's cases
do not depend on which other rules ran).  ``run()`` and ``cases()`` run every rule.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from contracts.sources import TABLES
from pipeline.normalise.ids import with_check
from pipeline.policy import Policy, load_policy
from pipeline.rules import load_rules, run_rules
from contracts.staging import staging_schema

QUARTER = "2026Q3"


DEFAULTS: dict[str, dict] = {
    "dibao": dict(relation="户主", dibao_type="农村低保", category="一类", household_monthly_amount=600.0,
                  start_month="2020-01", status="在保", single_person_coverage=False),
    "tekun": dict(support_mode="集中供养", self_care="全自理", basic_standard=800.0, care_standard=0.0,
                  carer_name="照料人", care_agreement=True, start_month="2020-01", status="在保"),
    "tekun_visit": dict(visit_level="村", visit_date="2026-07-01"),
    "linshi": dict(relief_type="急难型", amount=1000.0, relief_date="2026-08-01"),
    "ertong": dict(child_category="社会散居孤儿", monthly_amount=1400.0, start_month="2020-01", status="在保"),
    "liangbu": dict(status="在保"),
    "laonian": dict(subsidy_type="经济困难老年人补贴", monthly_amount=50.0, status="在保"),
    "fafang": dict(item="低保金", pay_month="2026-07", amount=600.0),
    "siwang": dict(death_date="2026-07-12", info_source="火化"),
    "fupin": dict(relation="户主", household_type="脱贫户", health="健康", labour_skill="普通劳动力",
                  income_per_capita=20000.0),
    "canlian": dict(disability_category="肢体", disability_grade=3, certificate_status="正常"),
    "yibao_canbao": dict(insurance_year=2026, insurance_status="参保", contribution=380.0, subsidy_amount=0.0),
    "yibao_jiesuan": dict(settlement_date="2026-08-01", total_cost=1000.0, basic_fund=600.0,
                          critical_illness_fund=0.0, medical_aid=0.0, out_of_pocket=400.0),
}
_CATEGORY_CODE = {"视力": 1, "听力": 2, "言语": 3, "肢体": 4, "智力": 5, "精神": 6, "多重": 7}


def id_number(birth: date, seq: int, female: bool = False) -> str:
    """A valid 18-digit ID number (GB 11643 check digit) for a birth date."""
    order = (seq * 2 + (0 if female else 1)) % 1000
    body = f"530381{birth:%Y%m%d}{order:03d}"
    return with_check(body)


def _as_value(value, dtype):
    if isinstance(value, str) and dtype == pl.Date:
        return date.fromisoformat(value if len(value) > 7 else value + "-01")
    return value


class Build:
    def __init__(self, quarter: str = QUARTER):
        self.quarter = quarter
        self.people: dict[str, dict] = {}
        self.rows: dict[str, list[dict]] = {}
        self._record_id = 0

    def person(self, name: str, birth: str = "1970-01-01", female: bool = False, township: str = "城关镇",
               village: str = "东村", county: str = "测试县") -> str:
        """A person (by name, unique per test); returns the person_key (the ID number)."""
        born = date.fromisoformat(birth)
        key = id_number(born, len(self.people) + 1, female)
        self.people[key] = dict(person_key=key, id_number=key, name=name, gender="女" if female else "男",
                                birth_date=born, county=county, township=township, village=village)
        return key

    def add(self, table: str, person: str | None, **values) -> int:
        """One stg row of ``table`` for ``person`` (defaults of the table, then ``values``); returns
        its record_id."""
        schema = staging_schema(TABLES[table])
        row = {**DEFAULTS.get(table, {}), **values}
        unknown = set(row) - set(schema)
        if unknown:
            raise KeyError(f"{table} has no column {sorted(unknown)}")
        p = self.people.get(person, {}) if person else {}
        self._record_id += 1
        rows = self.rows.setdefault(table, [])
        full = {
            "quarter": self.quarter, "record_id": self._record_id, "person_key": person, "source_table": table,
            "file_name": f"{TABLES[table].title}.xlsx", "sheet_name": p.get("township", ""),
            "row_number": len(rows) + 2,
            "name": p.get("name"), "name_raw": p.get("name"), "name_display": p.get("name"),
            "id_number": p.get("id_number"), "id_number_raw": p.get("id_number"),
            "id_number_valid": person is not None, "birth_date": p.get("birth_date"), "gender": p.get("gender"),
            "county": p.get("county"), "township": p.get("township"), "village": p.get("village"),
        }
        if table == "dibao":
            full["head_id_number"] = person
        if table == "fupin":
            full["household_number"] = f"H{self._record_id}"
        if table == "canlian" and person:
            cat = row.get("disability_category", "肢体")
            full["certificate_number"] = f"{person}{_CATEGORY_CODE.get(cat, 4)}{row.get('disability_grade', 3)}"
            full["cert_id_number"] = person
        full.update(row)
        if "name" in row:
            full.setdefault("name_raw", row["name"])
            full["name_display"] = row.get("name_display", row["name"])
        if table == "dibao" and "household_key" not in row:
            full["household_key"] = f"dibao:{full['head_id_number']}"
        if table == "fupin" and "household_key" not in row:
            full["household_key"] = f"fupin:{full['household_number']}"
        rows.append({k: _as_value(v, schema[k]) for k, v in full.items()})
        return self._record_id

    def tables(self) -> dict[str, pl.DataFrame]:
        out = {}
        for table, rows in self.rows.items():
            schema = staging_schema(TABLES[table])
            out[f"stg_{table}"] = pl.DataFrame(rows, schema={k: schema[k] for k in rows[0]} | {
                k: schema[k] for r in rows for k in r}, infer_schema_length=None)
        out["persons"] = pl.DataFrame(list(self.people.values()), schema={
            "person_key": pl.Utf8, "id_number": pl.Utf8, "name": pl.Utf8, "gender": pl.Utf8, "birth_date": pl.Date,
            "county": pl.Utf8, "township": pl.Utf8, "village": pl.Utf8})
        return out

    def run(self, policy: Policy | None = None, previous_cases: pl.DataFrame | None = None, only: str | None = None) -> dict[str, pl.DataFrame]:
        """Every rule, or with ``only`` that one rule alone (see the module doc)."""
        codes = [r.code for r in load_rules()]
        if only is not None and only not in codes:
            raise KeyError(f"no rule {only}")
        others = [code for code in codes if only is not None and code != only]
        return run_rules(self.tables(), policy or load_policy(), self.quarter, previous_cases, unscreened=others)

    def cases(self, code: str | None = None, policy: Policy | None = None) -> pl.DataFrame:
        cases = self.run(policy, only=code)["cases"]
        return cases if code is None else cases.filter(pl.col("rule_code") == code)

    def fired(self, code: str, person: str, policy: Policy | None = None) -> dict | None:
        """The case of ``code`` on ``person``, or None."""
        rows = self.cases(code, policy).filter(pl.col("person_key") == person).to_dicts()
        assert len(rows) <= 1
        return rows[0] if rows else None
