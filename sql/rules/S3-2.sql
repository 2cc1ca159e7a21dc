-- S3-2 | sieve 3 | missed | 孤儿/事实无人抚养儿童 | one row per person
-- policy: none
-- reads: fupin, dibao, ertong, siwang, canlian, yibao_jiesuan
-- A child under 18 who is 之子/之女 of a registry (户编号) or 低保 (户主身份证号) household that
-- holds both a 户主 and a 配偶, each of whom is dead (siwang), 重残 or 重病; not in force in ertong.
-- The parents' words are written only for the households that qualify (1M households: 1.0 -> 0.45 s).
WITH members AS (
    SELECT 'fupin:' || household_number AS household, household_number AS shown, person_key, relation, record_id
    FROM stg_fupin WHERE household_number IS NOT NULL AND person_key IS NOT NULL
    UNION ALL
    SELECT coalesce(household_key, 'dibao:' || head_id_number),
           '户主身份证号 ' || replace(coalesce(household_key, 'dibao:' || head_id_number), 'dibao:', ''), person_key, relation, record_id
    FROM stg_dibao WHERE coalesce(household_key, head_id_number) IS NOT NULL AND person_key IS NOT NULL
),
heads AS (            -- the 户主 and 配偶 of every household, with what each is
    SELECT m.household, m.relation, m.record_id, f.name, f.is_dead, f.is_severe, f.is_major_ill, f.death_date,
           f.death_record_ids, f.severe_record_ids, f.illness_record_ids
    FROM members AS m
    JOIN fct_person_quarter AS f USING (person_key)
    WHERE m.relation IN ('户主', '配偶')
),
unable AS (           -- households with a 户主 and a 配偶, none of whom can raise a child
    SELECT household
    FROM heads
    GROUP BY household
    HAVING count(*) FILTER (WHERE relation = '户主') > 0
       AND count(*) FILTER (WHERE relation = '配偶') > 0
       AND bool_and(is_dead OR is_severe OR is_major_ill)
),
parents AS (          -- those households' parents in words, with their records
    SELECT
        household,
        string_agg(relation || ' ' || coalesce(name, '') || '：' || concat_ws('、',
                       CASE WHEN is_dead THEN format('{} 死亡', death_date) END,
                       CASE WHEN is_severe THEN '重残' END,
                       CASE WHEN is_major_ill THEN '重病' END), '；' ORDER BY relation) AS why,
        flatten(list(list_concat([record_id], death_record_ids, severe_record_ids, illness_record_ids))) AS record_ids
    FROM heads SEMI JOIN unable USING (household)
    GROUP BY household
)
SELECT
    c.person_key,
    format('{} 岁，为{}（{}）{}；父母均无抚养能力（{}），未纳入孤儿/事实无人抚养儿童保障：应纳未纳',
           c.age, CASE WHEN min(m.household) LIKE 'fupin:%' THEN '防返贫监测户' ELSE '低保户' END,
           min(m.shown), min(m.relation), min(pa.why)) AS detail,
    NULL::DOUBLE AS amount,
    list_sort(list_distinct(flatten(list(list_concat([m.record_id], pa.record_ids))))) AS record_ids
FROM members AS m
JOIN parents AS pa USING (household)
JOIN fct_person_quarter AS c ON c.person_key = m.person_key
CROSS JOIN ref_definitions AS d
WHERE m.relation IN ('之子', '之女')
  AND c.age < d.adult_age
  AND NOT c.in_ertong
GROUP BY c.person_key, c.age
