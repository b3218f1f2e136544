"""Audit activity in a quarter: the audits done against the programmes, by template and by
team, for the quarterly headline report.

- Due: audits allocated by a programme whose due date is in the quarter.
- Done: of those, the ones submitted (returned ones are not done until resubmitted).
- Done by the due date: submitted on or before the due date (the audit's date, a UK day).
- Submitted in the quarter: the audits the quarter's figures count (audit_app/measures/
  audit_date.py), whatever their due date.

An audit's team is the one its case was in when it was submitted (as every figure counts
it), or, for one not yet submitted, its case's team now. Done against due is work done
against a plan, not an estimate from a sample: no interval (Figure.against_plan).

One query, whatever the data: the whole council, each template and each team are three
GROUP BYs joined by UNION ALL.
"""

from dataclasses import dataclass

from sqlalchemy import and_, func, literal, or_, select, union_all

from audit_app.extensions import db
from audit_app.measures.audit_date import counted
from audit_app.measures.compute import count_if
from audit_app.measures.figures import Figure
from audit_app.models import Audit, AuditTemplate, Case, Team, TemplateVersion
from audit_app.models.audits import SUBMITTED

ALL, TEMPLATE, TEAM = "all", "template", "team"


@dataclass(frozen=True)
class ActivityRow:
    name: str  # the template's or team's name; "All audits" for the whole council
    due: int
    done: int
    done_by_due: int
    submitted: int  # submitted in the quarter, whatever their due date

    @property
    def done_figure(self):
        return Figure.against_plan(self.done, self.due)

    @property
    def done_by_due_figure(self):
        return Figure.against_plan(self.done_by_due, self.due)


@dataclass(frozen=True)
class Activity:
    total: ActivityRow
    by_template: list  # ActivityRow, by name
    by_team: list


def _grouped(kind, scope, period, id_column, name_column):
    due = Audit.due_on.between(period.start, period.end)
    done = and_(due, Audit.status == SUBMITTED)
    in_quarter = and_(*counted(period.start, period.end))
    team_id = func.coalesce(Audit.team_id, Case.team_id)
    query = (
        select(literal(kind).label("kind"), id_column.label("id"), name_column.label("name"),
               count_if(due).label("due"), count_if(done).label("done"),
               count_if(and_(done, Audit.audited_on <= Audit.due_on)).label("done_by_due"),
               count_if(in_quarter).label("submitted"))
        .select_from(Audit)
        .join(Case, Case.id == Audit.case_id)
        .join(TemplateVersion, TemplateVersion.id == Audit.template_version_id)
        .join(AuditTemplate, AuditTemplate.id == TemplateVersion.template_id)
        .outerjoin(Team, Team.id == team_id)
        .where(or_(due, in_quarter), *scope.narrowing_conditions())
    )
    return query.group_by(id_column, name_column) if kind != ALL else query


def activity(period, scope):
    """The Activity of `period` (a Quarter) for `scope` (its team, service, template,
    auditor and blind-moderation filters; its dates are the period's), in one query."""
    query = union_all(
        _grouped(ALL, scope, period, literal(None), literal("All audits")),
        _grouped(TEMPLATE, scope, period, AuditTemplate.id, AuditTemplate.name),
        _grouped(TEAM, scope, period, Team.id, Team.name),
    )
    rows = {ALL: [], TEMPLATE: [], TEAM: []}
    for row in db.session.execute(query):
        rows[row.kind].append(ActivityRow(
            name=row.name if row.name is not None else "No team", due=int(row.due),
            done=int(row.done), done_by_due=int(row.done_by_due),
            submitted=int(row.submitted)))
    total = rows[ALL][0] if rows[ALL] else ActivityRow("All audits", 0, 0, 0, 0)

    def by_name(found):
        return sorted(found, key=lambda r: r.name.lower())

    return Activity(total=total, by_template=by_name(rows[TEMPLATE]),
                    by_team=by_name(rows[TEAM]))
