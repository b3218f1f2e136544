"""Retention: the free text of audits of cases closed longer ago than the retention period
goes, and their references become random tokens; every figure stays exactly as it was."""

import logging
import re
from datetime import date

import pytest
from sqlalchemy import JSON, String, Text, select, update

from audit_app import case_records, retention
from audit_app.actions import figures as action_figures
from audit_app.dip_samples import figures as dip_figures
from audit_app.extensions import db
from audit_app.measures.agreement import agreement_report, pairs
from audit_app.measures.compute import compute
from audit_app.measures.periods import Quarter, parse_period
from audit_app.measures.scope import Scope
from audit_app.models import Audit, Case, Event, Notification
from audit_app.reports import services as report_services
from audit_app.settings import set_setting
from tests import case_history

LONG_AGO = date(2019, 3, 31)  # more than 6 years before today on any day this runs
DEMO_TEXT = ("Chronology not updated", "The child's wishes are recorded",
             "Plans need clearer timescales", "Record the child's wishes and feelings",
             "Good analysis of risk", "Case note added to the child's record")


@pytest.fixture
def history(users):
    return case_history.build(users)


def close_long_ago(cases):
    for case in cases:
        case.opened_on, case.closed_on = date(2012, 1, 9), LONG_AGO
    db.session.commit()


def audited_cases():
    return db.session.scalars(select(Case).where(Case.id.in_(select(Audit.case_id)))
                              .order_by(Case.id)).all()


def figures():
    """Every figure the tool shows from these audits: the measures catalogue for the demo's
    quarter and year, for the council and by team; the agreement report (overall and for the
    quarter, as its CSV rows) and the compared grades less the reference column; the action
    figures and the dip-sample figures of each quarter."""
    shown = []
    for period in (Quarter.parse("2026-Q2"), parse_period("2026-27")):
        for by in (None, "team"):
            shown.append([r.as_dict() for r in compute(period, by=by)])
    for scope in (Scope(), Scope(start=date(2026, 7, 1), end=date(2026, 9, 30))):
        shown.append(report_services.report_rows(agreement_report(scope), []))
        shown.append([row[:2] + row[3:] for row in pairs(scope)])
    for code in ("2026-Q2", "2026-Q3", "2026-Q4"):
        quarter = Quarter.parse(code)
        shown.append(repr(action_figures.for_quarter(quarter, date(2026, 12, 1))))
        shown.append(repr(dip_figures.confirmed_followed_up(quarter)))
        shown.append(repr(dip_figures.coverage(dip_figures.quarter_months(quarter))))
    return shown


def everything_stored():
    """Every value of every text or JSON column in the database, as one text."""
    parts = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if columns:
            for row in db.session.execute(select(*columns)):
                parts.extend(str(value) for value in row if value is not None)
    return "\n".join(parts)


def test_every_text_column_of_a_case_is_either_free_text_or_kept_for_a_reason(app):
    for table in case_records.linked_tables():
        text_columns = {c.name for c in table.columns if isinstance(c.type, String | Text | JSON)}
        free = set(retention.FREE_TEXT.get(table.name, ()))
        kept = set(retention.KEPT.get(table.name, {}))
        assert not free & kept, table.name
        assert text_columns == free | kept, (
            f"{table.name}: say in audit_app/retention.py whether each text column is free "
            f"text (FREE_TEXT) or kept (KEPT): {sorted(text_columns ^ (free | kept))}")


