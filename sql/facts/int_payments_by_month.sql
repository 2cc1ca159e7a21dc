-- one row per (person_key, item, pay_month) of the 资金发放 ledger: key (person_key, item, pay_month)
SELECT
    person_key,
    item,
    pay_month,
    sum(amount)                           AS paid,
    count(*)                              AS n_payments,
    list(amount ORDER BY record_id)       AS amounts,
    list(record_id ORDER BY record_id)    AS record_ids
FROM stg_fafang
WHERE person_key IS NOT NULL AND item IS NOT NULL AND pay_month IS NOT NULL
GROUP BY person_key, item, pay_month
