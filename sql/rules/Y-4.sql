-- Y-4 | sieve 2 | missed | 支出型困难 | one row per registry household (its 户主)
-- policy: dibao_monthly_standard, expense_relief_multiple
-- reads: fupin, dibao, yibao_jiesuan
-- A registry household with no member in 低保 and some 个人负担 in the 12 months before the
-- reference date, whose 人均纯收入 minus the per-person burden (the household's sum / its registry
-- members) is below 12 x standard (支出型 应保未保), or below expense_relief_multiple x that
-- (支出型 救助 candidate).  Both tiers carry this code.
WITH burden AS (
    SELECT f.household_number,
           sum(j.out_of_pocket)                     AS burden,
           list(j.record_id ORDER BY j.record_id)   AS record_ids
    FROM stg_fupin AS f
    JOIN stg_yibao_jiesuan AS j ON j.person_key = f.person_key
    CROSS JOIN ref_quarter AS q
    WHERE j.settlement_date > q.lookback_after AND j.settlement_date <= q.reference_date
    GROUP BY f.household_number
),
net AS (
    SELECT h.*, b.burden, b.record_ids AS burden_ids,
           h.income_per_capita - b.burden / h.member_count AS net_income,
           d.months_per_year * $dibao_monthly_standard      AS yearly_standard,
           d.lookback_months
    FROM int_registry_households AS h
    JOIN burden AS b USING (household_number)
    CROSS JOIN ref_definitions AS d
    WHERE h.members_in_dibao = 0 AND b.burden > 0
)
SELECT
    head_person_key AS person_key,
    format('户编号 {}：人均纯收入 {} 元，近 {} 个月个人负担医疗费 {} 元（{} 人，人均 {} 元），扣除后 {} 元，{}',
           household_number, yuan(income_per_capita), lookback_months, yuan(burden), member_count, yuan(burden / member_count),
           yuan(net_income),
           CASE WHEN cents(net_income) < cents(yearly_standard)
                THEN format('低于低保标准 {} 元：支出型应保未保', yuan(yearly_standard))
                ELSE format('低于 {} 倍低保标准 {} 元：支出型救助对象', $expense_relief_multiple,
                            yuan($expense_relief_multiple * yearly_standard)) END) AS detail,
    NULL::DOUBLE AS amount,
    list_sort(list_distinct(list_concat(record_ids, burden_ids))) AS record_ids
FROM net
WHERE cents(net_income) < cents($expense_relief_multiple * yearly_standard)
