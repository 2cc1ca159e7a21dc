-- S2-1 | sieve 2 | missed | 应保未保 | one row per registry household (its 户主)
-- policy: dibao_monthly_standard
-- reads: fupin, dibao, tekun
-- 三类对象 household whose 人均纯收入 is below 12 x the 低保 standard and no member of which is in
-- 低保 or 特困.  One case per household, on its registry 户主.
SELECT
    h.head_person_key AS person_key,
    format('{}（户编号 {}，{} 人）人均纯收入 {} 元，低于低保标准 {} 元/年（{} 元/月 × {}），全户无人享受低保、特困：应保未保',
           h.three_groups_type, h.household_number, h.member_count, yuan(h.income_per_capita),
           yuan(d.months_per_year * $dibao_monthly_standard), yuan($dibao_monthly_standard), d.months_per_year) AS detail,
    NULL::DOUBLE AS amount,
    h.record_ids
FROM int_registry_households AS h
CROSS JOIN ref_definitions AS d
WHERE h.is_three_groups
  AND cents(h.income_per_capita) < cents(d.months_per_year * $dibao_monthly_standard)
  AND h.members_in_dibao = 0
  AND h.members_in_tekun = 0
