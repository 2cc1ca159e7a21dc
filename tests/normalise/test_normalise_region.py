"""Region codes split by level, names folded, and filled across the files of a run."""

from __future__ import annotations

from contracts.sources import TABLES
from normalise_builders import REFERENCE, ingest_rows, make_id
from pipeline.normalise import fill_region_names, normalise

SIWANG = TABLES["siwang"]


def frame(**columns):
    n = len(next(iter(columns.values())))
    base = {"name": ["张三"] * n, "id_number": [make_id()] * n, "death_date": ["2026-09-01"] * n}
    return normalise(SIWANG, ingest_rows(**base, **columns), REFERENCE)


def test_code_levels():
    out = frame(region_code=["530381101001", "530381101001.0", " 530381101000 ", "530381000000", "530381", "53038110", "x"])
    assert out["county_code"].to_list() == ["530381"] * 5 + [None, None]
    assert out["township_code"].to_list() == ["530381101", "530381101", "530381101", None, None, None, None]
    assert out["village_code"].to_list() == ["530381101001", "530381101001", None, None, None, None, None]
    assert out["problems"].to_list()[5:] == [
        ['区划代码："53038110" 不是6、9或12位区划代码'],
        ['区划代码："x" 不是6、9或12位区划代码'],
    ]


def test_names_folded():
    out = frame(county=[" 宣威市 "], township=["城关 镇"], village=["新村\u3000"])
    assert out.select("county", "township", "village").row(0) == ("宣威市", "城关镇", "新村")


def test_fill_names_from_codes_seen_elsewhere():
    named = frame(region_code=["530381101001"], county=["宣威市"], township=["城关镇"], village=["新村"])
    coded = frame(region_code=["530381101001", "530381102003"])
    named2, filled = fill_region_names([named, coded])
    assert filled.select("county", "township", "village").rows() == [
        ("宣威市", "城关镇", "新村"),
        ("宣威市", "530381102", "530381102003"),  # never named: the code stands for the name
    ]
    assert named2.equals(named)  # what a row says is never changed
    assert filled.columns == coded.columns


def test_fill_codes_from_names_seen_elsewhere():
    named = frame(region_code=["530381101001"], county=["宣威市"], township=["城关镇"], village=["新村"])
    only_names = frame(county=["宣威市", "宣威市", "别县"], township=["城关镇", "城关镇", "城关镇"], village=["新村", "旧村", "新村"])
    _, filled = fill_region_names([named, only_names])
    assert filled["village_code"].to_list() == ["530381101001", None, None]
    assert filled["township_code"].to_list() == ["530381101", "530381101", None]
    assert filled["county_code"].to_list() == ["530381", "530381", None]


def test_ambiguous_names_get_no_code():
    a = frame(region_code=["530381101001"], county=["宣威市"], township=["城关镇"], village=["新村"])
    b = frame(region_code=["530381101002"], county=["宣威市"], township=["城关镇"], village=["新村"])
    c = frame(county=["宣威市"], township=["城关镇"], village=["新村"])
    assert fill_region_names([a, b, c])[2]["village_code"].to_list() == [None]


def test_most_frequent_name_wins():
    a = frame(region_code=["530381101001"] * 2, county=["宣威市"] * 2, township=["城关镇"] * 2, village=["新村"] * 2)
    b = frame(region_code=["530381101001"], county=["宣威"], township=["城关"], village=["新村委会"])
    c = frame(region_code=["530381101001"])
    assert fill_region_names([a, b, c])[2].select("county", "township", "village").row(0) == ("宣威市", "城关镇", "新村")


def test_no_frames():
    assert fill_region_names([]) == []


def test_names_learned_through_a_person_written_both_ways():
    """The 低保 roster gives only codes, the registry only names: one person links the two."""
    import polars as pl

    from pipeline.normalise.region import fill_region_names

    cols = ["id_number", "id_number_valid", "county_code", "township_code", "village_code", "county", "township", "village"]
    coded = pl.DataFrame(
        [["110105194912310021", True, "539921", "539921101", "539921101001", None, None, None],
         ["110105194912310048", True, "539921", "539921101", "539921101001", None, None, None]],
        schema={c: pl.Boolean if c == "id_number_valid" else pl.Utf8 for c in cols}, orient="row",
    )
    named = pl.DataFrame(
        [["110105194912310021", True, None, None, None, "青岚县", "青山镇", "石门村"]],
        schema={c: pl.Boolean if c == "id_number_valid" else pl.Utf8 for c in cols}, orient="row",
    )
    out_coded, _ = fill_region_names([coded, named])
    assert out_coded.select("county", "township", "village").rows() == [("青岚县", "青山镇", "石门村")] * 2
