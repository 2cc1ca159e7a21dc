-- S8-3 | sieve 8 | exit | 死亡后发放 | one row per person
-- policy: none
-- reads: fafang, siwang
-- Payments for months after the month of death (the month of death is still due): the sum to
-- recover.  A month whose payments were reversed by corrections (冲正: net sum not above 0) has
-- nothing to recover.  amount = that sum.
SELECT
    d.person_key,
    format('死亡日期 {} 后仍发放 {} {} 个月（{}），共 {} 元，应追回', d.death_date,
           string_agg(DISTINCT pm.item, '、' ORDER BY pm.item), count(DISTINCT pm.pay_month),
           string_agg(DISTINCT ym(pm.pay_month), '、' ORDER BY ym(pm.pay_month)), yuan(sum(pm.paid))) AS detail,
    sum(pm.paid) AS amount,
    list_concat(any_value(d.death_record_ids), list_sort(flatten(list(pm.record_ids)))) AS record_ids
FROM fct_deaths AS d
JOIN int_payments_by_month AS pm ON pm.person_key = d.person_key
WHERE pm.pay_month > date_trunc('month', d.death_date) AND cents(pm.paid) > 0
GROUP BY d.person_key, d.death_date
