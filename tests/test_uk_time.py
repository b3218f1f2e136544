"""Times are stored in UTC and shown and counted in UK time (Europe/London), with one "today".

UK summer time (BST, UTC+1) runs from the last Sunday of March to the last Sunday of
October, so from April to October a stored 23:30 is 00:30 on the next day in the UK.
"""

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from audit_app import timeutil
from audit_app.audits import escalations, workflow
from audit_app.extensions import db
from audit_app.main import worklist
from audit_app.measures.agreement import Scope, agreement_report
from audit_app.measures.periods import Quarter
from audit_app.models import Audit, Moderation
from audit_app.reports import services as report_services
from audit_app.templating import format_date, format_datetime
from audit_app.workdays import add_working_days
from tests import factories
from tests.moderation_factories import make_template, moderate
from tests.test_audit_workflow import complete

PACKAGE = Path(__file__).resolve().parent.parent / "audit_app"


@pytest.mark.parametrize(("stored", "uk_day"), [
    (datetime(2022, 6, 30, 23, 30), date(2022, 7, 1)),  # summer: 00:30 on 1 July in the UK
    (datetime(2022, 6, 30, 22, 59), date(2022, 6, 30)),
    (datetime(2022, 12, 31, 23, 30), date(2022, 12, 31)),  # winter: the UK is on UTC
    (datetime(2023, 3, 26, 0, 59), date(2023, 3, 26)),  # the night the clocks go forward
    (datetime(2023, 3, 31, 23, 30), date(2023, 4, 1)),  # ... so Q1 2023-24 starts an hour early
    (datetime(2022, 10, 29, 23, 30), date(2022, 10, 30)),  # still BST until 01:00 UTC on 30th
    (datetime(2022, 10, 30, 23, 30), date(2022, 10, 30)),  # GMT again
])
def test_a_stored_time_falls_on_its_uk_day(stored, uk_day):
    assert timeutil.local_date(stored) == uk_day
    assert timeutil.stored(uk_day, timeutil.local(stored).time()) == stored


def test_today_is_the_uk_day(monkeypatch):
    monkeypatch.setattr(timeutil, "utcnow", lambda: datetime(2026, 6, 30, 23, 30))
    assert timeutil.today() == date(2026, 7, 1)
    monkeypatch.setattr(timeutil, "utcnow", lambda: datetime(2026, 12, 31, 23, 30))
    assert timeutil.today() == date(2026, 12, 31)


def test_pages_show_uk_time():
    assert format_datetime(datetime(2022, 6, 30, 23, 30)) == "1 July 2022 at 00:30"
    assert format_datetime(datetime(2022, 12, 1, 9, 5)) == "1 December 2022 at 09:05"
    assert format_date(datetime(2022, 6, 30, 23, 30)) == "1 July 2022"  # a timestamp's UK day
    assert format_date(date(2022, 6, 30)) == "30 June 2022"  # a date is already a day
    assert format_date(None) == format_datetime(None) == ""


# Ways of reading the clock that would bypass Europe/London: only timeutil may read it.
OTHER_CLOCKS = re.compile(
    r"date\.today\(|datetime\.(?:now|utcnow|today)\(|time\.localtime|utcnow\(\)\.date\(\)"
    r"|_at\.date\(\)|_at:%")


def test_timeutil_is_the_only_clock():
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py")) if path.name != "timeutil.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if OTHER_CLOCKS.search(line)
    ]
    assert offenders == []


def test_submitting_stores_the_uk_day_and_dates_actions_from_it(app, users, monkeypatch):
    programme = factories.make_programme(factories.make_template())
    audit = factories.make_audit(programme, factories.make_case("LCS-BST1"), users["auditor"])
    complete(audit, users["auditor"])
    action = workflow.add_recommendation(audit, users["auditor"], "Update the plan", None,
                                         None, "medium")
    # Sunday 2 July 2023, 23:30 UTC: Monday 3 July, 00:30 in the UK.
    monkeypatch.setattr(workflow, "utcnow", lambda: datetime(2023, 7, 2, 23, 30))
    workflow.submit(audit, users["auditor"], audit.row_version)
    db.session.commit()
    assert audit.submitted_at == datetime(2023, 7, 2, 23, 30)  # stored in UTC
    assert audit.audited_on == date(2023, 7, 3)
    # 20 working days counted from the UK day (Monday), not the UTC one (Sunday).
    assert action.due_on == add_working_days(date(2023, 7, 3), 20) == date(2023, 7, 31)


