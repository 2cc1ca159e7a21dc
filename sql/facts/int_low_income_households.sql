-- one row per registry household (防返贫监测 户编号): key household_number
-- policy: low_income_multiple, dibao_monthly_standard
-- 低收入 (rules.md, Terms): 人均纯收入 below low_income_multiple x 12 x dibao_monthly_standard.
SELECT
    h.household_number,
    $low_income_multiple * d.months_per_year * $dibao_monthly_standard AS low_income_line,
    cents(h.income_per_capita) < cents($low_income_multiple * d.months_per_year * $dibao_monthly_standard) AS is_low_income
FROM int_registry_households AS h
CROSS JOIN ref_definitions AS d
