-- one row per person on an in-force 低保 row: key person_key
-- The person's 分类施保类别 and 户主身份证号, from one of their in-force 低保 rows: the row where they
-- are the 户主, else the household with the lowest 户主身份证号 (a person listed in two households,
-- S7-4, gets the same one whatever the order of the roster's rows).
SELECT person_key, chosen.category AS dibao_category, chosen.head_id_number AS dibao_household
FROM (
    SELECT d.person_key,
           arg_min({'category': d.category, 'head_id_number': d.head_id_number},
                   (coalesce(d.relation <> '户主', true), d.head_id_number, d.category)) AS chosen
    FROM stg_dibao AS d JOIN int_in_force_rows AS r ON r.record_id = d.record_id
    GROUP BY d.person_key
)
