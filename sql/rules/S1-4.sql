-- S1-4 | sieve 1 | review | 单人户施保不精准 | one row per person
-- policy: none
-- reads: dibao, canlian, yibao_jiesuan, fupin
-- In-force 低保 row with 是否单人户施保 = 是 whose person is neither 重残 nor 重病.
SELECT
    p.person_key,
    '低保按单人户施保，但本人既无一、二级残疾人证，也无重特大疾病记录：单人户施保不精准，请核查' AS detail,
    NULL::DOUBLE AS amount,
    list(d.record_id ORDER BY d.record_id) AS record_ids
FROM stg_dibao AS d
JOIN int_in_force_rows AS r ON r.record_id = d.record_id
JOIN fct_person_quarter AS p ON p.person_key = d.person_key
WHERE d.single_person_coverage
  AND NOT p.is_severe
  AND NOT p.is_major_ill
GROUP BY p.person_key
