"""Working days in England: weekends and England and Wales bank holidays are skipped.

Bank holidays come from the `holidays` package, which includes the one-off days (the
Queen's funeral on 19 September 2022, the coronation on 8 May 2023) that a hand-written
rule would miss.
"""

from datetime import timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year):
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day):
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start, days):
    """The date `days` working days after `start` (start itself is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def next_working_day(start):
    return add_working_days(start, 1)


def working_days_between(start, end):
    """Working days after `start` up to and including `end`."""
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        count += is_working_day(current)
    return count


__all__ = ["add_working_days", "is_working_day", "next_working_day", "working_days_between"]
