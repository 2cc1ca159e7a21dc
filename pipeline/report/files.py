"""Writing report files whole: a reader never opens a half-written workbook or page.

Each file is written to a temporary name beside it and moved into place.  A file that cannot be
replaced (on Windows, a workbook left open in Excel or WPS) raises ``FileLocked`` naming it; the
temporary file is removed and the old file left as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook

from pipeline.report import sheetrows


class FileLocked(Exception):
    """The report file exists and cannot be replaced (open in another program)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"无法替换 {path}（{reason}）：请关闭 {path.name} 后运行 doudi report")

    def __reduce__(self):  # handed back from a worker process (``write_reports(workers=…)``)
        return FileLocked, (self.path, self.reason)


def _temp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _move(tmp: Path, path: Path) -> None:
    try:
        os.replace(tmp, path)
    except PermissionError as e:
        raise FileLocked(path, e.strerror or str(e)) from e


def save_workbook(wb: Workbook, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp(path)
    try:
        sheetrows.save(wb, tmp)
        _move(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def save_text(text: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp(path)
    try:
        tmp.write_text(text, encoding="utf-8")
        _move(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
