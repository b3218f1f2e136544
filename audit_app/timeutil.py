"""Time: stored in UTC, shown and counted in UK time.

Timestamps are stored as naive UTC, so SQLite and PostgreSQL agree. Every day a person sees
or a figure is counted by ("today", due dates, the day an audit or a moderation was
submitted, quarters) is a day in Europe/London: from April to October UK time is an hour
ahead of UTC, so 00:30 on 1 July in the UK is still 30 June in UTC.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utcnow():
    return datetime.now(UTC).replace(tzinfo=None)


def local(moment):
    """A stored (naive UTC) timestamp as an aware Europe/London datetime; None stays None."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(LONDON)


def local_date(moment):
    """The UK day a stored (naive UTC) timestamp falls on; None stays None."""
    return None if moment is None else local(moment).date()


def stored(day, clock):
    """The stored (naive UTC) timestamp of UK wall-clock time `clock` on `day`."""
    return datetime.combine(day, clock, tzinfo=LONDON).astimezone(UTC).replace(tzinfo=None)


def today():
    """Today in the UK: the one "today" of the whole app."""
    return local_date(utcnow())
