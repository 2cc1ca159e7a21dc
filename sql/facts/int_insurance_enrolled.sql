-- one row per person enrolled in 城乡居民医保 for the reference year (参保状态 参保): key person_key
SELECT
    c.person_key,
    max(c.subsidy_amount)                    AS max_subsidy,      -- highest 资助金额 of the year
    max(c.contribution)                      AS contribution,     -- the year's full 居民医保缴费金额
    list(c.record_id ORDER BY c.record_id)   AS record_ids
FROM stg_yibao_canbao AS c, ref_quarter AS q
WHERE c.insurance_status = '参保'
  AND c.insurance_year = q.reference_year
  AND c.person_key IS NOT NULL
GROUP BY c.person_key
