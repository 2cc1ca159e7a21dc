-- one row per person an in-force 两项补贴 row entitles: key person_key
-- Which of the two 残疾人两项补贴 the person holds.
SELECT person_key,
       bool_or(item = '残疾人生活补贴')     AS has_living_subsidy,
       bool_or(item = '重度残疾人护理补贴') AS has_care_subsidy
FROM int_item_entitlements
GROUP BY person_key
