-- Small helpers the rules' detail sentences share (formatting only, no rule logic).
CREATE OR REPLACE TEMP MACRO yuan(x) AS format('{:,.2f}', x::DOUBLE);          -- 1240 -> '1,240.00'
CREATE OR REPLACE TEMP MACRO ym(d) AS strftime(d, '%Y-%m');                -- a month as 2026-09
CREATE OR REPLACE TEMP MACRO ids(l) AS coalesce(l, []::BIGINT[]);          -- a record_id list, never null
CREATE OR REPLACE TEMP MACRO cents(x) AS round(x, 2);                     -- money is compared to the cent
CREATE OR REPLACE TEMP MACRO case_id(rule_code, person_key) AS            -- stable across quarters:
    left(sha1(rule_code || '|' || person_key), 16);                          -- first 16 hex of sha1
-- Two 18-character ID numbers one typo apart: exactly one character differs, or two adjacent
-- characters are swapped and the rest agree (rules.md: "a single-digit or transposition typo").
CREATE OR REPLACE TEMP MACRO id_typo(a, b) AS
    length(a) = 18 AND length(b) = 18 AND (
        len(list_filter(range(1, 19), lambda i: substr(a, i, 1) <> substr(b, i, 1))) = 1
        OR len(list_filter(range(1, 18), lambda i:
               substr(a, i, 1) <> substr(b, i, 1)
               AND substr(a, i, 2) = reverse(substr(b, i, 2))
               AND left(a, i - 1) = left(b, i - 1)
               AND substr(a, i + 2) = substr(b, i + 2))) > 0
    );
