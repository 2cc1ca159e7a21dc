-- S4-1 | sieve 4 | missed | 生活补贴应补未补 | one row per person
-- policy: living_subsidy
-- reads: canlian, dibao, liangbu
-- (read as the table policy_living_subsidy)
-- A certificate in force, the person in an in-force 低保 household, and no 生活补贴 (filled and
-- > 0) on an in-force liangbu row.
WITH living_paid AS (
    SELECT DISTINCT l.person_key
    FROM stg_liangbu AS l JOIN int_in_force_rows AS r ON r.record_id = l.record_id
    WHERE l.living_subsidy > 0
)
SELECT
    p.person_key,
    format('持证残疾人（{}），在保低保对象（{}），未享受困难残疾人生活补贴{}：应补未补',
           string_agg(DISTINCT format('{} {} 级', coalesce(c.category, '类别未填'), coalesce(c.grade::VARCHAR, '?')), '、' ORDER BY format('{} {} 级', coalesce(c.category, '类别未填'), coalesce(c.grade::VARCHAR, '?'))),
           coalesce(p.dibao_category, '类别未填'),
           coalesce(format('（应发 {} 元/月）', yuan(any_value(s.amount))), '')) AS detail,
    NULL::DOUBLE AS amount,
    list_concat(list(c.record_id ORDER BY c.record_id), p.dibao_record_ids) AS record_ids
FROM fct_person_quarter AS p
JOIN int_certificates_in_force AS c USING (person_key)
LEFT JOIN policy_living_subsidy AS s ON s.category = p.dibao_category
WHERE p.in_dibao
  AND p.person_key NOT IN (SELECT person_key FROM living_paid)
GROUP BY p.person_key, p.dibao_category, p.dibao_record_ids
