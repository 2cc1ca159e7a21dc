-- S4-5 | sieve 4 | review | 人证不符 | one row per person
-- policy: none
-- (a) a certificate whose ID part names another person than the 身份证号 written on its row (a
--     one-digit or transposition typo of the same number is spelling, not another person);
-- (b) the same valid ID number under names that do not match across records.  Names match when
--     their matching form is equal (繁简, separators, spaces folded) or their fuzzy pinyin is equal
--     (homophone typos such as 张/章, 陈/程), or, in names of 3+ characters, all but one
--     character agree (similar-shape typos such as 林娜洁 / 材娜洁): those are spelling, not
--     人证不符.  In a 2-character name one differing character may be another person (张伟 / 李伟).
WITH certificate_mismatch AS (
    SELECT person_key, record_id,
           format('残疾人证号 {} 所含身份证号 {} 与本行身份证号 {} 不一致', certificate_number, cert_id_number, id_number) AS what,
           [record_id] AS record_ids
    FROM stg_canlian
    WHERE cert_id_number IS NOT NULL AND id_number IS NOT NULL AND cert_id_number <> id_number
      AND NOT id_typo(cert_id_number, id_number)
    UNION ALL
    SELECT person_key, record_id,
           format('两项补贴名册残疾人证号 {} 所含身份证号 {} 与本行身份证号 {} 不一致', certificate_number, cert_id_number, id_number),
           [record_id]
    FROM stg_liangbu
    WHERE cert_id_number IS NOT NULL AND id_number IS NOT NULL AND cert_id_number <> id_number
      AND NOT id_typo(cert_id_number, id_number)
),
name_mismatch AS (
    SELECT a.person_key, a.record_id,
           format('身份证号 {} 在{}中为“{}”，在{}中为“{}”，姓名不一致', a.id_number,
                  ta.title, coalesce(a.name_display, a.name), tb.title, coalesce(b.name_display, b.name)) AS what,
           [a.record_id, b.record_id] AS record_ids
    FROM int_person_names AS a
    JOIN int_person_names AS b
      ON b.id_number = a.id_number AND b.record_id > a.record_id
    JOIN source_titles AS ta ON ta.source_table = a.source_table
    JOIN source_titles AS tb ON tb.source_table = b.source_table
    CROSS JOIN ref_definitions AS d
    WHERE a.name <> b.name
      AND coalesce(a.name_pinyin_fuzzy <> b.name_pinyin_fuzzy, true)
      AND NOT (
          length(a.name) = length(b.name)
          AND length(a.name) >= d.typo_name_min_chars
          AND len(list_filter(range(1, length(a.name) + 1), lambda i: substr(a.name, i, 1) <> substr(b.name, i, 1))) = 1
      )
),
findings AS (
    SELECT * FROM certificate_mismatch
    UNION ALL SELECT * FROM name_mismatch
)
SELECT
    person_key,
    string_agg(DISTINCT what, '；') || '：人证不符，请核实' AS detail,
    NULL::DOUBLE AS amount,
    list_sort(list_distinct(flatten(list(record_ids)))) AS record_ids
FROM findings
WHERE person_key IS NOT NULL
GROUP BY person_key
