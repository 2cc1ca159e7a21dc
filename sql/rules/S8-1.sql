-- S8-1 | sieve 8 | review | 应发未发 | one row per person
-- policy: none
-- reads: fafang, dibao, tekun, ertong, liangbu, laonian
-- An item in force for a month of the quarter (from the month of 最初享受月份, until the month of
-- death: that month is still due) with no payment of that item in that month, or only payments
-- reversed by corrections (冲正: the month's net sum is not above 0).
-- amount = the roster amounts of the unpaid months.
WITH due AS (
    SELECT e.person_key, e.item, e.monthly_due, e.record_ids, m.month_start
    FROM int_item_entitlements AS e
    CROSS JOIN ref_quarter_months AS m
    LEFT JOIN fct_deaths AS d USING (person_key)
    WHERE (e.start_month IS NULL OR m.month_start >= date_trunc('month', e.start_month))
      AND (d.death_date IS NULL OR m.month_start <= date_trunc('month', d.death_date))
),
unpaid AS (
    SELECT u.*
    FROM due AS u
    LEFT JOIN int_payments_by_month AS pm
           ON pm.person_key = u.person_key AND pm.item = u.item AND pm.pay_month = u.month_start
    WHERE pm.person_key IS NULL OR cents(pm.paid) <= 0
),
per_item AS (
    SELECT person_key, item,
           format('{} {} 未发放（应发 {} 元/月）', item, string_agg(ym(month_start), '、' ORDER BY month_start),
                  yuan(any_value(monthly_due))) AS what,
           sum(monthly_due) AS amount,
           any_value(record_ids) AS record_ids
    FROM unpaid
    GROUP BY person_key, item
)
SELECT
    person_key,
    string_agg(what, '；' ORDER BY item) || '：应发未发，请核查' AS detail,
    sum(amount) AS amount,
    list_sort(flatten(list(record_ids))) AS record_ids
FROM per_item
GROUP BY person_key
