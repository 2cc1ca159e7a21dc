"""Prefect flows over ``pipeline/`` (which never imports Prefect).

Importing this package sets, unless already set, what a county bureau's offline machine needs
from Prefect before Prefect is imported:
- ``PREFECT_SERVER_ANALYTICS_ENABLED=false``: the temporary server must not try to send telemetry
  (no internet; it would only log an error);
- ``DO_NOT_TRACK=1``: nor the client (no "Prefect collects anonymous usage data" notice);
- ``PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=120``: Prefect's 20 s is too short on a
  loaded 2-core machine, and a run that never started is worse than a slow start.
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
