-- one row per 残联 certificate in force (证件状态 正常): key record_id
-- category and grade were filled from the certificate number when their cells were blank.
SELECT
    c.record_id,
    c.person_key,
    c.disability_category                      AS category,
    c.disability_grade                         AS grade,
    c.disability_grade <= d.severe_grade_max   AS is_severe,     -- 重残: 一级 or 二级
    pc.amount                                  AS care_amount    -- 护理补贴 the policy gives (null: none)
FROM stg_canlian AS c
CROSS JOIN ref_definitions AS d
LEFT JOIN policy_care_subsidy AS pc
       ON pc.grade = c.disability_grade AND pc.category = c.disability_category
WHERE coalesce(c.certificate_status, '正常') = '正常'
  AND c.person_key IS NOT NULL
