"""A quarter's results do not depend on the order of the rows in its files.

A county re-exports its rosters sorted another way from one quarter to the next (by village, by
name, by date of entry); the same rows must give the same persons, the same cases with the same
words and the same overlap rates (``sample_data.reorder.ORDER_FREE``).  Every place that chose
"the first row" (the 低保 household's payee, an ID's owner name, a person's name spelled two ways
as often, the numbering of two persons without an ID, the order of the names in S4-5's words, the
amount of a duplicated payment) chose by file order before; each now chooses by the values.
"""

from __future__ import annotations

import duckdb

from pipeline.policy import load_policy
from pipeline.run import run_quarter
from sample_data.dirt import Rates
from sample_data.generate import generate
from sample_data.reorder import differences, shuffled_copy

QUARTER = "2026Q3"


def test_rows_in_another_order_give_the_same_quarter(tmp_path):
    # dirt raised and more planted cases, so that ties a file's order could break are many
    generate(3000, 23, tmp_path / "county", quarters=[QUARTER], forms="csv", instances=4,
             rates=Rates(id=0.4, name=0.4, date=0.1, reject=0.01, sci_file=0.5), quiet=True, rule_truth=False)  # fmt: skip
    given = tmp_path / "county" / QUARTER
    shuffled = shuffled_copy(given, tmp_path / "shuffled")
    for side, folder in (("given", given), ("shuffled", shuffled)):
        run_quarter(folder, QUARTER, load_policy(), tmp_path / f"{side}.duckdb")
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{tmp_path / 'given.duckdb'}' AS given (READ_ONLY)")
        con.execute(f"ATTACH '{tmp_path / 'shuffled.duckdb'}' AS shuffled (READ_ONLY)")
        moved = con.execute(
            "SELECT count(*) FROM given.source_records AS g JOIN shuffled.source_records AS s"
            " ON s.source_table = g.source_table AND s.raw_values = g.raw_values AND s.row_number <> g.row_number"
        ).fetchone()[0]
        assert moved > 1000  # the rows did move
        assert differences(con, "given", "shuffled") == {}
