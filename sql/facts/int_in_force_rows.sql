-- one row per in-force roster row: key record_id
-- In force = 状态 在保 or 渐退 (a blank 状态 was read as 在保), in the five rosters with a 状态.
WITH roster_rows AS (
    SELECT 'dibao'   AS roster, record_id, person_key, status FROM stg_dibao
    UNION ALL SELECT 'tekun',   record_id, person_key, status FROM stg_tekun
    UNION ALL SELECT 'ertong',  record_id, person_key, status FROM stg_ertong
    UNION ALL SELECT 'liangbu', record_id, person_key, status FROM stg_liangbu
    UNION ALL SELECT 'laonian', record_id, person_key, status FROM stg_laonian
)
SELECT roster, record_id, person_key, coalesce(status, '在保') AS status
FROM roster_rows
WHERE coalesce(status, '在保') IN ('在保', '渐退')
  AND person_key IS NOT NULL
