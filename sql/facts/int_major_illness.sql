-- one row per person 重病 at the reference date: key person_key
-- policy: major_illness_keywords
-- (read as the table policy_major_illness_keywords)
-- A settlement within (reference date - 12 months, reference date] that is 重特大疾病: the flag
-- decides when filled; only a blank flag falls back to 诊断名称 containing a policy keyword.
-- Or the registry says 健康状况 患有大病.
WITH major_settlements AS (
    SELECT j.person_key, j.record_id
    FROM stg_yibao_jiesuan AS j, ref_quarter AS q
    WHERE j.settlement_date > q.lookback_after
      AND j.settlement_date <= q.reference_date
      AND CASE WHEN j.major_illness IS NOT NULL THEN j.major_illness
               ELSE EXISTS (SELECT 1 FROM policy_major_illness_keywords AS k
                            WHERE contains(j.diagnosis, k.keyword))
          END
),
registry_illness AS (
    SELECT person_key, record_id FROM stg_fupin WHERE health = '患有大病'
)
SELECT person_key, list(record_id ORDER BY record_id) AS illness_record_ids
FROM (SELECT * FROM major_settlements UNION ALL SELECT * FROM registry_illness)
WHERE person_key IS NOT NULL
GROUP BY person_key
