-- S2-3 | sieve 2 | missed | 应救未救 | one row per person
-- policy: urgent_out_of_pocket
-- reads: fupin, yibao_jiesuan, linshi
-- 三类对象 person whose settlements dated in the quarter sum 个人负担 >= urgent_out_of_pocket, with
-- 医疗救助金额 0 on all of them and no 临时救助 dated in the quarter.
WITH quarter_settlements AS (
    SELECT j.person_key,
           count(*)                               AS n_settlements,
           sum(coalesce(j.out_of_pocket, 0))      AS burden,
           sum(coalesce(j.medical_aid, 0))        AS aid,
           list(j.record_id ORDER BY j.record_id) AS record_ids
    FROM stg_yibao_jiesuan AS j, ref_quarter AS q
    WHERE j.settlement_date BETWEEN q.quarter_start AND q.reference_date
    GROUP BY j.person_key
),
quarter_relief AS (
    SELECT DISTINCT l.person_key
    FROM stg_linshi AS l, ref_quarter AS q
    WHERE l.relief_date BETWEEN q.quarter_start AND q.reference_date
)
SELECT
    p.person_key,
    format('三类对象，本季度住院 {} 次，个人负担合计 {} 元（≥ {} 元），未获医疗救助，本季度无临时救助：应救未救',
           s.n_settlements, yuan(s.burden), yuan($urgent_out_of_pocket)) AS detail,
    s.burden AS amount,
    list_concat(s.record_ids, p.registry_record_ids) AS record_ids
FROM fct_person_quarter AS p
JOIN quarter_settlements AS s USING (person_key)
WHERE p.is_three_groups
  AND cents(s.burden) >= cents($urgent_out_of_pocket)
  AND cents(s.aid) = 0
  AND p.person_key NOT IN (SELECT person_key FROM quarter_relief WHERE person_key IS NOT NULL)
