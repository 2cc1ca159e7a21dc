-- S5-1 | sieve 5 | missed | 经济困难老年人补贴应补未补 | one row per person
-- policy: elderly_min_age
-- reads: laonian, dibao, tekun, fupin
-- Aged elderly_min_age or more, in 低保, 特困 or 三类对象, with no in-force 经济困难老年人补贴.
WITH subsidised AS (
    SELECT DISTINCT a.person_key
    FROM stg_laonian AS a JOIN int_in_force_rows AS r ON r.record_id = a.record_id
    WHERE a.subsidy_type = '经济困难老年人补贴'
)
SELECT
    p.person_key,
    format('{} 岁（≥ {} 岁），{}，未享受经济困难老年人补贴：应补未补', p.age, $elderly_min_age,
           concat_ws('、', CASE WHEN p.in_dibao THEN '低保对象' END, CASE WHEN p.in_tekun THEN '特困人员' END,
                     CASE WHEN p.is_three_groups THEN '三类对象' END)) AS detail,
    NULL::DOUBLE AS amount,
    list_concat(p.dibao_record_ids, p.tekun_record_ids, p.registry_record_ids) AS record_ids
FROM fct_person_quarter AS p
WHERE p.age >= $elderly_min_age
  AND (p.in_dibao OR p.in_tekun OR p.is_three_groups)
  AND p.person_key NOT IN (SELECT person_key FROM subsidised)
