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


def replaced(default_text: str, key: str, line: str) -> str:
    """The default policy with ``key``'s definition (one line or a [...] block) replaced by ``line``."""
    kept, skipping = [], False
    for raw in default_text.splitlines():
        if raw.startswith(key + " ") or raw.startswith(key + "="):
            skipping = raw.rstrip().endswith("[")
            continue
        if skipping:
            skipping = not raw.startswith("]")
            continue
        kept.append(raw)
    return "\n".join(kept) + "\n" + line + "\n"


@pytest.mark.parametrize(
    "line, message",
    [
        ("dibao_monthly_standard = -600", "dibao_monthly_standard = -600 不对，应大于 0"),
        ("dibao_monthly_standard = 0", "dibao_monthly_standard = 0 不对，应大于 0"),
        ("low_income_multiple = 0", "low_income_multiple = 0 不对，应大于 0"),
        ("aid_ratio_key = 1.5", "aid_ratio_key = 1.5 不对，应在 0 到 1 之间"),
        ("aid_ratio_low_income = -0.1", "aid_ratio_low_income = -0.1 不对，应在 0 到 1 之间"),
        ("tekun_min_age = 200", "tekun_min_age = 200 不对，应在 0 到 120 之间"),
        ("gradual_exit_months = 0", "gradual_exit_months = 0 不对，应在 1 到 60 之间"),
        ("subsidy_dibao = -70", "subsidy_dibao = -70 不对，应大于 0"),
        ("major_illness_keywords = []", "major_illness_keywords = [] 不对，不能为空"),
        ('major_illness_keywords = ["恶性肿瘤", ""]', 'major_illness_keywords[1] = "" 不对'),
        ("residence_precedence = []", "residence_precedence = [] 不对，不能为空"),
        ('residence_precedence = ["dibao", "nosuch"]', 'residence_precedence[1] = "nosuch" 不对，应为以下之一：dibao、tekun'),
        ('tables_not_exported = ["tekun_visit", "低保"]', 'tables_not_exported[1] = "低保" 不对，应为以下之一'),
        ('care_subsidy = []', "care_subsidy = [] 不对，不能为空"),
        ('care_subsidy = [ {grade = 1, categories = [], amount = 100} ]', "care_subsidy[0].categories = [] 不对，不能为空"),
        ('care_subsidy = [ {grade = 1, categories = ["视力"], amount = -5} ]', "care_subsidy[0].amount = -5 不对，应大于 0"),
        ('care_subsidy = [ {grade = 1, categories = ["视力"]} ]', "care_subsidy[0].amount 缺失"),
        ('care_subsidy = [ {grade = 1, categories = ["视力"], amount = 5, note = "x"} ]', "care_subsidy[0].note 未知"),
        (
            'care_subsidy = [ {grade = 1, categories = ["视力", "肢体"], amount = 100}, {grade = 1, categories = ["肢体"], amount = 50} ]',
            "1 级肢体残疾在 care_subsidy[0] 和 care_subsidy[1] 中重复",
        ),
        ('orphan_standard = { "集中养育孤儿" = 1800, "社会散居孤儿" = 0, "事实无人抚养儿童" = 1400 }', "orphan_standard.社会散居孤儿 = 0 不对，应大于 0"),
    ],
)
def test_values_out_of_range_are_refused_in_one_line_naming_file_key_and_rule(tmp_path, default_text, line, message):
    key = line.split("=")[0].strip()
    path = write(tmp_path, replaced(default_text, key, line))
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    text = str(refused.value)
    assert text.startswith(f"政策文件 {path}：") and message in text
    assert "\n" not in text


def test_refusal_is_a_usage_error(tmp_path, default_text):
    from pipeline.errors import UsageError

    with pytest.raises(UsageError):
        load_policy(write(tmp_path, replaced(default_text, "advanced_age", "advanced_age = -1")))


def test_tables_not_exported_defaults_to_empty_and_is_read(tmp_path, default_text):
    assert load_policy()["tables_not_exported"] == []
    older = replaced(default_text, "tables_not_exported", "")  # a policy written before the key existed
    assert load_policy(write(tmp_path, older))["tables_not_exported"] == []
    text = replaced(default_text, "tables_not_exported", 'tables_not_exported = ["tekun_visit", "yibao_jiesuan"]')
    policy = load_policy(write(tmp_path, text))
    assert policy["tables_not_exported"] == ["tekun_visit", "yibao_jiesuan"]
    assert policy.tables_not_exported == ("tekun_visit", "yibao_jiesuan")


def test_policy_saved_by_notepad_as_gbk_or_with_bom_is_read(tmp_path, default_text):
    text = default_text.replace("dibao_monthly_standard = 600", "dibao_monthly_standard = 735")
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes(text.encode("gbk"))
    policy = load_policy(gbk)
    assert policy["dibao_monthly_standard"] == 735
    assert policy["orphan_standard"]["集中养育孤儿"] == 1800  # Chinese keys decoded, not mojibake
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load_policy(bom).values == policy.values


def test_the_default_file_documents_every_key(default_text):
    """Every key of the model is in the shipped file, with a comment above it."""
    lines = default_text.splitlines()
    for key in KEYS:
        at = next(i for i, line in enumerate(lines) if line.startswith(key + " "))
        assert lines[at - 1].startswith("#") or lines[at - 1].startswith(tuple(KEYS)), key
