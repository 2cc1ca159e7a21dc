-- one row per registry household (防返贫监测 户编号): key household_number
-- 三类对象 household: 未脱贫户, or a 监测户 (any 监测对象类别) whose 风险是否消除 is not 是.
-- The household's 户主 is its member with 与户主关系 户主 (else, when no row says 户主, the member with
-- the lowest person key: the rows' order in the file decides nothing), and head_record_id that
-- member's row (its first); its 人均纯收入 is the 户主 row's (else the highest any row gives).
WITH member_rows AS (
    SELECT f.*,
           f.household_type = '未脱贫户'
           OR (f.household_type = '监测户' AND f.risk_eliminated IS DISTINCT FROM true) AS row_three_groups
    FROM stg_fupin AS f
    WHERE f.household_number IS NOT NULL
),
in_force AS (
    SELECT person_key,
           bool_or(roster = 'dibao') AS in_dibao,
           bool_or(roster = 'tekun') AS in_tekun
    FROM int_in_force_rows
    GROUP BY person_key
)
SELECT
    m.household_number,
    arg_min(m.person_key, {'not_head': m.relation IS DISTINCT FROM '户主', 'person': m.person_key,
                           'record': m.record_id})                              AS head_person_key,
    arg_min(m.record_id, {'not_head': m.relation IS DISTINCT FROM '户主', 'person': m.person_key,
                          'record': m.record_id})                               AS head_record_id,
    coalesce(max(m.income_per_capita) FILTER (WHERE m.relation = '户主'),
             max(m.income_per_capita))                                          AS income_per_capita,
    bool_or(m.row_three_groups)                                                 AS is_three_groups,
    min(m.household_type) FILTER (WHERE m.row_three_groups)                     AS three_groups_type,
    count(DISTINCT m.person_key)                                                AS member_count,
    count(DISTINCT m.person_key) FILTER (WHERE f.in_dibao)                      AS members_in_dibao,
    count(DISTINCT m.person_key) FILTER (WHERE f.in_tekun)                      AS members_in_tekun,
    list(m.record_id ORDER BY m.record_id)                                      AS record_ids
FROM member_rows AS m
LEFT JOIN in_force AS f USING (person_key)
GROUP BY m.household_number
