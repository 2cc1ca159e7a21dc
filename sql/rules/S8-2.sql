-- S8-2 | sieve 8 | review | 发放金额不符 | one row per person
-- policy: none
-- reads: fafang, dibao, tekun, ertong, liangbu, laonian
-- A payment row of a month of the quarter whose amount differs (to the cent) from the roster amount
-- of its item (int_item_entitlements; 低保金: 户月保障金额 to the 户主).  Each payment row is compared
-- on its own: a second correct payment is S8-5, not S8-2.  amount = paid minus due, summed.
WITH compared AS (
    SELECT f.person_key, f.item, f.pay_month, f.amount AS paid, e.monthly_due, f.record_id, e.record_ids
    FROM stg_fafang AS f
    JOIN int_item_entitlements AS e ON e.person_key = f.person_key AND e.item = f.item
    JOIN ref_quarter_months AS m ON m.month_start = f.pay_month
    WHERE cents(f.amount) <> cents(e.monthly_due)
)
SELECT
    person_key,
    string_agg(format('{} {} 发放 {} 元，名册应为 {} 元', ym(pay_month), item, yuan(paid), yuan(monthly_due)), '；'
               ORDER BY pay_month, item, record_id) || '：金额不符' AS detail,
    sum(paid - monthly_due) AS amount,
    list_sort(list_distinct(list_concat(list(record_id), flatten(list(record_ids))))) AS record_ids
FROM compared
GROUP BY person_key
