-- S8-2 | sieve 8 | review | 发放金额不符 | one row per person
-- policy: none
-- reads: fafang, dibao, tekun, ertong, liangbu, laonian
-- A payment row of a month of the quarter whose amount differs (to the cent) from the roster amount
-- of its item (int_item_entitlements; 低保金: 户月保障金额 to the 户主).  Each payment row is compared
-- on its own: a second correct payment is S8-5, not S8-2.  A month holding a correction (冲正, a
-- negative row) is compared by its net sum, when something is left paid and it is no duplicate.
-- amount = paid minus due, summed.
WITH months AS (
    SELECT pm.*
    FROM int_payments_by_month AS pm
    JOIN ref_quarter_months AS m ON m.month_start = pm.pay_month
),
payments AS (
    -- a month without corrections: each payment row on its own
    SELECT f.person_key, f.item, f.pay_month, f.amount AS paid, [f.record_id] AS paid_ids
    FROM stg_fafang AS f
    JOIN months AS pm ON pm.person_key = f.person_key AND pm.item = f.item AND pm.pay_month = f.pay_month
    WHERE pm.n_corrections = 0
    UNION ALL
    -- a corrected month: what is left paid
    SELECT person_key, item, pay_month, paid, record_ids
    FROM months
    WHERE n_corrections > 0 AND cents(paid) > 0 AND NOT duplicated
),
compared AS (
    SELECT p.person_key, p.item, p.pay_month, p.paid, e.monthly_due, p.paid_ids, e.record_ids
    FROM payments AS p
    JOIN int_item_entitlements AS e ON e.person_key = p.person_key AND e.item = p.item
    WHERE cents(p.paid) <> cents(e.monthly_due)
)
SELECT
    person_key,
    string_agg(format('{} {} 发放 {} 元，名册应为 {} 元', ym(pay_month), item, yuan(paid), yuan(monthly_due)), '；'
               ORDER BY pay_month, item, paid_ids[1]) || '：金额不符' AS detail,
    sum(paid - monthly_due) AS amount,
    list_sort(list_distinct(list_concat(flatten(list(paid_ids)), flatten(list(record_ids))))) AS record_ids
FROM compared
GROUP BY person_key
