"""The townships' answers: 整改台账 columns of the workbooks read back into ``case_feedback``
(``doudi feedback import``), and carried onto the next quarter's cases.

- :mod:`.parse`: what people type (answers, dates, deadlines) -> values, or a reason it can't be read;
- :mod:`.read`: a filled-in workbook -> answered rows and issues (file, sheet, row, column);
- :mod:`.importer`: rows checked against ``cases`` and stored in ``case_feedback``;
- :mod:`.carry`: the latest answer per case joined onto the next run's ``cases``.
"""

from pipeline.feedback.carry import carry_feedback, latest_feedback
from pipeline.feedback.importer import ImportResult, import_feedback
from pipeline.feedback.read import Issue, read_workbook

__all__ = ["ImportResult", "Issue", "carry_feedback", "import_feedback", "latest_feedback", "read_workbook"]
