-- one row per (group, person_key): key (group_name, person_key)
-- The groups overlap_rates compares, at the reference date; the dead are not removed.
--   低保 / 特困: in force;  防返贫: any registry row;  持证残疾人: a certificate in force;
--   重残: a 一级/二级 certificate in force;  低保或特困: either;  三类对象: as fct_person_quarter;
--   医保参保: 参保 for the reference year.
SELECT '低保' AS group_name, person_key FROM fct_person_quarter WHERE in_dibao
UNION ALL SELECT '特困', person_key FROM fct_person_quarter WHERE in_tekun
UNION ALL SELECT '防返贫', person_key FROM fct_person_quarter WHERE in_registry
UNION ALL SELECT '持证残疾人', person_key FROM fct_person_quarter WHERE has_certificate
UNION ALL SELECT '重残', person_key FROM fct_person_quarter WHERE is_severe
UNION ALL SELECT '低保或特困', person_key FROM fct_person_quarter WHERE in_dibao OR in_tekun
UNION ALL SELECT '三类对象', person_key FROM fct_person_quarter WHERE is_three_groups
UNION ALL SELECT '医保参保', person_key FROM fct_person_quarter WHERE is_insured
