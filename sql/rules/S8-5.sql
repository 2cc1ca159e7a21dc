-- S8-5 | sieve 8 | review | 重复发放 | one row per person
-- policy: none
-- reads: fafang
-- The same person, item and month paid more than once.  amount = what was paid beyond one payment
-- (the largest).  A payment reversed by a correction (冲正, a negative row of the month) is not
-- counted: the month is duplicated only when its net sum exceeds its largest payment
-- (int_payments_by_month.duplicated).
SELECT
    person_key,
    string_agg(format('{} {} 发放 {} 次（{} 元）', ym(pay_month), item, n_payments,
                      array_to_string(list_transform(amounts, lambda a: yuan(a)), ' + ')), '；'
               ORDER BY pay_month, item) || '：重复发放' AS detail,
    sum(paid - largest_payment) AS amount,
    list_sort(flatten(list(record_ids))) AS record_ids
FROM int_payments_by_month
WHERE duplicated
GROUP BY person_key
