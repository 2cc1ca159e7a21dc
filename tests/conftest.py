"""Session-wide fixtures.

``prefect_harness``: Prefect's temporary API server (``prefect_test_harness``) costs ~15 s to
start, so it starts once per test session, on first use, and every test that needs Prefect's API
shares it.  Tests that only build Prefect objects (the deployment) do not use it.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    os.environ.setdefault("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect_home")))
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
