"""The problems a user can cause and correct, each said in one line of Chinese.

``UsageError``: the command cannot run as asked (no such folder, an empty folder, a folder with
no table, a quarter like ``2026Q5``, a policy that cannot be used, a quarter missing a table).
Nothing is written: the database and the reports folder are left as they were.  The command line
prints the message alone and exits 2; any other exception is a bug and keeps its traceback.

``DatabaseBusy``: another run holds the database (exit 3).
"""

from __future__ import annotations


class DoudiError(Exception):
    """An expected problem; ``str(e)`` is the whole message, in Chinese."""


class UsageError(DoudiError, ValueError):
    """The command cannot run as asked; nothing was written."""


class IncompleteQuarter(UsageError):
    """A table of inputs.md is missing from the quarter's folder (and was not declared missing)."""


class DatabaseBusy(DoudiError, RuntimeError):
    """Another run holds the database."""