def test_the_days_follow_the_timestamps_however_they_are_set():
    audit, moderation = Audit(), Moderation()
    audit.submitted_at = datetime(2022, 6, 30, 23, 30)
    moderation.submitted_at = datetime(2022, 6, 30, 23, 30)
    assert audit.audited_on == moderation.submitted_on == date(2022, 7, 1)
    audit.submitted_at = None
    assert audit.audited_on is None


def test_an_audit_at_half_past_midnight_on_1_july_counts_in_q2(users):
    """Q2 is July to September. 00:30 on 1 July in the UK is 23:30 on 30 June in UTC."""
    template = make_template()
    people = dict(auditor=users["auditor"], moderator=users["moderator"], template=template)
    moderate(**people, reference="LCS-Q2-FIRST", audited_at=datetime(2022, 6, 30, 23, 30),
             submitted_at=datetime(2022, 6, 30, 23, 45))
    moderate(**people, reference="LCS-Q1-LAST", audited_at=datetime(2022, 6, 30, 22, 30))
    moderate(**people, reference="LCS-Q3-FIRST", audited_at=datetime(2022, 9, 30, 23, 30))
    db.session.commit()
    q1, q2, q3 = (Quarter(2022, n) for n in (1, 2, 3))
    moderated = {q: agreement_report(Scope(start=q.start, end=q.end)).overall.figure.denominator
                 for q in (q1, q2, q3)}
    assert moderated == {q1: 1, q2: 1, q3: 1}
    # The report's quarters start from the first audit's UK day.
    options = report_services.filter_options(date(2022, 7, 15))
    assert options.quarters[0] == q1
    # The downloaded pairs give the UK days the moderation and the audit were submitted.
    from audit_app.measures.agreement import pairs
    days = {row[2]: (row[15], row[16]) for row in pairs(Scope(start=q2.start, end=q2.end))}
    assert days == {"LCS-Q2-FIRST": (date(2022, 7, 1), date(2022, 7, 1))}


@pytest.fixture
def moderated_at_half_past_midnight(users):
    moderate(users["auditor"], users["moderator"], make_template(), reference="LCS-BST2",
             submitted_at=datetime(2022, 6, 30, 23, 30))
    db.session.commit()


def test_feedback_page_shows_uk_time(client, login, moderated_at_half_past_midnight):
    login("auditor")
    assert "1 July 2022 at 00:30" in client.get("/moderation/feedback").text


def test_export_gives_the_uk_day(client, login, moderated_at_half_past_midnight):
    login("moderator")
    rows = list(csv.reader(io.StringIO(client.get(
        "/reports/agreement-pairs.csv?period_from=2022-Q2&period_to=2022-Q2").text)))
    submitted = rows[0].index("Submitted")
    assert {row[submitted] for row in rows[1:]} == {"2022-07-01"}


def test_escalation_deadline_counts_from_the_uk_day():
    # Friday 28 August 2026, 23:30 UTC is Saturday 00:30 in the UK; Monday 31 August is a
    # bank holiday, so the next working day is Tuesday 1 September, at 00:30 UK time.
    assert escalations.acknowledge_deadline(datetime(2026, 8, 28, 23, 30)) == datetime(
        2026, 8, 31, 23, 30)


def test_home_page_marks_an_audit_overdue_from_the_uk_day(client, login, users, monkeypatch):
    programme = factories.make_programme(factories.make_template())
    factories.make_audit(programme, factories.make_case("LCS-DUE1"), users["auditor"],
                         due_on=date(2026, 6, 30))
    db.session.commit()
    login("auditor")
    # 23:30 UTC on the due day is 00:30 the next day in the UK: overdue.
    half_past_midnight = datetime(2026, 6, 30, 23, 30)
    monkeypatch.setattr(timeutil, "utcnow", lambda: half_past_midnight)
    monkeypatch.setattr(worklist, "utcnow", lambda: half_past_midnight)
    items = client.get("/").soup.find(id="panel-auditor").find_parent("section").select("li")
    tags = {li.a.get_text(): li.select_one(".govuk-tag") for li in items}
    assert tags["Case LCS-DUE1, due 30 June 2026"].get_text() == "Overdue"
