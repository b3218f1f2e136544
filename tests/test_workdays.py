"""Working days skip weekends and England and Wales bank holidays.

Dates checked against GOV.UK's published bank holidays for England and Wales
(www.gov.uk/bank-holidays), including the one-off 2022 and 2023 holidays.
"""

from datetime import date

import pytest

from audit_app.workdays import add_working_days, is_working_day, working_days_between


@pytest.mark.parametrize(
    "day",
    [
        date(2022, 9, 19),  # State Funeral of Queen Elizabeth II
        date(2023, 5, 8),  # Coronation of King Charles III
        date(2022, 12, 27),  # Christmas Day substitute (25th was a Sunday)
        date(2026, 4, 3),  # Good Friday 2026
        date(2026, 4, 6),  # Easter Monday 2026
        date(2026, 8, 31),  # Summer bank holiday 2026
        date(2026, 12, 28),  # Boxing Day substitute (26th is a Saturday)
    ],
)
def test_bank_holidays_are_not_working_days(day):
    assert not is_working_day(day)


def test_scottish_holidays_are_working_days_in_england():
    assert is_working_day(date(2026, 1, 2))  # 2 January: a bank holiday in Scotland only
    assert is_working_day(date(2026, 8, 3))  # Scotland's summer bank holiday


def test_weekends_are_not_working_days():
    assert not is_working_day(date(2026, 11, 28))  # Saturday
    assert not is_working_day(date(2026, 11, 29))  # Sunday
    assert is_working_day(date(2026, 11, 27))  # Friday


def test_twenty_working_days_over_christmas():
    # From Friday 11 December 2026: 25 Dec (Fri) and 28 Dec (Boxing Day substitute) are
    # holidays, and 1 January 2027 (Fri) too.
    assert add_working_days(date(2026, 12, 11), 20) == date(2027, 1, 13)


def test_twenty_working_days_in_an_ordinary_month():
    assert add_working_days(date(2026, 10, 1), 20) == date(2026, 10, 29)


def test_next_working_day_after_a_friday_before_a_bank_holiday_monday():
    assert add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 1)


def test_zero_days_is_the_same_day_and_negative_is_refused():
    assert add_working_days(date(2026, 10, 1), 0) == date(2026, 10, 1)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 10, 1), -1)


def test_working_days_between_is_the_inverse():
    start = date(2026, 12, 11)
    assert working_days_between(start, add_working_days(start, 20)) == 20
