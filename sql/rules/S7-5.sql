-- S7-5 | sieve 7 | review | 信息不一致 | one row per person
-- policy: none
-- reads: fupin, dibao, tekun
-- The registry says 享受低保 / 特困 and the person is not in force there, or says not and the person
-- is.  A blank registry cell says nothing.
WITH said AS (
    SELECT f.person_key,
           bool_or(f.receives_dibao = '是') AS says_dibao, bool_or(f.receives_dibao = '否') AS says_no_dibao,
           bool_or(f.receives_tekun = '是') AS says_tekun, bool_or(f.receives_tekun = '否') AS says_no_tekun,
           list(f.record_id ORDER BY f.record_id) AS record_ids
    FROM stg_fupin AS f
    GROUP BY f.person_key
),
findings AS (
    SELECT p.person_key,
           concat_ws('；',
               CASE WHEN s.says_dibao AND NOT p.in_dibao THEN '防返贫监测系统登记享受低保，低保名册中无在保记录' END,
               CASE WHEN s.says_no_dibao AND p.in_dibao THEN '防返贫监测系统登记未享受低保，低保名册中在保' END,
               CASE WHEN s.says_tekun AND NOT p.in_tekun THEN '防返贫监测系统登记为特困供养人员，特困名册中无在保记录' END,
               CASE WHEN s.says_no_tekun AND p.in_tekun THEN '防返贫监测系统登记非特困供养人员，特困名册中在保' END) AS what,
           list_concat(s.record_ids, p.dibao_record_ids, p.tekun_record_ids) AS record_ids
    FROM said AS s JOIN fct_person_quarter AS p USING (person_key)
)
SELECT person_key, what || '：信息不一致，请核实并更新' AS detail, NULL::DOUBLE AS amount, record_ids
FROM findings
WHERE what <> ''
