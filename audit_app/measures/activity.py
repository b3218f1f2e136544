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

One query, whatever the data: the audits are read once (a common table expression), then
summed for the whole council, each template and each team (three GROUP BYs, UNION ALL).
"""

from dataclasses import dataclass

from sqlalchemy import and_, case, func, literal, or_, select, union_all

from audit_app.extensions import db
from audit_app.measures.audit_date import counted
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


def _audits(scope, period):
    """The audits due or submitted in the period, each with its template and team and what
    it counts towards (0 or 1 in each column): a CTE, so the database reads them once."""
    due = Audit.due_on.between(period.start, period.end)
    done = and_(due, Audit.status == SUBMITTED)

    def flag(condition):
        return case((condition, 1), else_=0)

    in_quarter = and_(*counted(period.start, period.end))
    return (
        select(AuditTemplate.id.label("template_id"), AuditTemplate.name.label("template"),
               Team.id.label("team_id"), Team.name.label("team"), flag(due).label("due"),
               flag(done).label("done"),
               flag(and_(done, Audit.audited_on <= Audit.due_on)).label("done_by_due"),
               flag(in_quarter).label("submitted"))
        .select_from(Audit)
        .join(Case, Case.id == Audit.case_id)
        .join(TemplateVersion, TemplateVersion.id == Audit.template_version_id)
        .join(AuditTemplate, AuditTemplate.id == TemplateVersion.template_id)
        .outerjoin(Team, Team.id == func.coalesce(Audit.team_id, Case.team_id))
        .where(or_(due, in_quarter), *scope.narrowing_conditions())
        .cte("activity_audits")
    )


def _grouped(kind, audits, id_column=None, name_column=None):
    sums = [func.coalesce(func.sum(audits.c[name]), 0).label(name)
            for name in ("due", "done", "done_by_due", "submitted")]
    if kind == ALL:
        return select(literal(kind).label("kind"), literal("All audits").label("name"), *sums)
    return (select(literal(kind).label("kind"), name_column.label("name"), *sums)
            .group_by(id_column, name_column))


def activity(period, scope):
    """The Activity of `period` (a Quarter) for `scope` (its team, service, template,
    auditor and blind-moderation filters; its dates are the period's), in one query."""
    audits = _audits(scope, period)
    query = union_all(
        _grouped(ALL, audits),
        _grouped(TEMPLATE, audits, audits.c.template_id, audits.c.template),
        _grouped(TEAM, audits, audits.c.team_id, audits.c.team),
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
