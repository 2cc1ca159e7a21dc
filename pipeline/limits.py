"""How much memory DuckDB may hold during a run, and where it spills the rest.

DuckDB's own default is 80% of the machine, which leaves nothing for the polars frames a run
holds beside it.  doudi caps each connection at ``DOUDI_DUCKDB_MEMORY`` (a DuckDB size such as
``4GB``), by default an eighth of the machine's memory and 2 GB at most; joins, sorts and
materialised facts beyond it spill to disk (beside the database file; the screening database
into the run's build folder, or the system temp folder for the rule tests').  See
docs/decisions.md, "Memory".

``release_freed_memory`` (called when ``pipeline`` is imported) asks polars' allocator (jemalloc
on Linux) to hand freed pages back to the system after half a second rather than ten: a run frees a
stage's frames just before the next stage allocates its own, and pages kept ten seconds add the
two (1.9 GB -> 1.1 GB after identity resolution at 200,000 households).  At once (0 ms) holds no
less at the peak but pays for it: every page handed back is faulted in again, 30 s of system time
in a 55 s run at 200,000 households against 13-16 s with 0.5-2 s (run 12-18% faster; same peak).
At 1,000,000 households half a second held 3,582 MB at the peak (220.6 s), one second 3,671 MB.

``compact``: a small frame cut from a large one, kept for long, is given its own text buffers.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ENV = "DOUDI_DUCKDB_MEMORY"
SHARE_OF_MACHINE = 8  # default cap = physical memory / 8 ...
# ... and 2 GB at most: the rules of a province's quarter (30 counties, 17.4M records) run within
# it, 8% slower than within 3 GB, and the process holding them stays under 4 GB (2.8 GB; 3.7 GB
# with a cap of 3 GB).  A run beside DuckDB holds its frames; a larger cap buys little time.
MOST_BY_DEFAULT = 2 * 2**30


def _machine_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def memory_limit() -> str:
    configured = os.environ.get(ENV, "").strip()
    if configured:
        return configured
    return f"{max(1, min(_machine_bytes() // SHARE_OF_MACHINE, MOST_BY_DEFAULT) // 2**20)}MiB"  # DuckDB's MB is 10^6 bytes


ALLOCATOR_ENV = "_RJEM_MALLOC_CONF"  # polars' jemalloc reads it once, when polars is loaded
ALLOCATOR_SETTINGS = "background_thread:true,dirty_decay_ms:500,muzzy_decay_ms:0"


def release_freed_memory() -> None:
    """Set the allocator's settings (see the module doc) unless the user set their own.  Takes
    effect only if polars is not loaded yet; elsewhere (Windows: another allocator) it is ignored."""
    os.environ.setdefault(ALLOCATOR_ENV, ALLOCATOR_SETTINGS)


def compact(frame):
    """``frame`` with its text columns copied into buffers of their own.  A text column filtered or
    gathered from a larger one still points into the larger one's buffers (polars' string views):
    a file's few rejected rows, kept while the other files are read, would hold every row's raw
    cells (about 1.5 GB at 1,000,000 households)."""
    import polars as pl  # not at the top: this module sets the allocator up before polars loads

    return frame.with_columns(pl.col(pl.String) + "")


def duckdb_config(in_memory: bool, spill: Path | None = None) -> dict[str, str]:
    """Settings for ``duckdb.connect(config=...)``; an in-memory database spills to ``spill``
    (default: a folder of the system temp folder)."""
    config = {"memory_limit": memory_limit()}
    if in_memory:
        spill = spill or Path(tempfile.gettempdir()) / f"doudi_spill_{os.getpid()}"
        config["temp_directory"] = str(spill)
    return config
