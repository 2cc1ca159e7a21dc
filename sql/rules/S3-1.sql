-- S3-1 | sieve 3 | exit | 超龄 | one row per person
-- policy: none
-- reads: ertong
-- In-force ertong child aged 18 or more at the reference date (an 18th birthday on that date counts).
SELECT
    p.person_key,
    format('{}，出生日期 {}，截至 {} 已满 {} 岁（{} 岁），仍在册享受：超龄，应退出',
           string_agg(DISTINCT e.child_category, '、' ORDER BY e.child_category), p.birth_date, any_value(q.reference_date), d.adult_age, p.age) AS detail,
    NULL::DOUBLE AS amount,
    list(e.record_id ORDER BY e.record_id) AS record_ids
FROM stg_ertong AS e
JOIN int_in_force_rows AS r ON r.record_id = e.record_id
JOIN fct_person_quarter AS p ON p.person_key = e.person_key
CROSS JOIN ref_definitions AS d
CROSS JOIN ref_quarter AS q
WHERE p.age >= d.adult_age
GROUP BY p.person_key, p.birth_date, p.age, d.adult_age
