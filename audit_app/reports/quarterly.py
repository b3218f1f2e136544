"""The quarterly headline report (the reference action plan's action 8a): what the audit and
quality assurance officer reports to the leadership team at the end of each quarter.

Six sections, every figure from audit_app/measures (or the action and dip-sample figures
they are built on), none counted here: audit activity against the programmes; findings
(the headline rates and their trend, as the leaders' dashboard counts them
(audit_app/measures/headline.py), the grade distribution, the domains and compliance); moderation
(coverage, agreement, kappa and its direction, each auditor's calibration); actions
(completed on time, overdue by team, dip-sample findings and coverage); the learning and
training recorded for the quarter; and the action plan's position.

Every figure leaves out the audits the reader is moderating blind, as the agreement report
does, and the report says how many. The number of queries is fixed: it depends on the
plan's computed measures' scopes, never on the amount of data.
"""

from dataclasses import dataclass, replace

from audit_app.actions.figures import overdue_by_team
from audit_app.blind_moderation import hidden_count
from audit_app.dip_samples import figures as dip_figures
from audit_app.measures.activity import activity
from audit_app.measures.agreement import agreement_report
from audit_app.measures.grades import grade_distribution
from audit_app.measures.headline import quarter_figures
from audit_app.measures.scope import ALL, Scope
from audit_app.plan.learning import entries
from audit_app.plan.position import plan_position

# The headline rates of each section, in the order the report shows them.
FINDINGS = ("good_or_better", "good_or_better_as_audited")
ACTIONS = ("actions_on_time", "dip_sample_followed_up")
# How many quarters the trend of the headline figures shows, ending with the report's.
TREND_QUARTERS = 4


@dataclass(frozen=True)
class Findings:
    headline: list  # compute Results of FINDINGS
    trends: dict  # every headline measure's key -> [Result of each of `quarters`]
    quarters: list  # the trend's quarters, oldest first
    grades: object  # GradeDistribution
    domains: list  # Results of the domain good-or-better rates, in catalogue order
    compliance: list  # Results of the compliance rates, in catalogue order

    @property
    def ranked_domains(self):
        """The domains with graded answers, strongest first (by value; ties by name)."""
        return sorted((r for r in self.domains if r.figure.denominator),
                      key=lambda r: (-r.figure.value, r.measure.title))

    @property
    def strongest(self):
        ranked = self.ranked_domains
        return ranked[0] if len(ranked) > 1 else None

    @property
    def weakest(self):
        ranked = self.ranked_domains
        return ranked[-1] if len(ranked) > 1 else None


@dataclass(frozen=True)
class Actions:
    headline: list  # compute Results of ACTIONS
    overdue_by_team: list  # TeamFigure (audit_app/actions/figures.py)
    dip_coverage: list  # CoverageRow for each practice lead (audit_app/dip_samples/figures.py)
    dip_months: list  # the quarter's months (first days)
    dip_plan: int  # cases a practice lead should dip-sample a month


@dataclass(frozen=True)
class QuarterlyReport:
    quarter: object  # Quarter
    left_out: int  # audits the reader is moderating blind, left out of every figure
    activity: object  # Activity (audit_app/measures/activity.py)
    findings: Findings
    moderation: object  # AgreementReport (audit_app/measures/agreement.py)
    actions: Actions
    learning: list  # LearningEntry
    plan: list  # RecommendationPosition (audit_app/plan/position.py)


def quarterly_report(quarter, reader, today):
    """The QuarterlyReport of `quarter` as `reader` may see it, with actions overdue on
    `today`."""
    scope = Scope(reader_id=reader.id)
    figures = quarter_figures(quarter, scope, ALL, quarters=TREND_QUARTERS)

    def of(keys):
        return [figures.trends[key][-1] for key in keys]

    # The whole council's figures of the quarter, which the plan's outcome measures reuse.
    known = {(r.measure.key, ALL.kind, ALL.ref): r.figure
             for r in [*of(figures.trends), *figures.by_domain["domain_good_or_better"],
                       *figures.by_domain["compliance"]]}
    months = dip_figures.quarter_months(quarter)
    return QuarterlyReport(
        quarter=quarter,
        left_out=hidden_count(reader.id),
        activity=activity(quarter, scope),
        findings=Findings(headline=of(FINDINGS), trends=figures.trends,
                          quarters=figures.quarters, grades=grade_distribution(quarter, scope),
                          domains=figures.by_domain["domain_good_or_better"],
                          compliance=figures.by_domain["compliance"]),
        moderation=agreement_report(replace(scope, start=quarter.start, end=quarter.end),
                                    today),
        actions=Actions(headline=of(ACTIONS), overdue_by_team=overdue_by_team(quarter, today),
                        dip_coverage=dip_figures.coverage(months), dip_months=months,
                        dip_plan=dip_figures.plan()),
        learning=entries(quarter),
        plan=plan_position(quarter, reader_id=reader.id, known=known),
    )
