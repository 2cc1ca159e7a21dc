-- S1-1 | sieve 1 | missed | 重残重病单人户施保 | one row per person
-- policy: none
-- reads: fupin, dibao, tekun, canlian, yibao_jiesuan
-- 三类对象 person who is 重残 or 重病, in no in-force 低保 household and not 特困: a 单人户施保
-- candidate (应保尽保).
SELECT
    p.person_key,
    '三类对象，' || concat_ws('、',
        CASE WHEN p.is_severe THEN '持一、二级残疾人证（重残）' END,
        CASE WHEN p.is_major_ill THEN '患重特大疾病（重病）' END)
      || '，未纳入低保、特困：可按单人户施保纳入低保' AS detail,
    NULL::DOUBLE AS amount,
    list_concat(p.registry_record_ids, p.severe_record_ids, p.illness_record_ids) AS record_ids
FROM fct_person_quarter AS p
WHERE p.is_three_groups
  AND (p.is_severe OR p.is_major_ill)
  AND NOT p.in_dibao
  AND NOT p.in_tekun
