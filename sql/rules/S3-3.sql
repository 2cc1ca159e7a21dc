-- S3-3 | sieve 3 | review | 保障金额低于标准 | one row per person
-- policy: orphan_standard
-- reads: ertong
-- (read as the table policy_orphan_standard)
-- In-force ertong child whose 月保障金额 is below the standard for its 儿童类别.
SELECT
    e.person_key,
    format('{} 月保障金额 {} 元，低于标准 {} 元/月，每月少 {} 元',
           e.child_category, yuan(e.monthly_amount), yuan(s.amount), yuan(s.amount - e.monthly_amount)) AS detail,
    s.amount - e.monthly_amount AS amount,
    [e.record_id] AS record_ids
FROM stg_ertong AS e
JOIN int_in_force_rows AS r ON r.record_id = e.record_id
JOIN policy_orphan_standard AS s ON s.child_category = e.child_category
WHERE cents(e.monthly_amount) < cents(s.amount)
