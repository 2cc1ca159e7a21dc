-- one row per case of kind missed (应纳未纳、应补未补、应保未保 ...): a view over cases
CREATE OR REPLACE VIEW missed_cases AS
SELECT * FROM cases WHERE kind = 'missed';
COMMENT ON VIEW missed_cases IS '应纳未纳类问题（kind = missed）：cases 的视图';
