-- one row per person (persons.person_key): key person_key
-- The facts the rules share, at the reference date, each with the record_ids behind it:
-- age (full years), dead, in force in 低保 / 特困 / ertong, registry membership, 三类对象,
-- 有劳动能力 (registry 劳动技能 only), 重残, 重病, certificate in force, 医保参保.
WITH roster AS (
    SELECT person_key,
           list(record_id ORDER BY record_id) FILTER (WHERE roster = 'dibao')  AS dibao_record_ids,
           list(record_id ORDER BY record_id) FILTER (WHERE roster = 'tekun')  AS tekun_record_ids,
           list(record_id ORDER BY record_id) FILTER (WHERE roster = 'ertong') AS ertong_record_ids,
           list(record_id ORDER BY record_id)                                  AS in_force_record_ids,
           list(DISTINCT roster ORDER BY roster)                               AS in_force_rosters
    FROM int_in_force_rows
    GROUP BY person_key
),
dibao_category AS (
    SELECT d.person_key, arg_min(d.category, d.record_id) AS dibao_category
    FROM stg_dibao AS d JOIN int_in_force_rows AS r ON r.record_id = d.record_id
    GROUP BY d.person_key
),
registry AS (
    SELECT f.person_key,
           min(f.household_number)                                          AS registry_household,
           bool_or(h.is_three_groups)                                       AS is_three_groups,
           bool_or(f.labour_skill IN ('普通劳动力', '技能劳动力', '弱劳动力或半劳动力')) AS has_labour,
           list(f.record_id ORDER BY f.record_id)                           AS registry_record_ids
    FROM stg_fupin AS f
    JOIN int_registry_households AS h USING (household_number)
    GROUP BY f.person_key
),
dibao_household AS (
    SELECT d.person_key, arg_min(d.head_id_number, d.record_id) AS dibao_household
    FROM stg_dibao AS d JOIN int_in_force_rows AS r ON r.record_id = d.record_id
    GROUP BY d.person_key
),
subsidies AS (
    SELECT person_key,
           bool_or(item = '残疾人生活补贴')     AS has_living_subsidy,
           bool_or(item = '重度残疾人护理补贴') AS has_care_subsidy
    FROM int_item_entitlements
    GROUP BY person_key
),
certificates AS (
    SELECT person_key,
           list(record_id ORDER BY record_id)                        AS certificate_record_ids,
           list(record_id ORDER BY record_id) FILTER (WHERE is_severe) AS severe_record_ids
    FROM int_certificates_in_force
    GROUP BY person_key
)
SELECT
    p.person_key,
    p.id_number,
    p.name,
    p.birth_date,
    year(q.reference_date) - year(p.birth_date)
      - CASE WHEN strftime(q.reference_date, '%m%d') < strftime(p.birth_date, '%m%d') THEN 1 ELSE 0 END
                                                     AS age,           -- full years at the reference date
    d.person_key IS NOT NULL                         AS is_dead,
    d.death_date,
    ids(d.death_record_ids)                          AS death_record_ids,
    r.dibao_record_ids IS NOT NULL                   AS in_dibao,
    ids(r.dibao_record_ids)                          AS dibao_record_ids,
    dc.dibao_category,
    r.tekun_record_ids IS NOT NULL                   AS in_tekun,
    ids(r.tekun_record_ids)                          AS tekun_record_ids,
    r.ertong_record_ids IS NOT NULL                  AS in_ertong,
    ids(r.ertong_record_ids)                         AS ertong_record_ids,
    ids(r.in_force_record_ids)                       AS in_force_record_ids,
    coalesce(r.in_force_rosters, [])                 AS in_force_rosters,
    g.person_key IS NOT NULL                         AS in_registry,
    g.registry_household,
    coalesce(g.is_three_groups, false)               AS is_three_groups,
    coalesce(g.has_labour, false)                    AS has_labour,
    ids(g.registry_record_ids)                       AS registry_record_ids,
    c.certificate_record_ids IS NOT NULL             AS has_certificate,
    ids(c.certificate_record_ids)                    AS certificate_record_ids,
    c.severe_record_ids IS NOT NULL                  AS is_severe,       -- 重残
    ids(c.severe_record_ids)                         AS severe_record_ids,
    i.person_key IS NOT NULL                         AS is_major_ill,    -- 重病
    ids(i.illness_record_ids)                        AS illness_record_ids,
    e.person_key IS NOT NULL                         AS is_insured,      -- 参保 for the reference year
    coalesce(e.max_subsidy > 0, false)               AS is_aided_insurance, -- 资助参保 (资助金额 > 0)
    ids(e.record_ids)                                AS insured_record_ids,
    dh.dibao_household,                                                  -- 户主身份证号 of the in-force 低保 household
    coalesce(s.has_living_subsidy, false)            AS has_living_subsidy, -- in-force 两项补贴 生活补贴
    coalesce(s.has_care_subsidy, false)              AS has_care_subsidy    -- in-force 两项补贴 护理补贴
FROM persons AS p
CROSS JOIN ref_quarter AS q
LEFT JOIN fct_deaths             AS d  USING (person_key)
LEFT JOIN roster                 AS r  USING (person_key)
LEFT JOIN dibao_category         AS dc USING (person_key)
LEFT JOIN registry               AS g  USING (person_key)
LEFT JOIN certificates           AS c  USING (person_key)
LEFT JOIN int_major_illness      AS i  USING (person_key)
LEFT JOIN int_insurance_enrolled AS e  USING (person_key)
LEFT JOIN dibao_household        AS dh USING (person_key)
LEFT JOIN subsidies              AS s  USING (person_key)
