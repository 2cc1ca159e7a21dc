-- one row: the fixed numbers that rules.md writes into its definitions
-- The policy file has no key for these: they are what the words of rules.md mean, not county
-- standards.  They live here, once, so that no rule writes a number of its own.
SELECT
    16  AS child_work_age,      -- S2-2 "age < 16": a child too young to work (劳动年龄 starts at 16)
    18  AS adult_age,           -- S3-1 超龄 "aged 18 or more", S3-2 "under 18": childhood ends at 18
    2   AS severe_grade_max,    -- 重残 = certificate grade 一级 or 二级
    12  AS months_per_year,     -- yearly income tests compare 人均纯收入 with 12 x dibao_monthly_standard
    12  AS lookback_months,     -- 重病 and Y-4: "within 12 months before the reference date"
    1.0 AS aid_tolerance_yuan,  -- Y-3: 医疗救助金额 < ratio x (...) - 1 元
    7   AS week_days            -- S6-3: the weeks of a quarter are 7-day blocks from its first day
