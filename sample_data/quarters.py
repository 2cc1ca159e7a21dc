"""Quarters of a run: months, first day and reference date (the last day)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Q:
    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> "Q":
        y, n = text.strip().upper().split("Q")
        return cls(int(y), int(n))

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def months(self) -> list[date]:
        return [date(self.year, 3 * self.q - 2 + i, 1) for i in range(3)]

    @property
    def start(self) -> date:
        return self.months[0]

    @property
    def ref(self) -> date:
        nxt = date(self.year + 1, 1, 1) if self.q == 4 else date(self.year, 3 * self.q + 1, 1)
        return nxt - timedelta(days=1)

    @property
    def ref_month(self) -> date:
        return self.months[2]


def add_months(d: date, k: int) -> date:
    m = d.year * 12 + d.month - 1 + k
    return date(m // 12, m % 12 + 1, 1)


def years_before(d: date, years: int) -> date:
    """The same day ``years`` earlier (29 Feb -> 28 Feb)."""
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return d.replace(year=d.year - years, day=28)
