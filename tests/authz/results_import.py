"""Records for the results import rows: one audit of a Crewe CIN/CP case by the demo
auditor, imported through the import itself with a moderation by the demo moderator."""

from audit_app.extensions import db
from audit_app.models import Audit, Moderation
from audit_app.results_import.service import import_results

FILE = (
    "case_reference,team,template,auditor,audited_on,overall,assessment_quality,moderator,"
    "moderated_on,moderated_overall,moderated_assessment_quality\n"
    "AUTHZ-R1,Crewe CIN/CP,whole-case-file,auditor@example.org.uk,2022-07-01,Good,Good,"
    "moderator@example.org.uk,2022-08-01,RI,RI\n"
)


def placeholders(users):
    import_results(FILE.encode(), "authz-results.csv")
    db.session.commit()
    audit = db.session.scalar(db.select(Audit).where(Audit.imported_from.is_not(None)))
    moderation = db.session.scalar(db.select(Moderation).where(Moderation.audit_id == audit.id))
    return {"imported_audit_id": audit.id, "imported_moderation_id": moderation.id,
            "imported_grade_id": moderation.grades[0].id}
