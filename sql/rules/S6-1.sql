-- S6-1 | sieve 6 | review | 照料服务缺失 | one row per person
-- policy: none
-- reads: tekun
-- In-force 分散供养 特困 with no 照料人 (neither name nor ID) or 是否签订照料协议 not 是.
SELECT
    t.person_key,
    '分散供养特困人员，' || concat_ws('、',
        CASE WHEN t.carer_name IS NULL AND t.carer_id_number_raw IS NULL THEN '未确定照料人' END,
        CASE WHEN t.care_agreement IS DISTINCT FROM true THEN '未签订照料协议' END) || '：请落实照料服务' AS detail,
    NULL::DOUBLE AS amount,
    [t.record_id] AS record_ids
FROM stg_tekun AS t
JOIN int_in_force_rows AS r ON r.record_id = t.record_id
WHERE t.support_mode = '分散供养'
  AND ((t.carer_name IS NULL AND t.carer_id_number_raw IS NULL) OR t.care_agreement IS DISTINCT FROM true)
