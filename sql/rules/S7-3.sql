-- S7-3 | sieve 7 | exit | 渐退期满 | one row per 渐退 row (per person)
-- policy: gradual_exit_months
-- reads: dibao
-- A 渐退 row whose 渐退起始月份 + gradual_exit_months is on or before the reference month
-- (2025-09 + 12 months = 2026-09: due in 2026Q3).
SELECT
    d.person_key,
    format('渐退起始月份 {}，渐退期 {} 个月，{} 期满：应停发退出', ym(min(d.gradual_exit_start_month)), $gradual_exit_months,
           ym(min(d.gradual_exit_start_month) + to_months($gradual_exit_months))) AS detail,
    NULL::DOUBLE AS amount,
    list(d.record_id ORDER BY d.record_id) AS record_ids
FROM stg_dibao AS d
JOIN int_in_force_rows AS r ON r.record_id = d.record_id
CROSS JOIN ref_quarter AS q
WHERE r.status = '渐退'
  AND d.gradual_exit_start_month + to_months($gradual_exit_months) <= q.reference_month
GROUP BY d.person_key
