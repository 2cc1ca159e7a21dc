-- S8-4 | sieve 8 | review | 无名册发放 | one row per person
-- policy: none
-- reads: fafang, dibao, tekun, ertong, liangbu, laonian
-- A payment of an item to a person with no row at all (any 状态) in that item's roster.  For 低保金
-- the payee may be any 身份证号 or 户主身份证号 of dibao.  amount = the sum paid so, corrections (冲正,
-- negative rows) netted: payments all reversed leave no case.
WITH roster_people AS (
    SELECT '低保金' AS item, person_key FROM stg_dibao
    UNION ALL SELECT '特困供养金', person_key FROM stg_tekun
    UNION ALL SELECT '孤儿基本生活费', person_key FROM stg_ertong
    UNION ALL SELECT '事实无人抚养儿童生活补贴', person_key FROM stg_ertong
    UNION ALL SELECT '残疾人生活补贴', person_key FROM stg_liangbu
    UNION ALL SELECT '重度残疾人护理补贴', person_key FROM stg_liangbu
    UNION ALL SELECT '老年人补贴', person_key FROM stg_laonian
),
dibao_heads AS (
    SELECT DISTINCT '低保金' AS item, head_id_number AS id_number FROM stg_dibao WHERE head_id_number IS NOT NULL
),
-- "listed" = the person is in the item's roster OR paid as a 户主: anti-joins (an OR inside
-- one NOT EXISTS would compare every payment with every roster row).
unlisted AS (
    SELECT f.*
    FROM stg_fafang AS f
    WHERE f.person_key IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM roster_people AS r WHERE r.item = f.item AND r.person_key = f.person_key)
      AND NOT EXISTS (SELECT 1 FROM dibao_heads AS h WHERE h.item = f.item AND h.id_number = f.id_number)
      -- the payee's own ID as identity resolved it (the row's cell may carry a slip of it)
      AND NOT EXISTS (SELECT 1 FROM dibao_heads AS h WHERE h.item = f.item AND h.id_number = f.person_key)
)
SELECT
    person_key,
    string_agg(format('{} {} 元', ym(pay_month), yuan(amount)), '、' ORDER BY pay_month, item, amount, record_id)
      || '：发放' || string_agg(DISTINCT item, '、' ORDER BY item) || '，但该项目名册中无此人：无名册发放' AS detail,
    sum(amount) AS amount,
    list(record_id ORDER BY record_id) AS record_ids
FROM unlisted
GROUP BY person_key
HAVING cents(sum(amount)) > 0
