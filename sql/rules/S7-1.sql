-- S7-1 | sieve 7 | exit | 死亡未退 | one row per person
-- policy: none
-- reads: siwang
-- Dead on or before the reference date and in force in any roster (dibao, tekun, ertong, liangbu,
-- laonian).
SELECT
    p.person_key,
    format('{} 已死亡，仍在{}名册中享受：死亡未退，应停发并注销', p.death_date,
           array_to_string(list_sort(list_transform(p.in_force_rosters, lambda r:
               CASE r WHEN 'dibao' THEN '低保' WHEN 'tekun' THEN '特困' WHEN 'ertong' THEN '孤儿/事实无人抚养儿童'
                      WHEN 'liangbu' THEN '残疾人两项补贴' WHEN 'laonian' THEN '老年人补贴' END)), '、')) AS detail,
    NULL::DOUBLE AS amount,
    list_concat(p.death_record_ids, p.in_force_record_ids) AS record_ids
FROM fct_person_quarter AS p
WHERE p.is_dead
  AND len(p.in_force_rosters) > 0
