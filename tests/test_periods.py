"""Period codes: quarters, financial years and months, and which one an ambiguous code is."""

from datetime import date

import pytest

from audit_app.measures.periods import FinancialYear, Month, Quarter, parse_period


@pytest.mark.parametrize(("code", "period", "start", "end"), [
    ("2022-Q2", Quarter(2022, 2), date(2022, 7, 1), date(2022, 9, 30)),
    ("2022-Q4", Quarter(2022, 4), date(2023, 1, 1), date(2023, 3, 31)),
    ("2022-23", FinancialYear(2022), date(2022, 4, 1), date(2023, 3, 31)),
    ("1999-00", FinancialYear(1999), date(1999, 4, 1), date(2000, 3, 31)),
    ("2022-07", Month(2022, 7), date(2022, 7, 1), date(2022, 7, 31)),
    ("2024-02", Month(2024, 2), date(2024, 2, 1), date(2024, 2, 29)),
    ("2022-12", Month(2022, 12), date(2022, 12, 1), date(2022, 12, 31)),
    # Either December 2011 or the financial year 2011-12: read as the financial year.
    ("2011-12", FinancialYear(2011), date(2011, 4, 1), date(2012, 3, 31)),
    (" 2022-Q2 ", Quarter(2022, 2), date(2022, 7, 1), date(2022, 9, 30)),
])
def test_codes(code, period, start, end):
    parsed = parse_period(code)
    assert parsed == period
    assert (parsed.start, parsed.end) == (start, end)
    assert parsed.code == code.strip()


@pytest.mark.parametrize("code", [
    "", None, "2022", "2022-Q5", "2022-Q0", "22-23", "2022-24", "2022-13", "2022-00",
    "0001-02", "9999-Q1", "2022-7", "2022\x00-Q2", "Q2 2022-23", "2022-Q2-extra",
])
def test_bad_codes_say_what_is_wrong(code):
    with pytest.raises(ValueError, match="period|financial year|out of range|quarter"):
        parse_period(code)


def test_labels():
    assert FinancialYear(2022).long_label == "Financial year 2022-23 (April 2022 to March 2023)"
    assert Month(2022, 7).long_label == "July 2022"
    assert Quarter(2022, 2).long_label == "Q2 2022-23 (July to September 2022)"
    assert FinancialYear.containing(date(2023, 3, 31)) == FinancialYear(2022)
    assert FinancialYear.containing(date(2023, 4, 1)) == FinancialYear(2023)
