-- one row per person on an in-force 低保 row: key person_key
-- The person's 分类施保类别 and 户主身份证号, each from the first of their in-force 低保 rows.
SELECT d.person_key,
       arg_min(d.category, d.record_id)       AS dibao_category,
       arg_min(d.head_id_number, d.record_id) AS dibao_household
FROM stg_dibao AS d JOIN int_in_force_rows AS r ON r.record_id = d.record_id
GROUP BY d.person_key
