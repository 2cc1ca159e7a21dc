-- one row per (person_key, item, pay_month) of the 资金发放 ledger: key (person_key, item, pay_month)
-- A negative row is a correction (冲正) of that month's payment: it nets the month.  ``paid`` is the
-- net sum (600 and -600 = nothing paid); ``n_payments`` counts the payment rows (amount > 0),
-- ``n_corrections`` the negative rows; ``largest_payment`` is the largest payment row's amount.
-- ``duplicated``: more than one payment and more left paid than the largest one (a payment that was
-- reversed is no duplicate).  Amounts, not the order of the ledger's rows, decide: the same ledger
-- sorted otherwise gives the same months.
SELECT
    person_key,
    item,
    pay_month,
    sum(amount)                                             AS paid,
    count(*) FILTER (WHERE amount > 0)                      AS n_payments,
    count(*) FILTER (WHERE amount < 0)                      AS n_corrections,
    max(amount) FILTER (WHERE amount > 0)                   AS largest_payment,
    count(*) FILTER (WHERE amount > 0) > 1
        AND cents(sum(amount)) > cents(max(amount) FILTER (WHERE amount > 0)) AS duplicated,
    list(amount ORDER BY amount DESC)                       AS amounts,
    list(record_id ORDER BY record_id)                      AS record_ids
FROM stg_fafang
WHERE person_key IS NOT NULL AND item IS NOT NULL AND pay_month IS NOT NULL
GROUP BY person_key, item, pay_month
