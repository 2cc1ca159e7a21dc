"""Reliability tests: ``slow`` ones (1M-row sheets) run only with DOUDI_SLOW=1."""

import os

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a benchmark-sized case, run only when DOUDI_SLOW=1")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("DOUDI_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: set DOUDI_SLOW=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
