"""The test builders make valid records on both databases (they back many other tests)."""

from audit_app.extensions import db
from audit_app.models import Audit
from tests import factories


def test_factories_build_an_allocated_audit(app, users):
    case = factories.make_case(cohorts=("child_in_need", "child_protection"))
    template = factories.make_template()
    programme = factories.make_programme(template)
    audit = factories.make_audit(programme, case, users["auditor"])
    db.session.commit()
    stored = db.session.get(Audit, audit.id)
    assert stored.case.cohorts == {"child_in_need", "child_protection"}
    version = stored.template_version
    assert [len(s.questions) for s in version.sections] == [3, 4]
    assert version.is_good_or_better("Good") and not version.is_good_or_better("Inadequate")
    assert version.grade_rank("Outstanding") == 0
