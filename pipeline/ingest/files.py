"""Read input files: pick the reader by the file's content, apply the sheet rules.

- the form is told by the bytes (a zip is .xlsx, an OLE2 compound file is .xls, an HTML page
  named .xls is read as the tables Excel would show (html.py), else the suffix decides:
  .csv / .txt as CSV); anything else is a FileProblem, never skipped silently;
- hidden sheets are read and kept only when they hold a table; empty sheets beside sheets
  with data are skipped with a reason; a file with no data at all is one FileProblem;
- an HTML page's tables are read like sheets; a table holding no recognised table beside one
  that does (a signature block, a layout table) is skipped with a reason;
- a file that cannot be read (damaged, cut short, password) is one FileProblem naming the reason.
"""

from __future__ import annotations

import csv as stdlib_csv
import hashlib
import zipfile
from pathlib import Path

from lxml.etree import ParserError
from python_calamine import CalamineError, PasswordError

from pipeline.ingest import messages
from pipeline.ingest.csv import UTF16_BOMS, read_csv
from pipeline.ingest.excel import read_workbook
from pipeline.ingest.grid import blank_rows
from pipeline.ingest.html import looks_like_html, read_html
from pipeline.ingest.model import FileProblem, FileRead, SheetTable
from pipeline.ingest.sheet import read_sheet

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Other files a clerk may drop in under an Excel name: (magic bytes, what they are).
_NOT_SHEETS = ((b"%PDF", "PDF 文件"), (b"\x89PNG", "图片"), (b"\xff\xd8\xff", "图片"), (b"{\\rtf", "RTF 文档"))
_XML_SPREADSHEET = b"urn:schemas-microsoft-com:office:spreadsheet"  # Excel 2003 XML
TEXT_SUFFIXES = (".csv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et")


def form_of(path: Path, data: bytes) -> str:
    """xlsx / xls / html / csv; ``other`` for a file named as a workbook that is none (a PDF, an
    Excel 2003 XML file ...); else the suffix (without dot) of a file ingest cannot read.

    Told by the bytes first: systems often export an .xlsx named .xls, an HTML page or
    tab-separated text named .xls; those are read as what they are.
    """
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        if data.startswith(_ZIP):
            return "xlsx"
        if data.startswith(_OLE2):
            return "xls"
        if what_it_is(data):
            return "other"
        if data.startswith(UTF16_BOMS):  # Excel's "Unicode text" (or a page) in UTF-16
            head = data[:8192].decode("utf-16", errors="ignore").encode("utf-8")
            return "html" if looks_like_html(head) else "csv"
        if looks_like_html(data):
            return "html"
        return "csv" if _is_delimited_text(data) else "other"
    return "csv" if suffix in TEXT_SUFFIXES else suffix[1:]


def what_it_is(data: bytes) -> str | None:
    """What a file that is no sheet holds, when its bytes say so (a PDF named .xls ...)."""
    if _XML_SPREADSHEET in data[:4096]:
        return "Excel 2003 XML 表格"
    return next((what for magic, what in _NOT_SHEETS if data.startswith(magic)), None)


