"""doudi's pipeline.  Importing it sets how freed memory goes back to the system before polars
loads (``pipeline.limits.release_freed_memory``)."""

from pipeline.limits import release_freed_memory

release_freed_memory()
