"""Header row search and table recognition against the whole registry."""

from __future__ import annotations

import pytest

from contracts.sources import TABLES
from pipeline.ingest.header import find_header_row, recognise


@pytest.mark.parametrize("name", list(TABLES))
def test_every_table_is_recognised_from_its_full_header(name):
    assert recognise([c.header for c in TABLES[name].columns]).table == name


@pytest.mark.parametrize("name", list(TABLES))
def test_every_table_is_recognised_from_its_required_columns_and_aliases(name):
    table = TABLES[name]
    headers = [(c.aliases or (c.header,))[-1] for c in table.required]
    headers += [table.column(group[0]).header for group in table.one_of]
    assert recognise(headers).table == name


def test_header_row_is_the_row_naming_most_known_columns():
    rows = [
        ["XX县2026年9月农村低保花名册", None, None],
        ["探访层级", "村", None],  # two known names, but fewer than the header
        ["姓名", "身份证号", "探访日期"],
        ["张三", "乡镇", "村"],
    ]
    assert find_header_row(rows) == 2
    assert find_header_row([["姓名", None], ["张三", "x"]]) is None  # one known name is not a header
