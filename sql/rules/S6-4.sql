-- S6-4 | sieve 6 | review | 全失能集中供养评估 | one row per person
-- policy: none
-- reads: tekun
-- In-force 分散供养 特困 who is 全失能 (生活自理能力): review for 集中供养.
SELECT
    t.person_key,
    '分散供养特困人员，生活自理能力为全失能：请评估是否转为集中供养' AS detail,
    NULL::DOUBLE AS amount,
    list(t.record_id ORDER BY t.record_id) AS record_ids
FROM stg_tekun AS t
JOIN int_in_force_rows AS r ON r.record_id = t.record_id
WHERE t.support_mode = '分散供养' AND t.self_care = '全失能'
GROUP BY t.person_key
