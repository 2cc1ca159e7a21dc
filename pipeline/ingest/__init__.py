"""Ingest: read every input file as text, find each sheet's header, recognise its table.

``read_file(path) -> FileRead`` and ``read_folder(dir) -> list[FileRead]``; see model.py for
what they hold and docs/architecture.md ("1. Ingest") for the contract with normalisation.
``weight(path)``: what reading a file costs (bytes of text): a run reads files together while
they weigh no more than a little over its heaviest (``pipeline.executor.Admission``).
Modules: files.py (which reader, sheet rules), excel.py / csv.py / html.py (file -> text grid),
cells.py (cell -> text rule), grid.py (the text grid), header.py (header row and table
recognition), sheet.py (grid -> SheetTable / FileProblem), messages.py (Chinese messages).
"""

from pipeline.ingest.files import list_files, read_file, read_folder, weight
from pipeline.ingest.model import FileProblem, FileRead, SheetTable

__all__ = ["FileProblem", "FileRead", "SheetTable", "list_files", "read_file", "read_folder", "weight"]
