"""The leaders' dashboard: a quarter's headline figures for the whole council, a service or a
team, their trend, the domains, each figure by team, and the audits behind each figure.

Who: leaders, quality assurance officers (moderators), practice leads and admins, the people
who read the agreement report (REPORT_ROLES). Every one of them may read every submitted
audit, so the audits behind a figure are all theirs to open, except those a moderator is
moderating blind: those are left out of the figures and the lists alike, and the page says so.

The pages display figures from audit_app/measures/headline.py; they count nothing.
"""

from flask import abort, render_template, request
from flask_login import current_user

from audit_app import charts, inputs
from audit_app.authz import roles_required
from audit_app.blind_moderation import hidden_count
from audit_app.dashboard import bp
from audit_app.dashboard.forms import DashboardForm, options
from audit_app.dashboard.listing import PAGE_SIZE, listing
from audit_app.measures import catalogue, headline
from audit_app.measures.behind import has_audits_behind
from audit_app.measures.compute import compute
from audit_app.measures.figures import SMALL_SAMPLE, p_text, percent
from audit_app.measures.rate import AUDITS
from audit_app.reports.services import REPORT_ROLES
from audit_app.timeutil import today

DASHBOARD_ROLES = REPORT_ROLES
BY_DOMAIN_TITLES = {
    "domain_good_or_better": "Graded questions judged good or better, by domain",
    "compliance": "Yes/no questions answered yes, by domain",
}
# The audits page's column for each audit's part in the figure, by rate or measure key.
IN_NUMERATOR = {
    "good_or_better": "Good or better after moderation",
    "good_or_better_as_audited": "Good or better as audited",
    "agreement": "Auditor's judgement agreed",
    "domain_good_or_better": "Graded questions in the domain judged good or better",
    "compliance": "Yes/no questions in the domain answered yes",
    "actions_on_time": "Actions due that were completed on time",
    "dip_sample_followed_up": "Dip-sampled actions found followed up",
}


def _form():
    return DashboardForm(options(today()), request.args)


def _measure_or_404(key):
    try:
        return catalogue.find(key)
    except ValueError:
        abort(404)


def _chart_id(*parts):
    return "-".join(parts).replace(":", "-").replace("_", "-")


def _scope_words(named):
    return "the whole council" if named.kind == "all" else f"{named.name} ({named.kind})"


def _left_out():
    """How many audits the reader is moderating blind, left out of every figure here."""
    return hidden_count(current_user.id)


def _page(template, form, **context):
    return render_template(
        template, form=form, args=form.query_args(), percent=percent, p_text=p_text,
        small_sample=SMALL_SAMPLE, trend_quarters=headline.TREND_QUARTERS,
        left_out=_left_out(), **context)


@bp.route("/")
@roles_required(*DASHBOARD_ROLES)
def dashboard():
    form = _form()
    if not form.validate():
        return _page("dashboard/dashboard.html", form, figures=None)
    scope, named = form.scope(current_user.id)
    figures = headline.quarter_figures(form.chosen_quarter, scope, named)
    trend_charts = {key: charts.trend(_chart_id("trend", key), results[-1].measure.title,
                                      results)
                    for key, results in figures.trends.items()}
    domain_charts = {key: charts.breakdown(
        _chart_id("domains", key), f"{BY_DOMAIN_TITLES[key]}, {form.chosen_quarter.label}",
        [(r.measure.domain_label, r) for r in results])
        for key, results in figures.by_domain.items()}
    return _page("dashboard/dashboard.html", form, figures=figures, trend_charts=trend_charts,
                 domain_charts=domain_charts, by_domain_titles=BY_DOMAIN_TITLES,
                 scope_words=_scope_words(named), has_audits_behind=has_audits_behind)


@bp.route("/figures/<key>")
@roles_required(*DASHBOARD_ROLES)
def figure(key):
    measure = _measure_or_404(key)
    form = _form()
    context = {"measure": measure, "trend": None, "has_audits_behind": has_audits_behind}
    if not form.validate():
        return _page("dashboard/figure.html", form, **context)
    scope, named = form.scope(current_user.id)
    quarter = form.chosen_quarter
    context["scope_words"] = _scope_words(named)
    if measure.whole_council and named.kind != "all":
        return _page("dashboard/figure.html", form, whole_council_only=True, **context)
    trend = headline.measure_trend(measure, quarter, scope, named)
    teams = None if measure.whole_council else headline.by_team(measure, quarter, scope, named)
    context.update(
        trend=trend, result=trend[-1],
        trend_chart_data=charts.trend(_chart_id("trend", key), measure.title, trend),
        teams=teams,
        team_chart=charts.breakdown(
            _chart_id("teams", key), f"{measure.title}, by team, {quarter.label}",
            [(r.group.name, r) for r in teams]) if teams else None)
    return _page("dashboard/figure.html", form, **context)


@bp.route("/figures/<key>/audits")
@roles_required(*DASHBOARD_ROLES)
def audits(key):
    measure = _measure_or_404(key)
    if not has_audits_behind(measure):
        abort(404)
    page = inputs.page_number(PAGE_SIZE)
    form = _form()
    if not form.validate():
        message = next(iter(form.errors.values()))[0]
        raise inputs.BadInput(description=f"{message}: the web address does not name a quarter, "
                                          "service and team the dashboard offers. Go back to "
                                          "the dashboard and choose the figure again.")
    scope, named = form.scope(current_user.id)
    quarter = form.chosen_quarter
    result = compute(quarter, scope, named, measures=[measure])[0]
    return _page(
        "dashboard/audits.html", form, measure=measure, result=result,
        listing=listing(measure, quarter, scope, current_user, page),
        per_audit=measure.family == AUDITS,
        column=IN_NUMERATOR[measure.rate.key if measure.rate else measure.key],
        scope_words=_scope_words(named))
