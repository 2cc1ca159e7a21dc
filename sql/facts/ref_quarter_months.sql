-- one row per month of the quarter: key month_start
SELECT unnest(generate_series(q.quarter_start, q.reference_date, INTERVAL 1 MONTH))::DATE AS month_start
FROM ref_quarter AS q
