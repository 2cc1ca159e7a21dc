-- S4-4 | sieve 4 | exit | 两项补贴应退 | one row per person
-- policy: living_subsidy, care_subsidy
-- reads: liangbu, canlian, dibao
-- (read as the tables policy_living_subsidy and policy_care_subsidy)
-- An in-force liangbu row with: no certificate in force; or 生活补贴 without in-force 低保 (or a
-- 分类施保类别 the policy gives no amount for); or 护理补贴 for a grade / category that earns none.
WITH care_due AS (
    SELECT person_key, max(care_amount) AS care_amount
    FROM int_certificates_in_force GROUP BY person_key
),
findings AS (
    SELECT l.person_key, l.record_id,
           CASE
             WHEN NOT p.has_certificate THEN '无有效残疾人证，仍享受两项补贴'
             WHEN l.living_subsidy > 0 AND NOT p.in_dibao
                  THEN format('享受生活补贴 {} 元/月，但不是在保低保对象', yuan(l.living_subsidy))
             WHEN l.living_subsidy > 0 AND s.amount IS NULL
                  THEN format('享受生活补贴 {} 元/月，低保类别（{}）无补贴标准', yuan(l.living_subsidy), coalesce(p.dibao_category, '未填'))
           END AS living_what,
           CASE
             WHEN p.has_certificate AND l.care_subsidy > 0 AND c.care_amount IS NULL
                  THEN format('享受护理补贴 {} 元/月，但残疾类别、等级不在护理补贴范围', yuan(l.care_subsidy))
           END AS care_what,
           list_concat([l.record_id], p.certificate_record_ids) AS record_ids
    FROM stg_liangbu AS l
    JOIN int_in_force_rows AS r ON r.record_id = l.record_id
    JOIN fct_person_quarter AS p ON p.person_key = l.person_key
    LEFT JOIN care_due AS c ON c.person_key = l.person_key
    LEFT JOIN policy_living_subsidy AS s ON s.category = p.dibao_category
)
SELECT
    person_key,
    string_agg(concat_ws('；', living_what, care_what), '；' ORDER BY concat_ws('；', living_what, care_what)) || '：应退' AS detail,
    NULL::DOUBLE AS amount,
    list_sort(list_distinct(flatten(list(record_ids)))) AS record_ids
FROM findings
WHERE living_what IS NOT NULL OR care_what IS NOT NULL
GROUP BY person_key
