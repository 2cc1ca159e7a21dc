-- S4-6 | sieve 4 | review | 无证残疾 | one row per person
-- policy: none
-- reads: fupin, canlian
-- Registry 健康状况 残疾 (or 残疾类别 filled) and no certificate in force: refer to 残联 for 办证.
SELECT
    p.person_key,
    format('防返贫监测系统登记为残疾（{}），但无有效残疾人证：请引导到残联办理残疾人证',
           coalesce(string_agg(DISTINCT f.disability_category, '、' ORDER BY f.disability_category), '类别未填')) AS detail,
    NULL::DOUBLE AS amount,
    list(f.record_id ORDER BY f.record_id) AS record_ids
FROM stg_fupin AS f
JOIN fct_person_quarter AS p ON p.person_key = f.person_key
WHERE (f.health = '残疾' OR f.disability_category IS NOT NULL)
  AND NOT p.has_certificate
GROUP BY p.person_key
