-- Small helpers the rules' detail sentences share (formatting only, no rule logic).
CREATE OR REPLACE TEMP MACRO yuan(x) AS format('{:,.2f}', x::DOUBLE);          -- 1240 -> '1,240.00'
CREATE OR REPLACE TEMP MACRO ym(d) AS strftime(d, '%Y-%m');                -- a month as 2026-09
CREATE OR REPLACE TEMP MACRO ids(l) AS coalesce(l, []::BIGINT[]);          -- a record_id list, never null
CREATE OR REPLACE TEMP MACRO cents(x) AS round(x, 2);                     -- money is compared to the cent
CREATE OR REPLACE TEMP MACRO case_id(rule_code, person_key) AS            -- stable across quarters:
    left(sha1(rule_code || '|' || person_key), 16);                          -- first 16 hex of sha1
