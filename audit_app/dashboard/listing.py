"""A page of the audits behind a figure (audit_app/measures/behind.py), for those who may
read them: the audit pages' own rule (audit_app/audits/access.py `readable`) is applied, and
the reader's scope already leaves out what they are moderating blind, as the figure does.
Two queries whatever the data: the totals, and the page."""

import math
from dataclasses import dataclass

from sqlalchemy import func, select

from audit_app.audits.access import readable
from audit_app.extensions import db
from audit_app.measures.behind import audits_behind
from audit_app.models import Audit, AuditTemplate, Case, Team, TemplateVersion, User

PAGE_SIZE = 50


@dataclass(frozen=True)
class Row:
    audit_id: int
    reference: str
    template: str
    team: str | None
    auditor: str
    audited_on: object  # date
    counted: int  # of the audit's units, how many the denominator counts
    in_numerator: int  # and how many of those the numerator counts


@dataclass(frozen=True)
class Listing:
    """A page of rows, with what the pagination macro (templates/macros/pagination.html)
    reads."""

    rows: list
    audits: int  # audits listed, on every page
    counted: int  # units they hold that the figure counts
    page: int

    @property
    def pages(self):
        return max(1, math.ceil(self.audits / PAGE_SIZE))

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def prev_num(self):
        return self.page - 1

    @property
    def next_num(self):
        return self.page + 1


def listing(measure, period, scope, user, page):
    """Page `page` (from 1) of the audits behind `measure`'s figure for the period and scope
    that `user` may read, newest audit first."""
    behind = audits_behind(measure, period, scope).subquery()
    readable_behind = (select(Audit.id).join(behind, behind.c.audit_id == Audit.id)
                       .where(readable(user)))
    audits, counted = db.session.execute(
        select(func.count(), func.coalesce(func.sum(behind.c.counted), 0))
        .where(behind.c.audit_id.in_(readable_behind))).one()
    found = db.session.execute(
        select(Audit.id, Case.reference, AuditTemplate.name, Team.name, User.name,
               Audit.audited_on, behind.c.counted, behind.c.in_numerator)
        .join(behind, behind.c.audit_id == Audit.id)
        .join(Case, Case.id == Audit.case_id)
        .join(TemplateVersion, TemplateVersion.id == Audit.template_version_id)
        .join(AuditTemplate, AuditTemplate.id == TemplateVersion.template_id)
        .join(User, User.id == Audit.auditor_id)
        .outerjoin(Team, Team.id == Audit.team_id)
        .where(readable(user))
        .order_by(Audit.audited_on.desc(), Audit.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return Listing(rows=[Row(*row) for row in found], audits=audits, counted=int(counted),
                   page=page)
