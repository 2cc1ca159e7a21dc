-- one row per staging record: key record_id
-- Where each record came from (file, sheet, row as a person sees it): the evidence of a case.
-- materialized: view (5.8M rows at 1M households; the cases read the rows of their evidence, S5-2
--   each person's first record: reading the staging files for them costs less than a copy)
SELECT record_id, person_key, source_table, file_name, sheet_name, row_number FROM stg_dibao
UNION ALL SELECT record_id, person_key, source_table, file_name, sheet_name, row_number FROM stg_tekun
UNION ALL SELECT record_id, person_key, source_table, file_name, sheet_name, row_number FROM stg_tekun_visit
UNION ALL SELECT record_id, person_key, source_table, file_name, sheet_name, row_number FROM stg_linshi
UNION ALL SELECT record_id, person_key, source_table, file_name, sheet_name, row_number FROM stg_ertong
UNION ALL SELECT record_id, person_key, source_table, file_name, sheet_name, row_number FROM stg_liangbu
UNION ALL SELECT record_id, person_key, source_table, file_name, sheet_name, row_number FROM stg_laonian
UNION ALL SELECT record_id, person_key, source_table, file_name, sheet_name, row_number FROM stg_fafang
UNION ALL SELECT record_id, person_key, source_table, file_name, sheet_name, row_number FROM stg_siwang
UNION ALL SELECT record_id, person_key, source_table, file_name, sheet_name, row_number FROM stg_fupin
UNION ALL SELECT record_id, person_key, source_table, file_name, sheet_name, row_number FROM stg_canlian
UNION ALL SELECT record_id, person_key, source_table, file_name, sheet_name, row_number FROM stg_yibao_canbao
UNION ALL SELECT record_id, person_key, source_table, file_name, sheet_name, row_number FROM stg_yibao_jiesuan
