-- Y-1 | sieve 2 | missed | 医保应参未参 | one row per person
-- policy: none
-- reads: yibao_canbao, dibao, tekun, ertong, fupin
-- A person in force in 低保, 特困 or ertong, or 三类对象, with no 参保 record in force (参保状态
-- 参保) for the reference year.
SELECT
    p.person_key,
    format('{}，{} 年度无城乡居民医保参保记录：应参未参',
           concat_ws('、', CASE WHEN p.in_dibao THEN '低保对象' END, CASE WHEN p.in_tekun THEN '特困人员' END,
                     CASE WHEN p.in_ertong THEN '孤儿/事实无人抚养儿童' END, CASE WHEN p.is_three_groups THEN '三类对象' END),
           q.reference_year) AS detail,
    NULL::DOUBLE AS amount,
    list_concat(p.dibao_record_ids, p.tekun_record_ids, p.ertong_record_ids, p.registry_record_ids) AS record_ids
FROM fct_person_quarter AS p
CROSS JOIN ref_quarter AS q
WHERE (p.in_dibao OR p.in_tekun OR p.in_ertong OR p.is_three_groups)
  AND NOT p.is_insured
