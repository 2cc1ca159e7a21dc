-- one row: the run's quarter and the dates every rule reads
-- $quarter, $quarter_start and $reference_date are bound from the run (pipeline/quarter.py).
SELECT
    $quarter::VARCHAR                                   AS quarter,
    $quarter_start::DATE                                AS quarter_start,
    $reference_date::DATE                               AS reference_date,    -- last day of the quarter
    date_trunc('month', $reference_date::DATE)::DATE    AS reference_month,
    year($reference_date::DATE)                         AS reference_year,
    -- "within 12 months before the reference date" = (lookback_after, reference_date]
    ($reference_date::DATE - to_months(d.lookback_months))::DATE AS lookback_after
FROM ref_definitions AS d
