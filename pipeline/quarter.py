"""Quarters: ``2026Q3`` -> its months, first day and reference date (the last day)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from pipeline.errors import UsageError

_FORM = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        m = _FORM.match(text.strip())
        if not m:
            raise UsageError(f"季度“{text}”格式不对，应如 2026Q3（年份加 Q1-Q4）")
        return cls(int(m.group(1)), int(m.group(2)))

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def first_month(self) -> int:
        return 3 * self.q - 2

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def reference_date(self) -> date:
        """The last day of the quarter: ages, deaths and 'in force' are judged on this day."""
        nxt = date(self.year + 1, 1, 1) if self.q == 4 else date(self.year, self.first_month + 3, 1)
        return nxt - timedelta(days=1)

    @property
    def months(self) -> tuple[date, date, date]:
        return tuple(date(self.year, self.first_month + i, 1) for i in range(3))  # type: ignore[return-value]

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.q == 1 else Quarter(self.year, self.q - 1)
