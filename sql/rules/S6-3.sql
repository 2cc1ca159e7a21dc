-- S6-3 | sieve 6 | review | 村级探访不足 | one row per person
-- policy: village_visit_missing_weeks_allowed
-- reads: tekun, tekun_visit
-- In-force 分散供养 特困 with more than village_visit_missing_weeks_allowed weeks of the quarter
-- without a 村-level visit (每周至少一次).  Weeks: ref_quarter_weeks; a week counts from the
-- person's 最初享受月份 on (a week ending before it is not due).
WITH supported AS (
    SELECT t.person_key, t.record_id, t.start_month
    FROM stg_tekun AS t JOIN int_in_force_rows AS r ON r.record_id = t.record_id
    WHERE t.support_mode = '分散供养'
),
due_weeks AS (
    SELECT s.person_key, w.week_no, w.week_start, w.week_end, min(s.record_id) AS record_id
    FROM supported AS s, ref_quarter_weeks AS w
    WHERE s.start_month IS NULL OR w.week_end >= s.start_month
    GROUP BY ALL
),
missed_weeks AS (
    SELECT d.*
    FROM due_weeks AS d
    WHERE NOT EXISTS (SELECT 1 FROM stg_tekun_visit AS v
                      WHERE v.person_key = d.person_key AND v.visit_level = '村'
                        AND v.visit_date BETWEEN d.week_start AND d.week_end)
),
visits AS (   -- the village visits of the quarter, as evidence
    SELECT v.person_key, list(v.record_id ORDER BY v.record_id) AS record_ids
    FROM stg_tekun_visit AS v, ref_quarter AS q
    WHERE v.visit_level = '村' AND v.visit_date BETWEEN q.quarter_start AND q.reference_date
    GROUP BY v.person_key
)
SELECT
    m.person_key,
    format('分散供养特困人员，本季度有 {} 周无村级探访记录（第 {} 周；允许 {} 周）', count(*),
           string_agg(m.week_no::VARCHAR, '、' ORDER BY m.week_no), $village_visit_missing_weeks_allowed) AS detail,
    NULL::DOUBLE AS amount,
    list_concat(list_distinct(list(m.record_id)), ids(any_value(v.record_ids))) AS record_ids
FROM missed_weeks AS m
LEFT JOIN visits AS v USING (person_key)
GROUP BY m.person_key
HAVING count(*) > $village_visit_missing_weeks_allowed