def test_retention_removes_free_text_and_references_and_no_figure_changes(
        app, history, caplog):
    caplog.set_level(logging.INFO)
    cases = audited_cases()
    close_long_ago(cases)
    references = [case.reference for case in cases]
    before = figures()
    stored = everything_stored()
    assert case_history.KESTREL in stored and all(r in stored for r in references)

    run = retention.apply()

    assert sorted(done.case_id for done in run.cases) == [case.id for case in cases]
    assert figures() == before
    stored = everything_stored()
    for text in (case_history.KESTREL, *DEMO_TEXT):
        assert text not in stored, text
    for reference in references:
        assert not re.search(rf"(?<![\w-]){re.escape(reference)}(?![\w-])", stored), reference
    for case in cases:
        db.session.refresh(case)
        assert case.reference.startswith("ANON-") and case.anonymised_at is not None
    # What was written is marked as removed, not silently emptied; grades are all there.
    audit = db.session.get(Audit, history.audit.id)
    assert audit.strengths == retention.REMOVED and audit.overall_grade is not None
    assert {a.evidence for a in audit.answers} <= {None, "", retention.REMOVED}
    assert all(a.value == retention.REMOVED for a in audit.answers if a.question.kind == "text")
    assert all(a.value != retention.REMOVED for a in audit.answers if a.question.kind != "text")
    # The event log keeps who did what when, without the content.
    rows = case_records.rows_for_case(history.case.id)
    about = db.session.scalars(select(Event).where(case_records.events_condition(rows))).all()
    content = [e for e in about if e.action != "anonymised"]
    assert len(content) > 10
    assert all(e.redacted_at is not None and (e.before, e.after, e.note) == (None, None, None)
               for e in content)
    assert {e.action for e in content} >= {"grade_changed", "submitted", "raised", "acknowledged",
                                           "response_added", "rejected", "opened"}
    assert db.session.scalar(select(Notification.id).where(
        Notification.link == f"/audits/escalations/{history.audit.escalations[0].id}")) is None
    # An entry about something else that named a case (a dip-sample draw) keeps all it
    # said, with the case's token for its reference.
    draws = db.session.scalars(select(Event).where(Event.entity_type == "dip_sample_round",
                                                   Event.action == "drawn")).all()
    tokens = {case.reference for case in cases}
    named = [ref for draw in draws for ref in draw.after["case_references"]]
    assert draws and set(named) & tokens and all(draw.after["frame_case_ids"] for draw in draws)
    # Logged, and recorded in the event log with counts only.
    assert f"retention: {len(cases)} cases anonymised" in caplog.text
    summary = db.session.scalar(select(Event).where(Event.entity_type == "retention"))
    assert summary.after == {"cases": len(cases), "closed_before": run.closed_before.isoformat(),
                             "retention_years": 6}
    # A second run finds nothing left to do.
    assert retention.apply().cases == []


def test_a_dry_run_lists_the_cases_and_changes_nothing(app, history):
    close_long_ago([history.case])
    stored = everything_stored()
    result = app.test_cli_runner().invoke(args=["apply-retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run: 1 cases closed before" in result.output
    assert f"case {history.case.id} (/cases/{history.case.id}), closed 31 March 2019" in (
        result.output)
    assert history.case.reference not in result.output
    assert everything_stored() == stored


def test_the_command_says_what_it_did(app, history):
    close_long_ago([history.case])
    result = app.test_cli_runner().invoke(args=["apply-retention"])
    assert result.exit_code == 0, result.output
    assert "1 cases closed before" in result.output and "anonymised" in result.output
    assert f"case {history.case.id}: " in result.output


def test_cases_inside_the_period_or_open_are_kept(app, history):
    others = [c for c in audited_cases() if c.id != history.case.id]
    recent, still_open = others[0], others[1]
    close_long_ago([history.case])
    recent.opened_on, recent.closed_on = date(2012, 1, 9), date(2021, 1, 31)
    still_open.closed_on = None
    db.session.commit()
    set_setting("retention_years", "10", 0)  # the council keeps them 10 years
    db.session.commit()
    assert retention.due_cases(date(2026, 12, 1)) == []
    set_setting("retention_years", "5", 1)
    db.session.commit()
    assert [c.id for c in retention.due_cases(date(2026, 12, 1))] == [
        history.case.id, recent.id]
    assert retention.due_cases(date(2026, 1, 31)) == [history.case]  # the day it is kept
    assert retention.due_cases(date(2026, 2, 1)) == [history.case, recent]


def test_a_case_is_anonymised_once_however_many_runs(app, history):
    close_long_ago([history.case])
    assert retention.anonymise(history.case) is not None
    token = history.case.reference
    db.session.commit()
    db.session.execute(update(Case).where(Case.id == history.case.id)
                       .values(anonymised_at=None))  # as if a second run read it before
    db.session.rollback()
    assert retention.anonymise(history.case) is None
    assert history.case.reference == token


@pytest.mark.parametrize(("day", "years", "expected"), [
    (date(2026, 12, 1), 6, date(2020, 12, 1)),
    (date(2028, 2, 29), 6, date(2022, 2, 28)),
    (date(2028, 2, 29), 4, date(2024, 2, 29)),
])
def test_the_period_counts_whole_years(day, years, expected):
    assert retention.years_before(day, years) == expected


def test_new_references_are_random_valid_tokens(app):
    from audit_app.cases.services import reference_problem

    tokens = {retention.new_reference() for _ in range(50)}
    assert len(tokens) == 50
    assert all(reference_problem(token) is None for token in tokens)
