"""The screening stage: every rule of rules.md, the overlap rates and the quarter-over-quarter
status, as SQL in ``sql/`` run over staging frames in an in-memory DuckDB (see :mod:`.run`)."""

from pipeline.rules.run import CASES_SCHEMA, connect, create_views, run_rules
from pipeline.rules.sqlfiles import load_facts, load_rules

__all__ = ["CASES_SCHEMA", "connect", "create_views", "load_facts", "load_rules", "run_rules"]
