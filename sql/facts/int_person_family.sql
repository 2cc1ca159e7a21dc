-- one row per person: key person_key
-- The household a person counts in for overlap_rates (measure = households), one unit for all
-- pairs so that left, right and overlap count the same kind of household:
--   1. the person's registry household (户编号; the smallest when several);
--   2. else, for a member of an in-force 低保 household, that household's registry household
--      (its 户主's, else the smallest of its registered members');
--   3. else the 低保 household itself (户主身份证号);
--   4. else the person alone (a 特困 person, a certificate holder outside both).
WITH registry AS (
    SELECT person_key, min(household_number) AS household_number
    FROM stg_fupin
    WHERE household_number IS NOT NULL AND person_key IS NOT NULL
    GROUP BY person_key
),
dibao_member AS (
    SELECT h.household_key, h.head_person_key, unnest(h.member_keys) AS person_key
    FROM int_dibao_households AS h
),
dibao_registry AS (   -- the registry household of each 低保 household
    SELECT m.household_key,
           coalesce(min(r.household_number) FILTER (WHERE m.person_key = m.head_person_key),
                    min(r.household_number)) AS household_number
    FROM dibao_member AS m
    JOIN registry AS r USING (person_key)
    GROUP BY m.household_key
),
dibao_of_person AS (
    SELECT person_key, min(household_key) AS household_key FROM dibao_member GROUP BY person_key
)
SELECT
    p.person_key,
    coalesce('fupin:' || r.household_number,
             'fupin:' || dr.household_number,
             d.household_key,
             'person:' || p.person_key) AS family_key
FROM persons AS p
LEFT JOIN registry        AS r  USING (person_key)
LEFT JOIN dibao_of_person AS d  USING (person_key)
LEFT JOIN dibao_registry  AS dr ON dr.household_key = d.household_key
