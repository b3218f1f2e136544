"""Overdue and due soon: derived from the due date and the UK day, never stored; the Python
rule and the SQL expression beside it agree, across bank holidays and UK midnight."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from audit_app import timeutil
from audit_app.extensions import db
from audit_app.models import Action
from audit_app.models.actions import due_soon, overdue
from audit_app.workdays import add_working_days
from tests.action_factories import open_action


def sql_says(action, day):
    overdue_sql, due_soon_sql = db.session.execute(
        select(Action.overdue_on(day), Action.due_soon_on(day)).where(Action.id == action.id)
    ).one()
    return bool(overdue_sql), bool(due_soon_sql)


def both_say(action, day):
    python = (action.overdue_on(day), action.due_soon_on(day))
    assert sql_says(action, day) == python, f"SQL and Python disagree on {day}"
    return python


@pytest.fixture
def christmas_action(users):
    """Raised on Thursday 17 December 2026. Counting 20 working days by hand: 18, 21, 22, 23,
    24 December (5); Friday 25 December and Monday 28 December (Boxing Day's substitute) are
    bank holidays; 29, 30, 31 December (8); Friday 1 January is a bank holiday; 4-8 January
    (13), 11-15 January (18), 18 and 19 January (20): due Tuesday 19 January 2027."""
    action = open_action(users["auditor"], raised_on=date(2026, 12, 17))
    db.session.commit()
    return action


def test_a_due_date_counted_over_christmas_bank_holidays(christmas_action):
    assert christmas_action.due_on == date(2027, 1, 19)


@pytest.mark.parametrize(("day", "is_overdue", "is_due_soon"), [
    (date(2027, 1, 11), False, False),  # 6 working days before
    (date(2027, 1, 12), False, True),   # 5 working days before
    (date(2027, 1, 19), False, True),   # the due day itself
    (date(2027, 1, 20), True, False),   # the day after
    (date(2028, 1, 1), True, False),
])
def test_overdue_from_the_day_after_the_due_date(christmas_action, day, is_overdue,
                                                 is_due_soon):
    assert both_say(christmas_action, day) == (is_overdue, is_due_soon)


def test_due_soon_counts_working_days_over_easter(users):
    """On Thursday 25 March 2027 the next 5 working days skip Good Friday (26 March) and
    Easter Monday (29 March): 30, 31 March, 1, 2 and 5 April."""
    due_monday, due_tuesday = (open_action(users["auditor"], raised_on=date(2027, 3, 1))
                               for _ in range(2))
    due_monday.due_on, due_tuesday.due_on = date(2027, 4, 5), date(2027, 4, 6)
    db.session.commit()
    thursday = date(2027, 3, 25)
    assert add_working_days(thursday, 5) == date(2027, 4, 5)
    assert both_say(due_monday, thursday) == (False, True)
    assert both_say(due_tuesday, thursday) == (False, False)


def test_an_action_due_before_a_bank_holiday_is_overdue_on_the_holiday(users):
    action = open_action(users["auditor"], raised_on=date(2027, 3, 1))
    action.due_on = date(2027, 3, 25)  # Thursday before Good Friday
    db.session.commit()
    assert both_say(action, date(2027, 3, 26)) == (True, False)


@pytest.mark.parametrize("status", ["completed", "cancelled", "verified_followed_up",
                                    "verified_partly", "proposed"])
def test_only_open_actions_are_overdue_or_due_soon(status, users):
    assert not overdue(status, date(2026, 1, 1), date(2026, 6, 1))
    assert not due_soon(status, date(2026, 6, 1), date(2026, 6, 1))
    assert overdue("open", date(2026, 1, 1), date(2026, 6, 1))
    assert not overdue("open", None, date(2026, 6, 1))


@pytest.mark.parametrize(("now", "is_overdue"), [
    (datetime(2026, 6, 30, 22, 59), False),  # 23:59 on 30 June in the UK (BST)
    (datetime(2026, 6, 30, 23, 0), True),    # midnight in the UK: 1 July
    (datetime(2026, 12, 31, 23, 59), False),  # winter: UK time is UTC
    (datetime(2027, 1, 1, 0, 0), True),
])
def test_overdue_turns_at_uk_midnight(users, monkeypatch, now, is_overdue):
    action = open_action(users["auditor"], raised_on=date(2026, 6, 1))
    action.due_on = date(2026, 6, 30) if now.month == 6 else date(2026, 12, 31)
    db.session.commit()
    monkeypatch.setattr(timeutil, "utcnow", lambda: now)
    assert both_say(action, timeutil.today())[0] is is_overdue
