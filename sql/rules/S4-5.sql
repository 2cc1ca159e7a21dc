-- S4-5 | sieve 4 | review | 人证不符 | one row per person
-- policy: none
-- reads: none
-- (a) a certificate whose ID part is not the person's ID number (the person's, as identity resolved
--     it; the row's own 身份证号 cell for a person without one): a one-digit or transposition slip
--     too, the 残联 record must be corrected (rules.md Readings).  A certificate that is right
--     beside a mistyped 身份证号 cell names the person: no case;
-- (b) the same valid ID number under names that do not match across records.  Identity decides:
--     records it put on two different persons name two people on one number - a case on each of
--     them; records it kept on one person differ only in spelling when their matching form is
--     equal (繁简, separators, spaces folded), their fuzzy pinyin is equal (homophones such as
--     张/章, 陈/程) or all but one character agree (similar shapes such as 林/材, 斌/赋).
WITH certificate_mismatch AS (
    SELECT person_key, record_id,
           format('残疾人证号 {} 所含身份证号 {} 与本人身份证号 {} 不一致', certificate_number, cert_id_number, own_id) AS what,
           [record_id] AS record_ids
    FROM (SELECT c.*, coalesce(p.id_number, c.id_number) AS own_id
          FROM stg_canlian AS c LEFT JOIN persons AS p USING (person_key))
    WHERE cert_id_number IS NOT NULL AND own_id IS NOT NULL AND cert_id_number <> own_id
    UNION ALL
    SELECT person_key, record_id,
           format('两项补贴名册残疾人证号 {} 所含身份证号 {} 与本人身份证号 {} 不一致', certificate_number, cert_id_number, own_id),
           [record_id]
    FROM (SELECT l.*, coalesce(p.id_number, l.id_number) AS own_id
          FROM stg_liangbu AS l LEFT JOIN persons AS p USING (person_key))
    WHERE cert_id_number IS NOT NULL AND own_id IS NOT NULL AND cert_id_number <> own_id
),
name_pairs AS (
    SELECT a.person_key AS key_a, b.person_key AS key_b, a.record_id AS record_a, b.record_id AS record_b,
           format('身份证号 {} 在{}中为“{}”，在{}中为“{}”，姓名不一致', a.id_number,
                  ta.title, coalesce(a.name_display, a.name), tb.title, coalesce(b.name_display, b.name)) AS what
    FROM int_person_names AS a
    JOIN int_person_names AS b
      ON b.id_number = a.id_number AND b.record_id > a.record_id
    JOIN source_titles AS ta ON ta.source_table = a.source_table
    JOIN source_titles AS tb ON tb.source_table = b.source_table
    WHERE a.name <> b.name
      AND coalesce(a.name_pinyin_fuzzy <> b.name_pinyin_fuzzy, true)
      AND NOT (
          a.person_key = b.person_key
          AND length(a.name) = length(b.name)
          AND len(list_filter(range(1, length(a.name) + 1), lambda i: substr(a.name, i, 1) <> substr(b.name, i, 1))) = 1
      )
),
name_mismatch AS (
    SELECT key_a AS person_key, record_a AS record_id, what, [record_a, record_b] AS record_ids FROM name_pairs
    UNION ALL
    SELECT key_b, record_b, what, [record_a, record_b] FROM name_pairs WHERE key_b <> key_a
),
findings AS (
    SELECT * FROM certificate_mismatch
    UNION ALL SELECT * FROM name_mismatch
)
SELECT
    person_key,
    string_agg(DISTINCT what, '；' ORDER BY what) || '：人证不符，请核实' AS detail,
    NULL::DOUBLE AS amount,
    list_sort(list_distinct(flatten(list(record_ids)))) AS record_ids
FROM findings
WHERE person_key IS NOT NULL
GROUP BY person_key
