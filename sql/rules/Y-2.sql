-- Y-2 | sieve 2 | review | 资助参保不足 | one row per person
-- policy: subsidy_dibao, subsidy_monitored
-- reads: yibao_canbao, dibao, tekun, ertong, fupin
-- An enrolled 低保 / 特困 / ertong / 三类对象 person whose highest 资助金额 of the year is below the
-- largest amount that applies: the full 居民医保缴费金额 for 特困 and ertong, subsidy_dibao for 低保,
-- subsidy_monitored for 三类对象.  amount = the shortfall.
WITH required AS (
    SELECT p.*, e.max_subsidy, e.contribution, e.record_ids AS insured_ids,
           greatest(CASE WHEN p.in_tekun OR p.in_ertong THEN e.contribution END,
                    CASE WHEN p.in_dibao THEN $subsidy_dibao END,
                    CASE WHEN p.is_three_groups THEN $subsidy_monitored END) AS required_subsidy
    FROM fct_person_quarter AS p
    JOIN int_insurance_enrolled AS e USING (person_key)
    WHERE p.in_dibao OR p.in_tekun OR p.in_ertong OR p.is_three_groups
)
SELECT
    person_key,
    format('{}，资助参保金额 {} 元，应资助 {} 元（{}），少 {} 元',
           concat_ws('、', CASE WHEN in_tekun THEN '特困人员' END, CASE WHEN in_ertong THEN '孤儿/事实无人抚养儿童' END,
                     CASE WHEN in_dibao THEN '低保对象' END, CASE WHEN is_three_groups THEN '三类对象' END),
           yuan(coalesce(max_subsidy, 0)), yuan(required_subsidy),
           CASE WHEN (in_tekun OR in_ertong) AND required_subsidy = contribution THEN '全额资助个人缴费' ELSE '定额资助' END,
           yuan(required_subsidy - coalesce(max_subsidy, 0))) AS detail,
    required_subsidy - coalesce(max_subsidy, 0) AS amount,
    list_concat(insured_ids, dibao_record_ids, tekun_record_ids, ertong_record_ids, registry_record_ids) AS record_ids
FROM required
WHERE cents(coalesce(max_subsidy, 0)) < cents(required_subsidy)
