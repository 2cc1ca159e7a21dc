-- one row per person in force on 低保, 特困, ertong, 两项补贴 or 老年人补贴: key person_key
-- The person's in-force roster rows (int_in_force_rows), by roster, each list in record order.
-- (A fact of its own, not a part of fct_person_quarter: materialised first, the person facts'
-- joins read it as a table, and a province's quarter fits DuckDB's memory cap.)
SELECT person_key,
       list(record_id ORDER BY record_id) FILTER (WHERE roster = 'dibao')  AS dibao_record_ids,
       list(record_id ORDER BY record_id) FILTER (WHERE roster = 'tekun')  AS tekun_record_ids,
       list(record_id ORDER BY record_id) FILTER (WHERE roster = 'ertong') AS ertong_record_ids,
       list(record_id ORDER BY record_id)                                  AS in_force_record_ids,
       list(DISTINCT roster ORDER BY roster)                               AS in_force_rosters
FROM int_in_force_rows
GROUP BY person_key
