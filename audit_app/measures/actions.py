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

from audit_app.actions.figures import on_time_query
from audit_app.dip_samples.figures import followed_up_query
from audit_app.extensions import db
from audit_app.measures.scope import ALL, BY, Named
from audit_app.models import Action, Audit, TemplateVersion
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


def counts(key, scope, by):
    """{group: (numerator, denominator)} for one of the two measures, in one query: the
    whole council (ALL) or, with `by`, each team, service, template or auditor that has
    actions counted."""
    group = [BY[by].id, BY[by].name] if by else []
    query, numerator, denominator = _query(key, scope.start, scope.end, group)
    query = (query.join(Audit, Audit.id == Action.audit_id)
             .join(TemplateVersion, TemplateVersion.id == Audit.template_version_id)
             .where(*scope.narrowing_conditions()))
    if by:
        query = BY[by].join(query).group_by(*group)
    found = {}
    for row in db.session.execute(query):
        if by and not row._mapping[denominator]:
            continue
        named = Named(by, str(row[0]), row[1]) if by else ALL
        found[named] = (int(row._mapping[numerator]), int(row._mapping[denominator]))
    return found
