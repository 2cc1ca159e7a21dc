-- Y-3 | sieve 2 | review | 医疗救助不足 | one row per person
-- policy: aid_ratio_key, aid_ratio_low_income
-- reads: yibao_jiesuan, dibao, tekun, ertong, fupin
-- A settlement dated in the quarter of a 救助对象 whose 医疗救助金额 is below ratio x (医疗费总额 -
-- 基本医疗基金支出 - 大病保险支出) - 1 元; ratio aid_ratio_key for 特困 / 低保 / ertong,
-- aid_ratio_low_income for 三类对象 (the larger when both apply).  amount = the shortfall.
WITH aid_due AS (
    SELECT j.person_key, j.record_id, j.settlement_date, coalesce(j.medical_aid, 0) AS aid,
           greatest(CASE WHEN p.in_tekun OR p.in_dibao OR p.in_ertong THEN $aid_ratio_key END,
                    CASE WHEN p.is_three_groups THEN $aid_ratio_low_income END)
             * (j.total_cost - j.basic_fund - coalesce(j.critical_illness_fund, 0)) AS due
    FROM stg_yibao_jiesuan AS j
    JOIN fct_person_quarter AS p USING (person_key)
    CROSS JOIN ref_quarter AS q
    WHERE j.settlement_date BETWEEN q.quarter_start AND q.reference_date
      AND (p.in_tekun OR p.in_dibao OR p.in_ertong OR p.is_three_groups)
)
SELECT
    a.person_key,
    string_agg(format('{} 住院医疗救助 {} 元，应不少于 {} 元', a.settlement_date, yuan(a.aid), yuan(a.due)), '；'
               ORDER BY a.settlement_date, a.record_id) || '：医疗救助不足' AS detail,
    sum(a.due - a.aid) AS amount,
    list(a.record_id ORDER BY a.record_id) AS record_ids
FROM aid_due AS a
CROSS JOIN ref_definitions AS d
WHERE cents(a.aid) < cents(a.due - d.aid_tolerance_yuan)
GROUP BY a.person_key
