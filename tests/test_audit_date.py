"""The audit date and the team an audit counts in: set at submission, kept when the case moves,
and filled in by the migration for audits submitted before it."""

from datetime import datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from audit_app.audits import workflow
from audit_app.extensions import db
from audit_app.measures.audit_date import counted
from audit_app.models import Audit
from tests import factories
from tests.test_audit_workflow import complete


def _submitted(users, reference, monkeypatch, when=datetime(2022, 6, 30, 23, 30)):
    programme = factories.make_programme(factories.make_template(slug=f"t-{reference}"))
    audit = factories.make_audit(programme, factories.make_case(reference), users["auditor"])
    complete(audit, users["auditor"])
    monkeypatch.setattr(workflow, "utcnow", lambda: when)
    workflow.submit(audit, users["auditor"], audit.row_version)
    db.session.commit()
    return audit


def test_submission_records_the_team_and_a_move_does_not_change_it(app, users, monkeypatch):
    audit = _submitted(users, "LCS-MOVE", monkeypatch)
    crewe = factories.team("Crewe CIN/CP")
    assert audit.team_id == crewe.id
    audit.case.team_id = factories.team("Care Leavers").id
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Audit, audit.id).team_id == crewe.id


def test_only_submitted_audits_count_by_their_uk_day(app, users, monkeypatch):
    from datetime import date

    audit = _submitted(users, "LCS-DAY", monkeypatch)  # 00:30 on 1 July in the UK
    programme = audit.programme
    draft = factories.make_audit(programme, factories.make_case("LCS-DRAFT"), users["auditor"])
    returned = factories.make_audit(programme, factories.make_case("LCS-RET"), users["auditor"],
                                    status="returned")
    returned.submitted_at = datetime(2022, 7, 5, 9)
    db.session.commit()

    def ids(start, end):
        return set(db.session.scalars(db.select(Audit.id).where(*counted(start, end))))

    assert ids(date(2022, 7, 1), date(2022, 9, 30)) == {audit.id}
    assert ids(date(2022, 4, 1), date(2022, 6, 30)) == set()
    assert ids(None, None) == {audit.id}
    assert draft.id not in ids(None, None)


def test_migration_fills_in_the_team_of_audits_submitted_before_it(app, users, monkeypatch):
    audit = _submitted(users, "LCS-OLD", monkeypatch)
    draft = factories.make_audit(audit.programme, factories.make_case("LCS-NEW"),
                                 users["auditor"])
    db.session.commit()
    audit_id, draft_id, team_id = audit.id, draft.id, audit.case.team_id
    db.session.close()
    downgrade(revision="-1")  # to the revision before 0010
    upgrade()
    with db.engine.connect() as conn:
        teams = dict(conn.execute(text("SELECT id, team_id FROM audits")).all())
    assert teams == {audit_id: team_id, draft_id: None}
