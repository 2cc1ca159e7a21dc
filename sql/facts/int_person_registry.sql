-- one row per person in the poverty registry: key person_key
-- The person's registry household (the smallest 户编号), 三类对象 of any of them, 有劳动能力 from
-- the registry's 劳动技能 only, and their registry rows.
SELECT f.person_key,
       min(f.household_number)                                          AS registry_household,
       bool_or(h.is_three_groups)                                       AS is_three_groups,
       bool_or(f.labour_skill IN ('普通劳动力', '技能劳动力', '弱劳动力或半劳动力')) AS has_labour,
       list(f.record_id ORDER BY f.record_id)                           AS registry_record_ids
FROM stg_fupin AS f
JOIN int_registry_households AS h USING (household_number)
GROUP BY f.person_key
