-- one row per staging record that names a person by a valid ID number: key record_id
-- Used by S4-5 (the same ID number under names that do not match).
-- materialized: view (read by S4-5 alone, twice: once for the ID numbers under two names, once
--   for those numbers' records; a copy of every named record cost more than both readings)
SELECT record_id, source_table, person_key, id_number, name, name_display, name_pinyin_fuzzy FROM stg_dibao WHERE id_number_valid AND name IS NOT NULL
UNION ALL SELECT record_id, source_table, person_key, id_number, name, name_display, name_pinyin_fuzzy FROM stg_tekun WHERE id_number_valid AND name IS NOT NULL
UNION ALL SELECT record_id, source_table, person_key, id_number, name, name_display, name_pinyin_fuzzy FROM stg_tekun_visit WHERE id_number_valid AND name IS NOT NULL
UNION ALL SELECT record_id, source_table, person_key, id_number, name, name_display, name_pinyin_fuzzy FROM stg_linshi WHERE id_number_valid AND name IS NOT NULL
UNION ALL SELECT record_id, source_table, person_key, id_number, name, name_display, name_pinyin_fuzzy FROM stg_ertong WHERE id_number_valid AND name IS NOT NULL
UNION ALL SELECT record_id, source_table, person_key, id_number, name, name_display, name_pinyin_fuzzy FROM stg_liangbu WHERE id_number_valid AND name IS NOT NULL
UNION ALL SELECT record_id, source_table, person_key, id_number, name, name_display, name_pinyin_fuzzy FROM stg_laonian WHERE id_number_valid AND name IS NOT NULL
UNION ALL SELECT record_id, source_table, person_key, id_number, name, name_display, name_pinyin_fuzzy FROM stg_fafang WHERE id_number_valid AND name IS NOT NULL
UNION ALL SELECT record_id, source_table, person_key, id_number, name, name_display, name_pinyin_fuzzy FROM stg_siwang WHERE id_number_valid AND name IS NOT NULL
UNION ALL SELECT record_id, source_table, person_key, id_number, name, name_display, name_pinyin_fuzzy FROM stg_fupin WHERE id_number_valid AND name IS NOT NULL
UNION ALL SELECT record_id, source_table, person_key, id_number, name, name_display, name_pinyin_fuzzy FROM stg_canlian WHERE id_number_valid AND name IS NOT NULL
UNION ALL SELECT record_id, source_table, person_key, id_number, name, name_display, name_pinyin_fuzzy FROM stg_yibao_canbao WHERE id_number_valid AND name IS NOT NULL
UNION ALL SELECT record_id, source_table, person_key, id_number, name, name_display, name_pinyin_fuzzy FROM stg_yibao_jiesuan WHERE id_number_valid AND name IS NOT NULL
