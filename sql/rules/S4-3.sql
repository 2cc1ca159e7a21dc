-- S4-3 | sieve 4 | review | 两项补贴标准不符 | one row per person
-- policy: living_subsidy, care_subsidy
-- reads: liangbu, dibao, canlian
-- (read as the tables policy_living_subsidy and policy_care_subsidy)
-- An in-force liangbu amount that differs (to the cent) from the amount the rules give: 生活补贴 by
-- the person's in-force 分类施保类别, 护理补贴 by the certificate's grade and category.  Only where
-- the rules give an amount; a subsidy they give none of is S4-4.
WITH care_due AS (
    SELECT person_key, max(care_amount) AS care_amount
    FROM int_certificates_in_force WHERE care_amount IS NOT NULL GROUP BY person_key
),
findings AS (
    SELECT l.person_key, l.record_id,
           format('生活补贴 {} 元/月，按低保{}应为 {} 元/月', yuan(l.living_subsidy), p.dibao_category, yuan(s.amount)) AS what,
           l.living_subsidy - s.amount AS difference
    FROM stg_liangbu AS l
    JOIN int_in_force_rows AS r ON r.record_id = l.record_id
    JOIN fct_person_quarter AS p ON p.person_key = l.person_key
    JOIN policy_living_subsidy AS s ON s.category = p.dibao_category
    WHERE l.living_subsidy > 0 AND p.in_dibao
      AND cents(l.living_subsidy) <> cents(s.amount)
    UNION ALL
    SELECT l.person_key, l.record_id,
           format('护理补贴 {} 元/月，按残疾类别、等级应为 {} 元/月', yuan(l.care_subsidy), yuan(c.care_amount)),
           l.care_subsidy - c.care_amount
    FROM stg_liangbu AS l
    JOIN int_in_force_rows AS r ON r.record_id = l.record_id
    JOIN care_due AS c ON c.person_key = l.person_key
    WHERE l.care_subsidy > 0
      AND cents(l.care_subsidy) <> cents(c.care_amount)
)
SELECT
    person_key,
    string_agg(what, '；' ORDER BY what) || '：标准不符' AS detail,
    sum(difference) AS amount,
    list_sort(list_distinct(list(record_id))) AS record_ids
FROM findings
GROUP BY person_key
