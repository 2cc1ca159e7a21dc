-- one row per case of the previous quarter not found again this quarter (销号): key case_id
SELECT
    $quarter                              AS quarter,            -- the quarter it was resolved in
    pv.case_id, pv.rule_code, pv.rule_name, pv.kind, pv.sieve,
    pv.person_key, pv.id_number, pv.name, pv.county, pv.township, pv.village,
    pv.detail, pv.amount, pv.evidence,
    coalesce(pv.first_seen_quarter, pv.quarter) AS first_seen_quarter,
    pv.quarter                            AS last_seen_quarter,
    $quarter                              AS resolved_quarter,
    '销号'                                 AS status
FROM previous_cases AS pv
WHERE pv.quarter = (SELECT max(quarter) FROM previous_cases WHERE quarter < $quarter)
  AND pv.case_id NOT IN (SELECT case_id FROM cases)
ORDER BY pv.sieve, pv.rule_code, pv.township, pv.village, pv.person_key