def _is_delimited_text(data: bytes) -> bool:
    """Text (no NUL byte, not HTML/XML) - what a system writes as a "fake" .xls."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return b"\x00" not in head and not head.startswith(b"<")


def is_ignored(path: Path) -> bool:
    """Office lock files (``~$x.xlsx``), WPS temp files and hidden files."""
    return path.name.startswith(("~", ".")) or path.name.lower() in ("thumbs.db", "desktop.ini")


def read_file(path: Path, file_name: str | None = None) -> FileRead:
    """Read one input file.  ``file_name`` (default: the file's name) is used in messages."""
    path = Path(path)
    name = file_name or path.name
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    form = form_of(path, data)
    read = FileRead(name, path, digest, form, [])
    if not data.strip():
        read.sheets.append(FileProblem(name, "", messages.empty(name)))
    elif form in ("xlsx", "xls"):
        _read_excel(read, data)
    elif form == "html":
        _read_html(read, data)
    elif form == "csv":
        _read_text(read, data)
    elif path.suffix.lower() in EXCEL_SUFFIXES:
        content = f"文件内容是{what_it_is(data)}，不是 Excel 格式" if what_it_is(data) else "文件内容不是 Excel 格式"
        read.sheets.append(FileProblem(name, "", messages.unreadable(name, path.suffix.lower()[1:], content)))
    else:
        read.sheets.append(FileProblem(name, "", messages.unsupported(name, path.suffix.lower())))
    return read


def weight(path: Path) -> int:
    """What reading ``path`` costs, in bytes of text to parse: a zip (``.xlsx``) by the unpacked size
    of its parts (a sheet packs to a fifth or less), any other file by its size."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as z:
            return sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, OSError):
        return path.stat().st_size


def list_files(folder: Path) -> list[tuple[Path, str]]:
    """(path, name) of every file under ``folder`` a run reads, sorted by path.

    Sub-folders included; a file in one is named by its path relative to ``folder``
    (``民政/低保.xlsx``).  Lock, temporary and hidden files are left out.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"输入目录 {folder} 不存在")
    paths = sorted(
        p for p in folder.rglob("*") if p.is_file() and not any(is_ignored(Path(part)) for part in p.relative_to(folder).parts)
    )
    return [(p, p.relative_to(folder).as_posix()) for p in paths]


def read_folder(folder: Path) -> list[FileRead]:
    """Every file under ``folder`` read (see ``list_files``)."""
    return [read_file(p, name) for p, name in list_files(folder)]


def _read_text(read: FileRead, data: bytes) -> None:
    try:
        grid = read_csv(data)
    except stdlib_csv.Error as error:
        read.sheets.append(FileProblem(read.file_name, "", messages.unreadable(read.file_name, "CSV", str(error))))
        return
    read.sheets.append(read_sheet(read.file_name, "", grid))


def _read_excel(read: FileRead, data: bytes) -> None:
    try:
        sheets = read_workbook(data)
    except PasswordError:
        read.sheets.append(FileProblem(read.file_name, "", messages.unreadable(read.file_name, read.form, "文件设有打开密码")))
        return
    except (CalamineError, OSError, ValueError) as error:
        read.sheets.append(FileProblem(read.file_name, "", messages.damaged(read.file_name, read.form, str(error))))
        return
    empty: list[str] = []
    for sheet in sheets:
        if not sheet.is_data:
            read.skipped_sheets.append((sheet.name, messages.NOT_A_WORKSHEET))
        elif blank_rows(sheet.grid).all():
            empty.append(sheet.name)
        else:
            result = read_sheet(read.file_name, sheet.name, sheet.grid)
            if sheet.visible or isinstance(result, SheetTable):
                read.sheets.append(result)
            else:
                read.skipped_sheets.append((sheet.name, messages.HIDDEN_NO_TABLE))
    if read.sheets:
        read.skipped_sheets += [(name, messages.EMPTY_SHEET) for name in empty]
    else:
        read.sheets.append(FileProblem(read.file_name, "", messages.empty(read.file_name)))


def _read_html(read: FileRead, data: bytes) -> None:
    """The page's tables as sheets (``表1``, ``表2`` ... when there are several)."""
    try:
        tables = read_html(data)
    except (ParserError, ValueError) as error:
        read.sheets.append(FileProblem(read.file_name, "", messages.damaged(read.file_name, "HTML", str(error))))
        return
    tables = [t for t in tables if not blank_rows(t.grid).all()]
    if not tables:
        read.sheets.append(FileProblem(read.file_name, "", messages.no_html_table(read.file_name)))
        return
    names = [f"表{t.number}" if len(tables) > 1 else "" for t in tables]
    results = [(name, read_sheet(read.file_name, name, t.grid)) for name, t in zip(names, tables)]
    found = any(isinstance(r, SheetTable) for _, r in results)
    for name, result in results:
        if found and not isinstance(result, SheetTable):
            read.skipped_sheets.append((name, messages.OTHER_HTML_TABLE))
        else:
            read.sheets.append(result)
