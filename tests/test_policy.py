"""The policy file: the default loads; unknown, missing and mistyped keys are refused by name."""

import tomllib

import pytest

from pipeline.policy import DEFAULT_POLICY, KEYS, PolicyError, load_policy


def write(tmp_path, text: str):
    p = tmp_path / "policy.toml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture
def default_text() -> str:
    return DEFAULT_POLICY.read_text(encoding="utf-8")


def test_default_policy_has_every_key_of_rules_md():
    policy = load_policy()
    assert set(policy.values) == set(KEYS)
    assert policy.care_subsidy[0].grade == 1
    assert policy["residence_precedence"][0] == "dibao"


def test_unknown_key_is_refused_naming_it(tmp_path, default_text):
    with pytest.raises(PolicyError, match="dibao_standard_typo"):
        load_policy(write(tmp_path, default_text + "\ndibao_standard_typo = 1\n"))


def test_missing_key_is_refused_naming_it(tmp_path, default_text):
    text = "\n".join(line for line in default_text.splitlines() if not line.startswith("advanced_age"))
    with pytest.raises(PolicyError, match="advanced_age.*缺失"):
        load_policy(write(tmp_path, text))


@pytest.mark.parametrize(
    "line, key",
    [
        ('dibao_monthly_standard = "600"', "dibao_monthly_standard"),
        ("gradual_exit_months = 12.5", "gradual_exit_months"),
        ("tekun_min_age = true", "tekun_min_age"),
        ('major_illness_keywords = "恶性肿瘤"', "major_illness_keywords"),
        ('residence_precedence = ["dibao", "nosuch"]', "residence_precedence"),
        ('orphan_standard = { "集中养育孤儿" = 1800, "社会散居孤儿" = 1400 }', "orphan_standard.事实无人抚养儿童"),
        ('living_subsidy = { "一类" = "100", "二类" = 100, "三类" = 10, "四类" = 10 }', "living_subsidy.一类"),
        ('care_subsidy = [ {grade = 5, categories = ["视力"], amount = 100} ]', r"care_subsidy\[0\].grade"),
        ('care_subsidy = [ {grade = 1, categories = ["视力", "色盲"], amount = 100} ]', r"care_subsidy\[0\].categories"),
    ],
)
def test_wrong_type_is_refused_naming_the_key(tmp_path, default_text, line, key):
    name = line.split("=")[0].strip()
    data = tomllib.loads(default_text)
    assert name in data
    # Replace the key's definition (care_subsidy spans several lines in the default file).
    kept, skipping = [], False
    for raw in default_text.splitlines():
        if raw.startswith(name + " ") or raw.startswith(name + "="):
            skipping = raw.rstrip().endswith("[")
            continue
        if skipping:
            skipping = not raw.startswith("]")
            continue
        kept.append(raw)
    with pytest.raises(PolicyError, match=key):
        load_policy(write(tmp_path, "\n".join(kept) + "\n" + line + "\n"))


def test_a_different_standard_is_read_not_assumed(tmp_path, default_text):
    text = default_text.replace("dibao_monthly_standard = 600", "dibao_monthly_standard = 720")
    assert load_policy(write(tmp_path, text))["dibao_monthly_standard"] == 720
