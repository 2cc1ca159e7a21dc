-- S8-3 | sieve 8 | exit | 死亡后发放 | one row per person
-- policy: none
-- reads: fafang, siwang
-- Payments for months after the month of death (the month of death is still due): the sum to
-- recover.  amount = that sum.
SELECT
    d.person_key,
    format('死亡日期 {} 后仍发放 {} {} 个月（{}），共 {} 元，应追回', d.death_date,
           string_agg(DISTINCT f.item, '、' ORDER BY f.item), count(DISTINCT f.pay_month),
           string_agg(DISTINCT ym(f.pay_month), '、' ORDER BY ym(f.pay_month)), yuan(sum(f.amount))) AS detail,
    sum(f.amount) AS amount,
    list_concat(any_value(d.death_record_ids), list(f.record_id ORDER BY f.record_id)) AS record_ids
FROM fct_deaths AS d
JOIN stg_fafang AS f ON f.person_key = d.person_key
WHERE f.pay_month > date_trunc('month', d.death_date)
GROUP BY d.person_key, d.death_date
