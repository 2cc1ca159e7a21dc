-- one row per case (rule_code, person_key): key case_id
-- From rule_hits (every row every rule selected, with its header's sieve, kind and name):
--   1. a dead person gets only S7-1 and S8 cases (rules.md, Readings): other hits on the dead drop;
--   2. one case per (rule code, person): repeated hits merge (first detail, all evidence);
--   3. evidence = file (/sheet) and rows of every record used;
--   4. person and residence from persons; status 新增 / 延续 against the previous quarter's cases;
--   5. a rule not run this quarter (unscreened_rules: a table it reads was not exported) carries its
--      previous open cases as they were: 延续, not_rechecked (本季未复核), never 销号.
WITH living_rule AS (
    SELECT h.*
    FROM rule_hits AS h
    LEFT JOIN fct_person_quarter AS p USING (person_key)
    WHERE h.person_key IS NOT NULL
      AND (NOT coalesce(p.is_dead, false) OR h.rule_code = 'S7-1' OR h.rule_code LIKE 'S8-%')
),
merged AS (
    SELECT rule_code, person_key,
           any_value(sieve) AS sieve, any_value(kind) AS kind, any_value(rule_name) AS rule_name,
           arg_min(detail, seq) AS detail,
           arg_min(amount, seq) AS amount,
           list_sort(list_distinct(flatten(list(record_ids)))) AS record_ids
    FROM living_rule
    GROUP BY rule_code, person_key
),
used AS (
    SELECT rule_code, person_key, unnest(record_ids) AS record_id FROM merged
),
per_sheet AS (
    SELECT u.rule_code, u.person_key, v.file_name, v.sheet_name,
           v.file_name || CASE WHEN coalesce(v.sheet_name, '') = '' THEN '' ELSE '/' || v.sheet_name END
             || ' 第' || array_to_string(list_sort(list_distinct(list(v.row_number))), '、') || '行' AS rows_text
    FROM used AS u
    JOIN int_record_provenance AS v USING (record_id)
    GROUP BY u.rule_code, u.person_key, v.file_name, v.sheet_name
),
evidence AS (
    SELECT rule_code, person_key, string_agg(rows_text, '；' ORDER BY file_name, sheet_name) AS evidence
    FROM per_sheet
    GROUP BY rule_code, person_key
),
previous AS (   -- the cases of the latest quarter before this one
    SELECT * FROM previous_cases
    WHERE quarter = (SELECT max(quarter) FROM previous_cases WHERE quarter < $quarter)
)
SELECT
    $quarter                                         AS quarter,
    case_id(m.rule_code, m.person_key) AS case_id,
    m.rule_code,
    m.rule_name,
    m.kind,
    m.sieve,
    m.person_key,
    p.id_number,
    p.name,
    p.county,
    p.township,
    p.village,
    m.detail,
    m.amount,
    e.evidence,
    m.record_ids,
    coalesce(pv.first_seen_quarter, pv.quarter, $quarter) AS first_seen_quarter,
    CASE WHEN pv.case_id IS NULL THEN '新增' ELSE '延续' END AS status,
    false                                            AS not_rechecked
FROM merged AS m
LEFT JOIN persons  AS p  USING (person_key)
LEFT JOIN evidence AS e  USING (rule_code, person_key)
LEFT JOIN previous AS pv ON pv.case_id = case_id(m.rule_code, m.person_key)
UNION ALL
SELECT
    $quarter, pv.case_id, pv.rule_code, pv.rule_name, pv.kind, pv.sieve, pv.person_key,
    pv.id_number, pv.name, pv.county, pv.township, pv.village, pv.detail, pv.amount,
    '（上季度）' || coalesce(pv.evidence, ''),
    []::BIGINT[],                                    -- record ids are per quarter: the last quarter's do not apply
    coalesce(pv.first_seen_quarter, pv.quarter),
    '延续',
    true
FROM previous AS pv
WHERE pv.rule_code IN (SELECT rule_code FROM unscreened_rules)
ORDER BY sieve, rule_code, township, village, person_key
