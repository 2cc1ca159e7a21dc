-- S6-2 | sieve 6 | review | 乡镇探访不足 | one row per person
-- policy: none
-- reads: tekun, tekun_visit
-- In-force 分散供养 特困 with a month of the quarter (from the month of 最初享受月份 on) without a
-- 乡镇-level visit (每月至少一次).
WITH supported AS (
    SELECT t.person_key, t.record_id, t.start_month
    FROM stg_tekun AS t JOIN int_in_force_rows AS r ON r.record_id = t.record_id
    WHERE t.support_mode = '分散供养'
),
due_months AS (
    SELECT s.person_key, m.month_start, min(s.record_id) AS record_id
    FROM supported AS s, ref_quarter_months AS m
    WHERE s.start_month IS NULL OR m.month_start >= date_trunc('month', s.start_month)
    GROUP BY s.person_key, m.month_start
),
township_visits AS (
    SELECT person_key, date_trunc('month', visit_date)::DATE AS month_start
    FROM stg_tekun_visit WHERE visit_level = '乡镇'
)
SELECT
    d.person_key,
    format('分散供养特困人员，{} 无乡镇探访记录（每月至少一次）', string_agg(ym(d.month_start), '、' ORDER BY d.month_start)) AS detail,
    NULL::DOUBLE AS amount,
    list_distinct(list(d.record_id)) AS record_ids
FROM due_months AS d
WHERE NOT EXISTS (SELECT 1 FROM township_visits AS v
                  WHERE v.person_key = d.person_key AND v.month_start = d.month_start)
GROUP BY d.person_key
