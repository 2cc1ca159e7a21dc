-- S1-2 | sieve 1 | missed | 低收入重残单人户施保 | one row per person
-- policy: none
-- reads: fupin, dibao, tekun, canlian
-- (低收入 and its line come from the shared fact int_low_income_households)
-- Registry person of a 低收入 household (人均纯收入 below low_income_multiple x 12 x standard),
-- not 三类对象, 重残, not in 低保 or 特困: a 单人户施保 candidate.
SELECT
    p.person_key,
    format('所在户（户编号 {}）人均纯收入 {} 元，低于低收入标准 {} 元；本人持一、二级残疾人证（重残），非三类对象，未纳入低保、特困：可按单人户施保纳入低保',
           h.household_number, yuan(h.income_per_capita),
           yuan(l.low_income_line)) AS detail,
    NULL::DOUBLE AS amount,
    list_concat(h.record_ids, p.severe_record_ids) AS record_ids
FROM fct_person_quarter AS p
JOIN int_registry_households AS h ON h.household_number = p.registry_household
JOIN int_low_income_households AS l ON l.household_number = h.household_number
WHERE l.is_low_income
  AND NOT p.is_three_groups
  AND p.is_severe
  AND NOT p.in_dibao
  AND NOT p.in_tekun
