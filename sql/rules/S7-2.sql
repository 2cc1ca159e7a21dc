-- S7-2 | sieve 7 | exit | 收入超标 | one row per 低保 household (its 户主)
-- policy: exit_income_multiple, dibao_monthly_standard, gradual_exit_months
-- reads: dibao, fupin
-- An in-force 低保 household, not in 渐退, whose registry 人均纯收入 exceeds exit_income_multiple x
-- 12 x standard: start 渐退 of gradual_exit_months.  The registry income is that of the registry
-- household(s) of its members; with several, the lowest must exceed.  One case on the 低保 户主.
WITH dibao_registry AS (
    SELECT h.household_key, h.head_person_key, h.head_id_shown, h.record_ids AS dibao_record_ids,
           min(g.income_per_capita)                          AS income_per_capita,
           string_agg(DISTINCT g.household_number, '、' ORDER BY g.household_number)      AS registry_households,
           flatten(list(g.record_ids))                       AS registry_record_ids
    FROM int_dibao_households AS h
    JOIN (SELECT household_key, unnest(member_keys) AS person_key FROM int_dibao_households) AS m USING (household_key)
    JOIN stg_fupin AS f ON f.person_key = m.person_key
    JOIN int_registry_households AS g ON g.household_number = f.household_number
    WHERE NOT h.in_gradual_exit
    GROUP BY ALL
)
SELECT
    r.head_person_key AS person_key,
    format('低保户（户主身份证号 {}）在防返贫监测系统（户编号 {}）人均纯收入 {} 元，高于 {} 元（{} × {} × {} 元）：收入超标，应启动 {} 个月渐退',
           r.head_id_shown, r.registry_households, yuan(r.income_per_capita),
           yuan($exit_income_multiple * d.months_per_year * $dibao_monthly_standard),
           $exit_income_multiple, d.months_per_year, yuan($dibao_monthly_standard), $gradual_exit_months) AS detail,
    NULL::DOUBLE AS amount,
    list_sort(list_distinct(list_concat(r.dibao_record_ids, r.registry_record_ids))) AS record_ids
FROM dibao_registry AS r
CROSS JOIN ref_definitions AS d
WHERE cents(r.income_per_capita) > cents($exit_income_multiple * d.months_per_year * $dibao_monthly_standard)
  AND r.head_person_key IS NOT NULL
