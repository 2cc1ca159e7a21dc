-- one row per case the township last answered 不属实 and that fires again: a view over cases
CREATE OR REPLACE VIEW disputed_cases AS
SELECT * FROM cases WHERE false_report;
COMMENT ON VIEW disputed_cases IS '核实不属实：乡镇最近一次核查结果为不属实、本季度再次发现的问题（另列，待县级复核）：cases 的视图';
