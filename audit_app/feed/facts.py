"""Audit-level facts for the feed: one row per audit the measures count, anonymised.

A row says when the audit counts (its audit date, quarter and financial year), where (the
team the case was in then, its service), on what (template and version), and its overall
judgement as audited and after moderation, with the same rules as the measures
(audit_app/measures/units.py: the final grade, good or better, agreement). It carries no
free text, no case reference and nobody's name: the audit id lets someone allowed to see
the audit find it in the app, where its access rules apply. A case reference is left out on
purpose: a BI dataset is copied into workspaces and files beyond the app's access checks
and its retention rule, and a reference with a team, a date and a grade leads straight to a
child's record in the case-record system. No figure needs it.

Rows are read a batch at a time by id (keyset), so a county's whole history streams out
without sitting in memory: a query per `BATCH` audits.
"""

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.measures.final_grade import moderated_audits
from audit_app.measures.good_or_better import is_good_or_better
from audit_app.measures.periods import FinancialYear, Quarter
from audit_app.measures.units import audits
from audit_app.models import Audit, AuditTemplate, Service, Team, TemplateVersion

COLUMNS = (
    "audit_id", "audit_date", "quarter", "financial_year", "team", "service", "template",
    "template_version", "overall_grade_as_audited", "overall_grade_final",
    "good_or_better_as_audited", "good_or_better_final", "moderated", "agreed",
)
BATCH = 1000


def _label(scale, rank):
    return scale[rank] if rank is not None and 0 <= rank < len(scale) else None


def _facts(row, scales):
    scale = scales[row.version_id]
    compared = row.compared_final is not None
    return {
        "audit_id": row.id,
        "audit_date": row.audited_on,
        "quarter": Quarter.containing(row.audited_on).code,
        "financial_year": FinancialYear.containing(row.audited_on).code,
        "team": row.team,
        "service": row.service,
        "template": row.template,
        "template_version": row.template_version,
        "overall_grade_as_audited": _label(scale, row.audited),
        "overall_grade_final": _label(scale, row.final),
        "good_or_better_as_audited": (None if row.audited is None
                                      else is_good_or_better(row.audited, row.good_or_better)),
        "good_or_better_final": (None if row.final is None
                                 else is_good_or_better(row.final, row.good_or_better)),
        "moderated": bool(row.moderated),
        # As the agreement measure counts it: the auditor's overall grade against the final
        # one of the latest moderation that compared it; None when none did.
        "agreed": row.compared_auditor == row.compared_final if compared else None,
    }


def rows(scope, batch=None):
    """Each counted audit in `scope` as a dict of COLUMNS, in id order, `batch` (BATCH)
    audits to a query."""
    batch = batch or BATCH
    scales = dict(db.session.execute(select(TemplateVersion.id, TemplateVersion.scale)).all())
    units = audits(scope)
    columns = units.columns
    after = 0
    while True:
        query = (
            units.query(
                Audit.id, Audit.audited_on, Team.name.label("team"),
                Service.name.label("service"), AuditTemplate.slug.label("template"),
                TemplateVersion.number.label("template_version"),
                TemplateVersion.id.label("version_id"),
                columns["good_or_better"].label("good_or_better"),
                columns["audited"].label("audited"), columns["final"].label("final"),
                columns["compared_auditor"].label("compared_auditor"),
                columns["compared_final"].label("compared_final"),
                Audit.id.in_(moderated_audits()).label("moderated"))
            .join(AuditTemplate, AuditTemplate.id == TemplateVersion.template_id)
            .outerjoin(Team, Team.id == Audit.team_id)
            .outerjoin(Service, Service.id == Team.service_id)
            .where(Audit.id > after)
            .order_by(Audit.id)
            .limit(batch)
        )
        found = db.session.execute(query).all()
        for row in found:
            yield _facts(row, scales)
        if len(found) < batch:
            return
        after = found[-1].id
