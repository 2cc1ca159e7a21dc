-- one row per person (persons.person_key): key person_key
-- The facts the rules share, at the reference date, each with the record_ids behind it:
-- age (full years), dead, in force in 低保 / 特困 / ertong, registry membership, 三类对象,
-- 有劳动能力 (registry 劳动技能 only), 重残, 重病, certificate in force, 医保参保.
-- Each group of facts is a fact of its own (int_person_*), read here as a table.
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
    dh.dibao_category,
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
LEFT JOIN int_person_rosters     AS r  USING (person_key)
LEFT JOIN int_person_registry    AS g  USING (person_key)
LEFT JOIN int_person_certificates AS c USING (person_key)
LEFT JOIN int_major_illness      AS i  USING (person_key)
LEFT JOIN int_insurance_enrolled AS e  USING (person_key)
LEFT JOIN int_person_dibao       AS dh USING (person_key)
LEFT JOIN int_person_subsidies   AS s  USING (person_key)
