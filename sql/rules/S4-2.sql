-- S4-2 | sieve 4 | missed | 护理补贴应补未补 | one row per person
-- policy: care_subsidy
-- reads: canlian, liangbu
-- (read as the table policy_care_subsidy, joined in int_certificates_in_force)
-- A certificate in force whose category and grade earn a 护理补贴, and no 护理补贴 (filled and
-- > 0) on an in-force liangbu row.
WITH care_paid AS (
    SELECT DISTINCT l.person_key
    FROM stg_liangbu AS l JOIN int_in_force_rows AS r ON r.record_id = l.record_id
    WHERE l.care_subsidy > 0
)
SELECT
    c.person_key,
    format('持证残疾人（{} {} 级），按标准应享受重度残疾人护理补贴 {} 元/月，未享受：应补未补',
           arg_max(c.category, c.care_amount), arg_max(c.grade, c.care_amount), yuan(max(c.care_amount))) AS detail,
    NULL::DOUBLE AS amount,
    list(c.record_id ORDER BY c.record_id) AS record_ids
FROM int_certificates_in_force AS c
WHERE c.care_amount IS NOT NULL
  AND c.person_key NOT IN (SELECT person_key FROM care_paid)
GROUP BY c.person_key
