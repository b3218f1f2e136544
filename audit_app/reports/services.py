"""What the report pages need besides the measures: filter options, and flat rows for export."""

from dataclasses import dataclass

from sqlalchemy import func, select

from audit_app.extensions import db
from audit_app.measures.figures import BELOW, p_text, percent
from audit_app.measures.periods import Quarter, financial_year_start, quarters_between
from audit_app.models import Audit, AuditTemplate, ModerationRound, Team, User, UserRole
from audit_app.templating import format_date

REPORT_ROLES = ("moderator", "admin", "leader", "practice_lead")


@dataclass(frozen=True)
class FilterOptions:
    quarters: list  # oldest first
    default_from: Quarter
    default_to: Quarter
    teams: list  # (id, name)
    templates: list
    auditors: list
    moderators: list
    rounds: list


def _people_with_role(role):
    # Inactive people stay: reports look back at work they did.
    return [(u.id, u.name if u.active else f"{u.name} (inactive)") for u in db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role).order_by(User.name, User.id)
    )]


def filter_options(today):
    """Choices for the filter form: quarters from the first audit date to today."""
    first = db.session.scalar(select(func.min(Audit.audited_on)))
    this_quarter = Quarter.containing(today)
    earliest = min(Quarter.containing(first) if first else this_quarter,
                   financial_year_start(today))
    return FilterOptions(
        quarters=quarters_between(earliest, this_quarter),
        default_from=financial_year_start(today),
        default_to=this_quarter,
        teams=list(db.session.execute(select(Team.id, Team.name).order_by(Team.name))),
        templates=list(db.session.execute(
            select(AuditTemplate.id, AuditTemplate.name).order_by(AuditTemplate.name))),
        auditors=_people_with_role("auditor"),
        moderators=_people_with_role("moderator"),
        rounds=[(r.id, f"{r.name} ({format_date(r.period_start)} to {format_date(r.period_end)})")
                for r in db.session.scalars(
                    select(ModerationRound).order_by(ModerationRound.period_start.desc(),
                                                     ModerationRound.name))],
    )


def scope_lines(form):
    """(what, chosen) for each filter, in words, for the page and the exports."""
    def chosen(field):
        return next((c.label for c in field.choices if c.value == (field.data or "")), "")

    scope = form.scope()
    start, end = scope.start, scope.end
    period = f"{chosen(form.period_from)} to {chosen(form.period_to)}"
    if start or end:
        period += (f" ({format_date(start) if start else 'the first audit'} to "
                   f"{format_date(end) if end else 'today'})")
    return [("Period (audit dates)", period)] + [
        (form[name].label.text, chosen(form[name]))
        for name in ("team", "template", "auditor", "moderator", "round")
    ]


# -- Flat rows for the downloads ----------------------------------------------------------------

REPORT_COLUMNS = ["Section", "Measure", "Numerator", "Denominator", "Estimate", "95% CI low",
                  "95% CI high", "Unit", "Status or note"]


def _pct(value):
    return None if value is None else round(value * 100, 1)


def _coef(value):
    return None if value is None else round(value, 3)


def _figure_row(section, measure, figure, note=""):
    notes = [n for n in ("Small sample" if figure.small_sample and figure.denominator else "",
                         note) if n]
    return [section, measure, figure.numerator, figure.denominator, _pct(figure.value),
            _pct(figure.ci_low) if figure.denominator else None,
            _pct(figure.ci_high) if figure.denominator else None, "%", "; ".join(notes)]


def _count_row(section, measure, count, note=""):
    return [section, measure, count, None, count, None, None, "count", note]


def _coefficient_row(measure, result, value):
    return ["Agreement beyond chance", measure, None, result.n, _coef(value),
            _coef(result.ci_low), _coef(result.ci_high), "coefficient", result.reason or ""]


def report_rows(report, lines):
    """The report as one table: a row per figure, in the page's order."""
    rows = [["Scope", what, None, None, None, None, None, "", value] for what, value in lines]
    cover = report.coverage
    rows.append(["Coverage", "Audits moderated against the quota of the rounds ending in the "
                 "period", cover.moderated, cover.quota, _pct(cover.share_of_quota), None,
                 None, "%", cover.note or ""])
    overall = report.overall
    section = "Agreement on the overall judgement"
    rows.append(_figure_row(section, "Auditor and final grade agree", overall.figure))
    target, status = report.target, report.target_status
    if target is None:
        rows.append([section, "Target", None, None, None, None, None, "%",
                     "No target in force at the end of the period"])
    else:
        note = status.label + (f" ({p_text(status.p_value)}, exact one-sided binomial test)"
                               if status.code == BELOW else "")
        rows.append([section, f"Against the {percent(target.rate)} target ({target.source}, "
                     f"from {format_date(target.applies_from)})", None, None,
                     _pct(target.rate), None, None, "%", note])
    rows.append(_coefficient_row("Cohen's kappa", overall.kappa, overall.kappa.kappa))
    rows.append(_coefficient_row("Cohen's kappa, linear weights", overall.weighted_kappa,
                                 overall.weighted_kappa.kappa))
    rows.append(_coefficient_row("Gwet's AC1", overall.ac1, overall.ac1.ac1))
    rows.extend(["Agreement beyond chance", "Note", None, None, None, None, None, "", note]
                for note in overall.notes)
    for i, auditor_grade in enumerate(report.categories):
        for j, final_grade in enumerate(report.categories):
            rows.append(_count_row("Auditor's grade against final grade",
                                   f"Auditor: {auditor_grade}; final: {final_grade}",
                                   overall.matrix[i][j]))
    direction = overall.direction
    section = "Direction of disagreement"
    rows.append(_count_row(section, "Auditor's grade higher than final (over-optimistic)",
                           direction.higher))
    rows.append(_count_row(section, "Auditor's grade lower than final", direction.lower))
    rows.append([section, "Mean difference (final minus auditor, grade steps; positive = "
                 "auditor more generous)", None, direction.equal + direction.discordant,
                 _coef(direction.mean_difference), None, None, "grade steps", ""])
    rows.append([section, "Sign test, higher against lower (exact, two-sided)", None,
                 direction.discordant, round(direction.p_value, 4), None, None, "p-value", ""])
    for domain in report.domains:
        rows.append(_figure_row("Agreement by domain", domain.label, domain.figure,
                                f"auditor higher {domain.higher}, lower {domain.lower}"))
    for auditor in report.auditors:
        mean = auditor.mean_difference
        note = (f"{auditor.moderated} moderated; mean difference "
                f"{'n/a' if mean is None else f'{mean:+.2f}'}; higher {auditor.higher}, "
                f"lower {auditor.lower}; sign test {p_text(auditor.p_value)}")
        if auditor.adjusted_p_value is not None:
            note += f" ({p_text(auditor.adjusted_p_value)} adjusted for every auditor, Holm)"
        if auditor.over_grading:
            note += "; over-grading unlikely to be chance"
        rows.append(_figure_row("Calibration by auditor", auditor.name, auditor.figure, note))
    found = report.challenges
    section = "Challenges to moderated grades"
    rows.append(_count_row(section, "Grades challenged", found.grades_challenged))
    rows.append(_count_row(section, "Challenges upheld", found.upheld))
    rows.append(_count_row(section, "Challenges rejected", found.rejected))
    rows.append(_count_row(section, "Challenges waiting for a ruling", found.pending))
    return rows
