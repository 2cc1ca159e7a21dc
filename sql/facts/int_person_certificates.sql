-- one row per person with a disability certificate in force: key person_key
-- Their certificates in force, and those that make them 重残.
SELECT person_key,
       list(record_id ORDER BY record_id)                          AS certificate_record_ids,
       list(record_id ORDER BY record_id) FILTER (WHERE is_severe) AS severe_record_ids
FROM int_certificates_in_force
GROUP BY person_key
