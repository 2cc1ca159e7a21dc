"""The bundled county against its own truth (sample_data/county/truth): every rule code at precision
and recall 1.0 in both quarters, and linkage without a false merge.

The county carries every identity case the spec names (the generator plants them): CSV rows whose
IDs Excel re-saved as ``5.33129E+17``, 18-digit IDs Excel cut to 15 digits + ``000``, twins and
namesake twins, namesakes in one village, rows under another name on a valid ID, a parent's ID on a
child's row (where drawn), a certificate whose ID part is a slip of the person's own, and a Y-3 settlement one float ulp above ratio - 1 元.  A linking mistake shows up
here as a false merge or as a rule case on the wrong person (S5-2 / S8-4 on the real person, S8-1 on
a split-off one).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

TRUTH = Path(__file__).resolve().parent.parent / "sample_data" / "county" / "truth"
QUARTERS = ("2026Q2", "2026Q3")
KEY = ["quarter", "file_name", "sheet_name", "row_number"]


def _truth_records() -> pl.DataFrame:
    return pl.read_csv(TRUTH / "records.csv", infer_schema_length=0).select(
        "quarter", "file_name", pl.col("sheet_name").fill_null(""), pl.col("row_number").cast(pl.Int64),
        pl.col("person_uid").cast(pl.Int64), pl.col("dirt").fill_null(""),
    )


@pytest.fixture(scope="module")
def linked(bundled_run) -> pl.DataFrame:
    """Every accepted source row: its person_key and its true person."""
    rows = bundled_run.sql(
        "SELECT quarter, file_name, coalesce(sheet_name, '') AS sheet_name, row_number, person_key FROM source_records"
    )
    return rows.join(_truth_records(), on=KEY, how="inner")


def test_the_county_plants_every_identity_case():
    dirt = _truth_records()["dirt"].str.split(";").explode()
    kinds = set(dirt.to_list())
    for kind in ("id_sci_notation", "id_excel_truncated", "id_typo_digit", "id_typo_transpose", "id_15_digit",
                 "name_homophone", "name_traditional"):
        assert kind in kinds, kind
    traps = set(pl.read_csv(TRUTH / "persons.csv", infer_schema_length=0)["trap"].drop_nulls().to_list())
    assert {"twin", "namesake", "namesake_twin"} <= traps
    planted = pl.read_csv(TRUTH / "planted.csv", infer_schema_length=0)
    near = pl.read_csv(TRUTH / "near_misses.csv", infer_schema_length=0)
    assert planted.filter(pl.col("variant") == "same ID, another name in 医保").height > 0
    assert planted.filter(pl.col("variant").str.contains("one-digit slip of the person's own ID")).height > 0
    assert near.filter(pl.col("variant").str.contains("float ulp")).height > 0


def test_every_source_row_is_matched_to_the_truth(linked, bundled_run):
    accepted = bundled_run.sql("SELECT count(*) AS n FROM source_records")["n"].item()
    assert linked.height == accepted


def test_no_false_merge(linked):
    """No person_key holds the records of two true persons (in either quarter)."""
    merged = linked.group_by("quarter", "person_key").agg(pl.col("person_uid").n_unique().alias("n")).filter(pl.col("n") > 1)
    assert merged.height == 0, merged


def test_no_true_person_split_in_a_quarter(linked):
    """Every true person's rows of a quarter end in one person_key (ID-less and Excel-damaged rows too)."""
    split = linked.group_by("quarter", "person_uid").agg(pl.col("person_key").n_unique().alias("n")).filter(pl.col("n") > 1)
    assert split.height == 0, split.join(linked, on=["quarter", "person_uid"]).sort("person_uid")


@pytest.mark.parametrize("quarter", QUARTERS)
def test_every_rule_code_at_precision_and_recall_one(linked, bundled_run, quarter):
    owner = (
        linked.filter(pl.col("quarter") == quarter)
        .group_by("person_key", "person_uid")
        .len()
        .sort("len", descending=True)
        .unique("person_key", keep="first")
        .select("person_key", "person_uid")
    )
    found = (
        bundled_run.sql("SELECT rule_code, person_key FROM cases WHERE quarter = ?", [quarter])
        .join(owner, on="person_key", how="left")
        .select("rule_code", "person_uid")
        .unique()
    )
    truth = (
        pl.read_csv(TRUTH / "cases.csv", infer_schema_length=0)
        .filter(pl.col("quarter") == quarter)
        .select("rule_code", pl.col("person_uid").cast(pl.Int64))
        .unique()
    )
    extra = found.join(truth, on=["rule_code", "person_uid"], how="anti").sort("rule_code", "person_uid")
    missed = truth.join(found, on=["rule_code", "person_uid"], how="anti").sort("rule_code", "person_uid")
    assert extra.height == 0 and missed.height == 0, f"extra (precision < 1):\n{extra}\nmissed (recall < 1):\n{missed}"
    assert truth["rule_code"].n_unique() >= 35  # the county exercises (nearly) every rule code
