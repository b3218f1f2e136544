"""The periods figures are counted in: UK financial-year quarters, financial years, months.

Q1 is April to June: "Q2 2022-23" is July to September 2022 and "Q4 2022-23" is January to
March 2023. Each period has a code, used in query strings and by the measures command:

- a quarter: "<year the financial year starts>-Q<n>", e.g. "2022-Q2";
- a financial year: "2022-23" (April 2022 to March 2023);
- a month: "2022-07".

"2011-12" could be a financial year or December 2011: it is read as the financial year, the
period the action plan reports in (a month is "2011-12" only when the second part is not the
year after the first, e.g. "2022-12").

An audit is in a period when its audit date (a UK day, audit_app/measures/audit_date.py) is
between the period's first and last day, both included.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from audit_app.inputs import DATE_MAX, DATE_MIN, in_date_range

_QUARTER = re.compile(r"^([0-9]{4})-Q([1-4])$")
_TWO_PARTS = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
# Years a period code may name: those whose days are all dates the app takes
# (audit_app/inputs.py).
FIRST_YEAR, LAST_YEAR = DATE_MIN.year, DATE_MAX.year - 1


def _year(text):
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year {year} is out of range: use a year from {FIRST_YEAR} to "
                         f"{LAST_YEAR}")
    return year


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
        """The quarter for a code like "2022-Q2"; ValueError for anything else."""
        match = _QUARTER.fullmatch(code or "")
        if not match:
            raise ValueError(f"not a quarter code: {code!r}")
        year = int(match.group(1))
        if DATE_MIN.year - 1 <= year <= DATE_MAX.year:  # so that its days can be made
            quarter = cls(year, int(match.group(2)))
            if in_date_range(quarter.start) and in_date_range(quarter.end):
                return quarter
        first, last = cls.containing(DATE_MIN), cls.containing(DATE_MAX)
        raise ValueError(f"{code!r} is out of range: use a quarter from {first.code} to "
                         f"{last.code}")

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


@dataclass(frozen=True, order=True)
class FinancialYear:
    year: int  # the calendar year it starts in (April)

    @classmethod
    def containing(cls, day):
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def start(self):
        return date(self.year, 4, 1)

    @property
    def end(self):
        return date(self.year + 1, 3, 31)

    @property
    def code(self):
        return f"{self.year}-{(self.year + 1) % 100:02d}"

    @property
    def label(self):
        return f"Financial year {self.code}"

    @property
    def long_label(self):
        """ "Financial year 2022-23 (April 2022 to March 2023)" """
        return f"{self.label} (April {self.year} to March {self.year + 1})"


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @property
    def start(self):
        return date(self.year, self.month, 1)

    @property
    def end(self):
        following = date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return following - timedelta(days=1)

    @property
    def code(self):
        return f"{self.year}-{self.month:02d}"

    @property
    def label(self):
        return f"{_MONTHS[self.month - 1]} {self.year}"

    long_label = label


def parse_period(code):
    """The quarter, financial year or month a code names; ValueError saying what is wrong."""
    text = (code or "").strip()
    if _QUARTER.match(text):
        return Quarter.parse(text)
    match = _TWO_PARTS.fullmatch(text)
    if not match:
        raise ValueError(f"{code!r} is not a period: use a quarter like 2022-Q2, a financial "
                         "year like 2022-23 or a month like 2022-07")
    year, second = _year(match.group(1)), int(match.group(2))
    if second == (year + 1) % 100:
        return FinancialYear(year)
    if 1 <= second <= 12:
        return Month(year, second)
    raise ValueError(f"{code!r} is neither a financial year (the year after {year} ends in "
                     f"{(year + 1) % 100:02d}) nor a month (01 to 12)")


def quarters_between(first, last):
    """Every quarter from first to last inclusive, oldest first."""
    quarters = []
    quarter = first
    while quarter <= last:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters


def quarters_ending(last, count):
    """The `count` quarters up to and including `last`, oldest first (a trend)."""
    index = last.year * 4 + last.number - count
    return quarters_between(Quarter(index // 4, index % 4 + 1), last)


def financial_year_start(day):
    return Quarter(Quarter.containing(day).year, 1)


def last_complete_quarter(day):
    """The latest quarter that has ended before `day` (a UK day): what reports show unless
    asked for another."""
    return Quarter.containing(Quarter.containing(day).start - timedelta(days=1))
