-- one row per level x unit x pair x measure: key (level, county, township, village, pair, measure)
-- Persons counted by their residence in persons (county / township / village; blank = '未知').
-- measure persons:    left = persons in the left group, right = in the right group, overlap = in both.
-- measure households: the same over households (int_person_family): a household is in a group when
--                     a member living in the unit is; overlap = households in both groups.
-- left_rate = overlap / left, right_rate = overlap / right (null when the count is 0).
-- Units with no one in either group are left out.
WITH pairs(pair_order, pair, left_group, right_group) AS (
    VALUES (1, '低保 x 防返贫', '低保', '防返贫'),
           (2, '特困 x 防返贫', '特困', '防返贫'),
           (3, '持证残疾人 x 低保', '持证残疾人', '低保'),
           (4, '重残 x (低保 or 特困)', '重残', '低保或特困'),
           (5, '三类对象 x 医保参保', '三类对象', '医保参保')
),
sides(pair_order, pair, side, group_name) AS (
    SELECT pair_order, pair, 'left', left_group FROM pairs
    UNION ALL SELECT pair_order, pair, 'right', right_group FROM pairs
),
in_pair AS (          -- one row per pair and person in either of its groups
    SELECT s.pair_order, s.pair, g.person_key,
           bool_or(s.side = 'left') AS in_left, bool_or(s.side = 'right') AS in_right
    FROM sides AS s
    JOIN int_overlap_groups AS g USING (group_name)
    GROUP BY ALL
),
person_pair AS (
    SELECT ip.pair_order, ip.pair, ip.person_key, f.family_key,
           coalesce(pe.county, '未知') AS county, coalesce(pe.township, '未知') AS township,
           coalesce(pe.village, '未知') AS village,
           ip.in_left, ip.in_right
    FROM in_pair AS ip
    JOIN persons AS pe USING (person_key)
    LEFT JOIN int_person_family AS f ON f.person_key = ip.person_key
),
-- Counted in each village first, then rolled up: a township's persons are its villages' persons
-- (a person lives in one village), and a household is in a township's group when it is in the
-- group of one of the township's villages (the same for a county and its townships).
village_persons AS (
    SELECT pair_order, pair, county, township, village,
           count(*) FILTER (WHERE in_left)              AS left_count,
           count(*) FILTER (WHERE in_right)             AS right_count,
           count(*) FILTER (WHERE in_left AND in_right) AS overlap_count
    FROM person_pair
    GROUP BY ALL
),
village_households AS (
    SELECT pair_order, pair, county, township, village, family_key,
           bool_or(in_left) AS in_left, bool_or(in_right) AS in_right
    FROM person_pair
    GROUP BY ALL
),
township_households AS (
    SELECT pair_order, pair, county, township, family_key, bool_or(in_left) AS in_left, bool_or(in_right) AS in_right
    FROM village_households
    GROUP BY ALL
),
county_households AS (
    SELECT pair_order, pair, county, family_key, bool_or(in_left) AS in_left, bool_or(in_right) AS in_right
    FROM township_households
    GROUP BY ALL
),
persons_measure AS (
    SELECT '县' AS level, 1 AS level_order, county, NULL AS township, NULL AS village, county AS unit, pair_order, pair,
           'persons' AS measure, sum(left_count)::BIGINT AS left_count, sum(right_count)::BIGINT AS right_count,
           sum(overlap_count)::BIGINT AS overlap_count
    FROM village_persons
    GROUP BY county, pair_order, pair
    UNION ALL
    SELECT '乡镇', 2, county, township, NULL, township, pair_order, pair,
           'persons', sum(left_count)::BIGINT, sum(right_count)::BIGINT, sum(overlap_count)::BIGINT
    FROM village_persons
    GROUP BY county, township, pair_order, pair
    UNION ALL
    SELECT '村', 3, county, township, village, village, pair_order, pair, 'persons', left_count, right_count, overlap_count
    FROM village_persons
),
households_measure AS (
    SELECT '县' AS level, 1 AS level_order, county, NULL AS township, NULL AS village, county AS unit, pair_order, pair,
           'households' AS measure,
           count(*) FILTER (WHERE in_left)              AS left_count,
           count(*) FILTER (WHERE in_right)             AS right_count,
           count(*) FILTER (WHERE in_left AND in_right) AS overlap_count
    FROM county_households
    GROUP BY county, pair_order, pair
    UNION ALL
    SELECT '乡镇', 2, county, township, NULL, township, pair_order, pair, 'households',
           count(*) FILTER (WHERE in_left), count(*) FILTER (WHERE in_right), count(*) FILTER (WHERE in_left AND in_right)
    FROM township_households
    GROUP BY county, township, pair_order, pair
    UNION ALL
    SELECT '村', 3, county, township, village, village, pair_order, pair, 'households',
           count(*) FILTER (WHERE in_left), count(*) FILTER (WHERE in_right), count(*) FILTER (WHERE in_left AND in_right)
    FROM village_households
    GROUP BY county, township, village, pair_order, pair
)
SELECT
    $quarter AS quarter, level, county, township, village, unit, pair, measure,
    left_count, right_count, overlap_count,
    CASE WHEN left_count > 0 THEN overlap_count / left_count END   AS left_rate,
    CASE WHEN right_count > 0 THEN overlap_count / right_count END AS right_rate
FROM (SELECT * FROM persons_measure UNION ALL SELECT * FROM households_measure)
ORDER BY level_order, county, township, village, pair_order, measure DESC
