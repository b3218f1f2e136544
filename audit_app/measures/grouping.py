"""Counting a run of periods in one query: each row is put in its period by the database.

A trend of eight quarters is one GROUP BY over the eight quarters' dates, not eight queries,
so a page makes the same number of queries whatever the number of periods it shows.
"""

from sqlalchemy import case, literal


def period_of(day, periods):
    """SQL: the code of the period of `periods` (not overlapping) that the date column `day`
    falls in; NULL when none. Labelled, so that a query selects and groups by the same
    expression with the same bound values."""
    return case(*((day.between(period.start, period.end), literal(period.code))
                  for period in periods)).label("period")
