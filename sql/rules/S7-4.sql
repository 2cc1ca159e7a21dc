-- S7-4 | sieve 7 | exit | 重复享受 | one row per person
-- policy: none
-- reads: dibao, tekun
-- A person in force in two or more 低保 households, or in force in both 低保 and 特困.
WITH dibao_households AS (
    SELECT d.person_key, count(DISTINCT coalesce(d.household_key, d.head_id_number)) AS n_households,
           string_agg(DISTINCT d.head_id_number, '、' ORDER BY d.head_id_number) AS heads
    FROM stg_dibao AS d JOIN int_in_force_rows AS r ON r.record_id = d.record_id
    GROUP BY d.person_key
)
SELECT
    p.person_key,
    concat_ws('；',
        CASE WHEN h.n_households > 1 THEN format('同时在 {} 个低保户中在保（户主身份证号 {}）', h.n_households, h.heads) END,
        CASE WHEN p.in_dibao AND p.in_tekun THEN '同时享受低保和特困供养' END) || '：重复享受，应退出其一' AS detail,
    NULL::DOUBLE AS amount,
    list_concat(p.dibao_record_ids, p.tekun_record_ids) AS record_ids
FROM fct_person_quarter AS p
LEFT JOIN dibao_households AS h USING (person_key)
WHERE h.n_households > 1 OR (p.in_dibao AND p.in_tekun)
