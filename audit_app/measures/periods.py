"""UK financial-year quarters, the periods the action plan reports in.

Q1 is April to June: "Q2 2022-23" is July to September 2022 and "Q4 2022-23" is January to
March 2023. A quarter's code, used in query strings, is "<year the financial year starts>-Q<n>",
e.g. "2022-Q2".
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from audit_app.inputs import DATE_MAX, DATE_MIN, in_date_range

_CODE = re.compile(r"([0-9]{4})-Q([1-4])")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


@dataclass(frozen=True, order=True)
class Quarter:
    year: int  # the calendar year the financial year starts in (April)
    number: int

    @classmethod
    def containing(cls, day):
        year = day.year if day.month >= 4 else day.year - 1
        return cls(year, (day.month - 4) % 12 // 3 + 1)

    @classmethod
    def parse(cls, code):
        """The quarter for a code like "2022-Q2" within the dates the app takes
        (audit_app/inputs.py); ValueError for anything else."""
        match = _CODE.fullmatch(code or "")
        year = int(match.group(1)) if match else 0
        quarter = cls(year, int(match.group(2))) if match else None
        if not (DATE_MIN.year - 1 <= year <= DATE_MAX.year
                and in_date_range(quarter.start) and in_date_range(quarter.end)):
            raise ValueError(f"not a quarter code: {code!r}")
        return quarter

    @property
    def start(self):
        month = 4 + 3 * (self.number - 1)
        return date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self):
        return self.next().start - timedelta(days=1)

    def next(self):
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year,
                                                                          self.number + 1)

    @property
    def code(self):
        return f"{self.year}-Q{self.number}"

    @property
    def financial_year(self):
        return f"{self.year}-{(self.year + 1) % 100:02d}"

    @property
    def label(self):
        return f"Q{self.number} {self.financial_year}"

    @property
    def long_label(self):
        """ "Q2 2022-23 (July to September 2022)" """
        start, end = self.start, self.end
        return (f"{self.label} ({_MONTHS[start.month - 1]} to "
                f"{_MONTHS[end.month - 1]} {end.year})")


def quarters_between(first, last):
    """Every quarter from first to last inclusive, oldest first."""
    quarters = []
    quarter = first
    while quarter <= last:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters


def financial_year_start(day):
    return Quarter(Quarter.containing(day).year, 1)
