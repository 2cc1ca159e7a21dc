-- one row per 低保 household with an in-force member (same 户主身份证号): key household_key
-- household_key = 'dibao:' || normalised 户主身份证号.  The 户主 (the 低保金 payee) is the person
-- whose 身份证号 (as identity resolved it) is the 户主身份证号: one of the household's in-force rows,
-- else any person with that ID, else the row that says 户主, else the household's first row.  A row
-- that carries the 户主身份证号 but that identity put on someone else (a member's row with the
-- head's number typed in) does not make its person the payee: which row comes first in the file
-- must not decide who is paid.  Amount: the 户主身份证号 rows' highest, else the household's highest;
-- 分类施保类别: the 户主's, else the row that says 户主, else the lowest.  head_id_shown: the
-- 户主身份证号 as the household is known by, for the lists (the normalised ID, else the cell as
-- Excel left it: 5.33129E+17, …000).
WITH rows AS (
    SELECT d.*, coalesce(d.household_key, 'dibao:' || d.head_id_number) AS hh, p.id_number AS person_id_number
    FROM stg_dibao AS d
    JOIN int_in_force_rows AS r ON r.record_id = d.record_id
    LEFT JOIN persons AS p ON p.person_key = d.person_key
    WHERE coalesce(d.household_key, d.head_id_number) IS NOT NULL
),
households AS (
    SELECT
        hh                                                                          AS household_key,
        any_value(head_id_number)                                                   AS head_id_number,
        arg_min(person_key, record_id) FILTER (WHERE person_id_number = head_id_number) AS head_by_row,
        arg_min(person_key, record_id) FILTER (WHERE relation = '户主')              AS head_by_relation,
        arg_min(person_key, record_id)                                              AS first_member,
        arg_min(record_id, record_id) FILTER (WHERE id_number = head_id_number OR relation = '户主') AS head_record_id,
        coalesce(max(household_monthly_amount) FILTER (WHERE id_number = head_id_number),
                 max(household_monthly_amount))                                     AS household_monthly_amount,
        coalesce(min(category) FILTER (WHERE person_id_number = head_id_number),
                 arg_min(category, (coalesce(relation <> '户主', true), category)))  AS category,
        min(start_month)                                                            AS start_month,
        bool_or(status = '渐退')                                                     AS in_gradual_exit,
        count(DISTINCT person_key)                                                  AS member_count,
        list(DISTINCT person_key ORDER BY person_key)                               AS member_keys,
        list(record_id ORDER BY record_id)                                          AS record_ids
    FROM rows
    GROUP BY hh
),
head_by_id AS (
    SELECT id_number, min(person_key) AS person_key FROM persons WHERE id_number IS NOT NULL GROUP BY id_number
)
SELECT
    h.household_key, h.head_id_number, coalesce(h.head_id_number, replace(h.household_key, 'dibao:', '')) AS head_id_shown,
    coalesce(h.head_by_row, p.person_key, h.head_by_relation, h.first_member) AS head_person_key,
    h.head_record_id, h.household_monthly_amount, h.category, h.start_month, h.in_gradual_exit,
    h.member_count, h.member_keys, h.record_ids
FROM households AS h
LEFT JOIN head_by_id AS p ON p.id_number = h.head_id_number
