"""actions_on_time and dip_sample_followed_up: the action plan's measures, counted with the
definitions the actions and dip-sample pages use (audit_app/actions/figures.py
on_time_query, audit_app/dip_samples/figures.py followed_up_query).

An action belongs to the period of its due date (actions_on_time) or of the day a dip sample
checked it (dip_sample_followed_up), not to its audit's date. Its team, service, template,
auditor and cohort are those of the audit that raised it: the team is the case's team when
that audit was done (Audit.team_id), so an action stays with the team that held the case
when it was audited, as audits do, even after the case moves. Every scope and breakdown of
the audit measures therefore applies to these two, each counted in one GROUP BY query.
"""

from sqlalchemy import select

from audit_app.actions.figures import on_time_query
from audit_app.dip_samples.figures import followed_up_query
from audit_app.extensions import db
from audit_app.measures.grouping import period_of
from audit_app.measures.scope import ALL, BY, Named
from audit_app.models import Action, Audit, DipSampleCheck, TemplateVersion
from audit_app.timeutil import today

ON_TIME = "actions_on_time"
FOLLOWED_UP = "dip_sample_followed_up"
# key: (title, numerator words, denominator words)
WORDS = {
    ON_TIME: ("Actions completed on time",
              "actions due in the period that were completed on or before their due date",
              "actions due in the period, cancelled ones and open ones not yet due left out"),
    FOLLOWED_UP: ("Dip-sampled actions confirmed followed up",
                  "actions a dip sample checked in the period and found followed up",
                  "actions a dip sample checked in the period, \"not yet due\" left out"),
}

# For the "How figures are counted" page.
PAGE_WORDS = ("The two figures about actions count an action in the period it was due, or the "
              "period a dip sample checked it, not by its audit's date. Their team, service, "
              "template and auditor are those of the audit that raised the action: the team "
              "is the one that held the case when it was audited.")


def _query(key, period_start, period_end, columns):
    if key == ON_TIME:
        query = on_time_query(period_start, period_end, today(), *columns)
        return query, "on_time", "due"
    return followed_up_query(period_start, period_end, *columns), "followed_up", "judged"


def _date(key):
    """The date that puts an action in a period for this measure."""
    return Action.due_on if key == ON_TIME else DipSampleCheck.checked_on


def _in_scope(query, scope):
    """Only actions raised by audits in the scope's team, service, template, auditor or
    cohort."""
    return (query.join(Audit, Audit.id == Action.audit_id)
            .join(TemplateVersion, TemplateVersion.id == Audit.template_version_id)
            .where(*scope.narrowing_conditions()))


def _grouping(key, by, periods):
    """The columns to group by, and how a result row names its group."""
    if periods:
        return [period_of(_date(key), periods)], lambda row: row[0]
    if by:
        return [BY[by].id, BY[by].name], lambda row: Named(by, str(row[0]), row[1])
    return [], lambda row: ALL


def counts(key, scope, by=None, periods=None):
    """{group: (numerator, denominator)} for one of the two measures, in one query: the
    whole council (ALL); with `by`, each team, service, template or auditor that has actions
    counted; with `periods` (consecutive, covering the scope's dates), each period's code."""
    group, group_of = _grouping(key, by, periods)
    query, numerator, denominator = _query(key, scope.start, scope.end, group)
    query = _in_scope(query, scope)
    if by:
        query = BY[by].join(query)
    if group:
        query = query.group_by(*group)
    found = {}
    for row in db.session.execute(query):
        if group and not row._mapping[denominator]:
            continue
        found[group_of(row)] = (int(row._mapping[numerator]), int(row._mapping[denominator]))
    return found


def per_audit(key, scope):
    """SQL select of (audit_id, counted, in_numerator): the audits whose actions the measure
    counts for the scope, each with how many of its actions are in the denominator and how
    many of those in the numerator."""
    query, numerator, denominator = _query(key, scope.start, scope.end,
                                           [Action.audit_id.label("audit_id")])
    grouped = _in_scope(query, scope).group_by(Action.audit_id).subquery()
    return select(grouped.c.audit_id, grouped.c[denominator].label("counted"),
                  grouped.c[numerator].label("in_numerator"))
