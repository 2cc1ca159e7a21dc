"""Keep ID numbers out of logs: ``mask_ids`` and a logging filter that applies it.

Prefect sends every log line of a flow run to its API (and the console); a message or a traceback
that quotes a record would carry a full 身份证号 there.  ``MaskIDs`` rewrites any ID-looking
string before a handler sees it: a run of 15 to 19 digits (the last may be X) keeps its first 6
and last 4 characters, ``533321199001011234`` -> ``533321********1234``; an ID that Excel turned
into a number (``5.33321199001011E+17``) keeps its first 7 characters.

``install(names)`` puts the filter on those loggers and on every handler attached to them (a
logger's filter only sees records created by that logger; a handler's sees every record that
reaches it), and wraps the log record factory so a record of any logger is masked when created.
It is idempotent.  Nothing here imports Prefect: ``flows/`` passes Prefect's logger names.
"""

from __future__ import annotations

import logging
import re

# 6 kept + 5..9 hidden + 4 kept = 15..19 characters (18-digit IDs, old 15-digit IDs, and the
# 16-19 digit bank card numbers of payment rows), not part of a longer run of digits.
_ID = re.compile(r"(?<!\d)(\d{6})(\d{5,9})(\d{3}[\dXx])(?!\d)")
# An ID typed as a number and shown by Excel in scientific form: 5.33321199001011E+17.
_SCI = re.compile(r"(?<!\d)(\d\.\d{5})\d{6,}([Ee]\+1[4-7])")

# Our own logger (pipeline code that logs uses ``logging.getLogger("doudi...")``).
DOUDI_LOGGER = "doudi"


def mask_ids(text: str) -> str:
    """``text`` with every ID-looking string masked (see the module doc)."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    text = _ID.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    return _SCI.sub(lambda m: m.group(1) + "******" + m.group(2), text)


def mask_exception(exc: BaseException) -> BaseException:
    """Mask the string arguments of ``exc`` (and of its causes) in place; returns ``exc``.

    Prefect stores a failed task's or flow's exception message in its state on the server.
    """
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        try:
            e.args = tuple(mask_ids(a) if isinstance(a, str) else a for a in e.args)
        except Exception:  # an exception type with read-only args: leave it
            pass
        e = e.__cause__ or e.__context__
    return exc


def _mask_record(record: logging.LogRecord) -> None:
    if getattr(record, "_doudi_masked", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it itself
        return
    masked = mask_ids(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        record.exc_text = mask_ids(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = mask_ids(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_ids(record.stack_info)
    record._doudi_masked = True


class MaskIDs(logging.Filter):
    """Mask ID numbers in the message, arguments and traceback of every record; drop nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        _mask_record(record)
        return True


_FILTER = MaskIDs("")


def _add(obj) -> None:
    if not any(isinstance(f, MaskIDs) for f in obj.filters):
        obj.addFilter(_FILTER)


def install(names: tuple[str, ...] | list[str] = ()) -> None:
    """Mask IDs on the loggers ``names`` (and ``doudi`` and the root), their handlers, and at
    record creation."""
    for name in ("", DOUDI_LOGGER, *names):
        logger = logging.getLogger(name)
        _add(logger)
        for handler in logger.handlers:
            _add(handler)
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "_doudi_masks", False):

        def masking_factory(*args, **kwargs):
            record = factory(*args, **kwargs)
            _mask_record(record)
            return record

        masking_factory._doudi_masks = True  # type: ignore[attr-defined]
        logging.setLogRecordFactory(masking_factory)
