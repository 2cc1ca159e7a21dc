-- S5-2 | sieve 5 | missed | 高龄津贴应补未补 | one row per person
-- policy: advanced_age
-- reads: laonian
-- Aged advanced_age or more, with no in-force 高龄津贴.  Any person of any source; the evidence is
-- the person's first record (the age is read from its ID number).
WITH subsidised AS (
    SELECT DISTINCT a.person_key
    FROM stg_laonian AS a JOIN int_in_force_rows AS r ON r.record_id = a.record_id
    WHERE a.subsidy_type = '高龄津贴'
),
due AS (
    SELECT person_key, birth_date, age
    FROM fct_person_quarter
    WHERE age >= $advanced_age
      AND person_key NOT IN (SELECT person_key FROM subsidised)
),
first_record AS (     -- of the persons due only (every person's first record: 5.8M records grouped)
    SELECT person_key, min(record_id) AS record_id
    FROM int_record_provenance SEMI JOIN due USING (person_key)
    GROUP BY person_key
)
SELECT
    p.person_key,
    format('出生日期 {}，{} 岁（≥ {} 岁），未享受高龄津贴：应补未补', p.birth_date, p.age, $advanced_age) AS detail,
    NULL::DOUBLE AS amount,
    CASE WHEN f.record_id IS NULL THEN []::BIGINT[] ELSE [f.record_id] END AS record_ids
FROM due AS p
LEFT JOIN first_record AS f USING (person_key)
