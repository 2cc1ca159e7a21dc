-- one row per week of the quarter: key week_no
-- Weeks are 7-day blocks from the quarter's first day; the last block runs to the quarter's end
-- (2026Q3: 92 days = 13 weeks, the 13th of 8 days).
WITH span AS (
    SELECT q.quarter_start, q.reference_date, d.week_days,
           (q.reference_date - q.quarter_start + 1) // d.week_days AS n_weeks
    FROM ref_quarter AS q, ref_definitions AS d
)
SELECT
    i + 1                                                     AS week_no,
    (quarter_start + (i * week_days)::INTEGER)::DATE                    AS week_start,
    CASE WHEN i + 1 = n_weeks THEN reference_date
         ELSE (quarter_start + ((i + 1) * week_days - 1)::INTEGER)::DATE END AS week_end
FROM span, range(n_weeks) AS r(i)
