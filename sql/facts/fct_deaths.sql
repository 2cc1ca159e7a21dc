-- one row per dead person: key person_key
-- Dead = a siwang row with 死亡日期 on or before the reference date (a later date is ignored).
SELECT
    s.person_key,
    min(s.death_date)                          AS death_date,
    list(s.record_id ORDER BY s.record_id)     AS death_record_ids
FROM stg_siwang AS s, ref_quarter AS q
WHERE s.death_date <= q.reference_date
  AND s.person_key IS NOT NULL
GROUP BY s.person_key
