-- S2-2 | sieve 2 | missed | 应养未养 | one row per person
-- policy: tekun_min_age
-- reads: fupin, tekun, canlian
-- 三类对象 person without capacity to work (registry 劳动技能), aged tekun_min_age or more, or
-- under 16, or 重残, whose registry household has no other living member with capacity to work,
-- and not in force in 特困 (being in 低保 does not exclude).
WITH able_members AS (   -- living registry members with capacity to work, per household
    SELECT f.household_number, f.person_key
    FROM stg_fupin AS f
    JOIN fct_person_quarter AS m USING (person_key)
    WHERE f.labour_skill IN ('普通劳动力', '技能劳动力', '弱劳动力或半劳动力')
      AND NOT m.is_dead
)
SELECT
    p.person_key,
    format('三类对象，本人{}（{}），{}，户内无其他有劳动能力的成员，未纳入特困供养：应养未养',
           coalesce(min(f.labour_skill), '无劳动能力'),
           concat_ws('、',
               CASE WHEN p.age >= $tekun_min_age THEN format('{} 岁', p.age) END,
               CASE WHEN p.age < d.child_work_age THEN format('{} 岁，未满 {} 岁', p.age, d.child_work_age) END,
               CASE WHEN p.is_severe THEN '重残' END),
           '户编号 ' || string_agg(DISTINCT f.household_number, '、' ORDER BY f.household_number)) AS detail,
    NULL::DOUBLE AS amount,
    list_concat(list(f.record_id ORDER BY f.record_id), any_value(p.severe_record_ids)) AS record_ids
FROM fct_person_quarter AS p
JOIN stg_fupin AS f ON f.person_key = p.person_key
CROSS JOIN ref_definitions AS d
WHERE p.is_three_groups
  AND NOT p.has_labour
  AND (p.age >= $tekun_min_age OR p.age < d.child_work_age OR p.is_severe)
  AND NOT p.in_tekun
  AND NOT EXISTS (
      SELECT 1 FROM stg_fupin AS mine
      JOIN able_members AS o ON o.household_number = mine.household_number AND o.person_key <> mine.person_key
      WHERE mine.person_key = p.person_key)
GROUP BY p.person_key, p.age, p.is_severe, d.child_work_age
