"""How much memory DuckDB may hold during a run, and where it spills the rest.

DuckDB's own default is 80% of the machine, which leaves nothing for the polars frames a run
holds beside it.  doudi caps each connection at ``DOUDI_DUCKDB_MEMORY`` (a DuckDB size such as
``4GB``), by default an eighth of the machine's memory; joins, sorts and materialised facts beyond
it spill to disk (beside the database file, or in the system temp folder for the in-memory
screening database).  See docs/decisions.md, "Memory".
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ENV = "DOUDI_DUCKDB_MEMORY"
SHARE_OF_MACHINE = 8  # default cap = physical memory / 8 (3 GB on a 24 GB machine)


def _machine_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def memory_limit() -> str:
    configured = os.environ.get(ENV, "").strip()
    if configured:
        return configured
    return f"{max(1, _machine_bytes() // SHARE_OF_MACHINE // 2**20)}MB"


def duckdb_config(in_memory: bool) -> dict[str, str]:
    """Settings for ``duckdb.connect(config=...)``."""
    config = {"memory_limit": memory_limit()}
    if in_memory:
        spill = Path(tempfile.gettempdir()) / f"doudi_spill_{os.getpid()}"
        config["temp_directory"] = str(spill)
    return config
