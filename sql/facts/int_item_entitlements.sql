-- one row per (person_key, item) a roster makes due each month: key (person_key, item)
-- rules.md, Readings, S8 items and their rosters (in-force rows only):
--   低保金 -> the 户主 of an in-force 低保 household, 户月保障金额;  特困供养金 -> 基本生活标准;
--   孤儿基本生活费 / 事实无人抚养儿童生活补贴 -> ertong 月保障金额 (by 儿童类别);
--   残疾人生活补贴 -> liangbu 生活补贴;  重度残疾人护理补贴 -> liangbu 护理补贴;
--   老年人补贴 -> the sum of the person's in-force laonian rows.
-- Several in-force rows of one item add up.  start_month null = due every month of the quarter.
WITH due AS (
    SELECT head_person_key AS person_key, '低保金' AS item, household_monthly_amount AS monthly_due,
           start_month, record_ids
    FROM int_dibao_households
    UNION ALL
    SELECT t.person_key, '特困供养金', t.basic_standard, t.start_month, [t.record_id]
    FROM stg_tekun AS t JOIN int_in_force_rows USING (record_id)
    UNION ALL
    SELECT e.person_key,
           CASE WHEN e.child_category = '事实无人抚养儿童' THEN '事实无人抚养儿童生活补贴' ELSE '孤儿基本生活费' END,
           e.monthly_amount, e.start_month, [e.record_id]
    FROM stg_ertong AS e JOIN int_in_force_rows USING (record_id)
    UNION ALL
    SELECT l.person_key, '残疾人生活补贴', l.living_subsidy, NULL, [l.record_id]
    FROM stg_liangbu AS l JOIN int_in_force_rows USING (record_id)
    WHERE l.living_subsidy > 0
    UNION ALL
    SELECT l.person_key, '重度残疾人护理补贴', l.care_subsidy, NULL, [l.record_id]
    FROM stg_liangbu AS l JOIN int_in_force_rows USING (record_id)
    WHERE l.care_subsidy > 0
    UNION ALL
    SELECT a.person_key, '老年人补贴', a.monthly_amount, NULL, [a.record_id]
    FROM stg_laonian AS a JOIN int_in_force_rows USING (record_id)
)
SELECT
    person_key,
    item,
    sum(monthly_due)                        AS monthly_due,
    min(start_month)                        AS start_month,
    list_sort(flatten(list(record_ids)))    AS record_ids
FROM due
WHERE person_key IS NOT NULL
GROUP BY person_key, item
