-- S1-3 | sieve 1 | review | 整户施保核查 | one row per person
-- policy: none
-- reads: fupin, dibao, canlian, yibao_jiesuan
-- (低收入 and its line come from the shared fact int_low_income_households)
-- Registry person of a 低收入 household, not 三类对象, 重病 but not 重残, whose household has no
-- member in 低保: a 重病 person of a low-income household may not be covered alone - check the
-- whole household (整户施保核查).
SELECT
    p.person_key,
    format('所在户（户编号 {}）人均纯收入 {} 元，低于低收入标准 {} 元；本人患重特大疾病（重病）但非重残，全户无人享受低保：核查是否整户纳入低保',
           h.household_number, yuan(h.income_per_capita),
           yuan(l.low_income_line)) AS detail,
    NULL::DOUBLE AS amount,
    list_concat(h.record_ids, p.illness_record_ids) AS record_ids
FROM fct_person_quarter AS p
JOIN int_registry_households AS h ON h.household_number = p.registry_household
JOIN int_low_income_households AS l ON l.household_number = h.household_number
WHERE l.is_low_income
  AND NOT p.is_three_groups
  AND p.is_major_ill
  AND NOT p.is_severe
  AND h.members_in_dibao = 0
