-- one row per case of kind exit (应退未退): a view over cases
CREATE OR REPLACE VIEW exit_cases AS
SELECT * FROM cases WHERE kind = 'exit';
COMMENT ON VIEW exit_cases IS '应退未退类问题（kind = exit）：cases 的视图';
