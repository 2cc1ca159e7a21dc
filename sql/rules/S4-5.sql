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
--     The words name each different name once, with the tables it is in: an ID under a hundred
--     names is a hundred names in the detail, not every pair of them.  The name on most records
--     comes first (then in name order), so the words do not depend on the order of the rows.
WITH certificate_mismatch AS (
    SELECT person_key,
           format('残疾人证号 {} 所含身份证号 {} 与本人身份证号 {} 不一致', certificate_number, cert_id_number, own_id) AS what,
           [record_id] AS record_ids
    FROM (SELECT c.*, coalesce(p.id_number, c.id_number) AS own_id
          FROM stg_canlian AS c LEFT JOIN persons AS p USING (person_key))
    WHERE cert_id_number IS NOT NULL AND own_id IS NOT NULL AND cert_id_number <> own_id
    UNION ALL
    SELECT person_key,
           format('两项补贴名册残疾人证号 {} 所含身份证号 {} 与本人身份证号 {} 不一致', certificate_number, cert_id_number, own_id),
           [record_id]
    FROM (SELECT l.*, coalesce(p.id_number, l.id_number) AS own_id
          FROM stg_liangbu AS l LEFT JOIN persons AS p USING (person_key))
    WHERE cert_id_number IS NOT NULL AND own_id IS NOT NULL AND cert_id_number <> own_id
),
named_twice AS (
    -- only an ID under two names or more can be under names that do not match
    SELECT id_number FROM int_person_names GROUP BY id_number HAVING min(name) <> max(name)
),
name_forms AS (
    -- each different name once: the records of one ID, person, table and name are one form
    SELECT *, row_number() OVER (ORDER BY first_record) AS form
    FROM (SELECT id_number, person_key, source_table, name, name_pinyin_fuzzy,
                 min(coalesce(name_display, name)) AS shown, min(record_id) AS first_record,
                 list(record_id) AS record_ids
          FROM int_person_names SEMI JOIN named_twice USING (id_number)
          GROUP BY id_number, person_key, source_table, name, name_pinyin_fuzzy)
),
mismatched AS (
    SELECT a.form AS form_a, b.form AS form_b, a.person_key AS key_a, b.person_key AS key_b
    FROM name_forms AS a
    JOIN name_forms AS b ON b.id_number = a.id_number AND b.form > a.form
    WHERE a.name <> b.name
      AND coalesce(a.name_pinyin_fuzzy <> b.name_pinyin_fuzzy, true)
      AND NOT (
          a.person_key = b.person_key
          AND length(a.name) = length(b.name)
          AND len(list_filter(range(1, length(a.name) + 1), lambda i: substr(a.name, i, 1) <> substr(b.name, i, 1))) = 1
      )
),
involved AS (
    -- a person's case names each of its forms and of the forms they clash with once
    SELECT key_a AS person_key, form_a AS form FROM mismatched
    UNION SELECT key_a, form_b FROM mismatched
    UNION SELECT key_b, form_a FROM mismatched
    UNION SELECT key_b, form_b FROM mismatched
),
names_said AS (
    -- each name once, with the tables it is in
    SELECT i.person_key, f.id_number, f.shown, len(flatten(list(f.record_ids))) AS n_records,
           format('“{}”见于{}', f.shown, string_agg(DISTINCT t.title, '、' ORDER BY t.title)) AS said,
           flatten(list(f.record_ids)) AS record_ids
    FROM involved AS i
    JOIN name_forms AS f USING (form)
    JOIN source_titles AS t ON t.source_table = f.source_table
    GROUP BY i.person_key, f.id_number, f.shown
),
name_mismatch AS (
    SELECT person_key,
           format('身份证号 {} 的姓名不一致，{}', id_number, string_agg(said, '，' ORDER BY n_records DESC, shown)) AS what,
           flatten(list(record_ids)) AS record_ids
    FROM names_said
    GROUP BY person_key, id_number
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
