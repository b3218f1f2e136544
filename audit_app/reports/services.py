"""What the report pages need besides the measures: filter options, and flat rows for export."""

from dataclasses import dataclass

from sqlalchemy import func, select

from audit_app.extensions import db
from audit_app.measures.figures import BELOW, p_text, percent
from audit_app.measures.periods import (
    Quarter,
    financial_year_start,
    last_complete_quarter,
    quarters_between,
)
from audit_app.models import (
    Audit,
    AuditTemplate,
    ModerationRound,
    OutcomeMeasure,
    Team,
    User,
    UserRole,
)
from audit_app.reports import lines
from audit_app.reports.lines import Line, coefficient_line, count_line, figure_line
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

REPORT_COLUMNS = lines.COLUMNS


def report_lines(report, scope):
    """The report as Lines (audit_app/reports/lines.py): one per figure, in the page's order,
    after a line for each of `scope`'s (what, chosen)."""
    found = [Line("Scope", what, note=value) for what, value in scope]
    cover = report.coverage
    found.append(Line("Coverage", "Audits moderated against the quota of the rounds ending in "
                      "the period", cover.moderated, cover.quota, cover.share_of_quota,
                      unit=lines.PCT, note=cover.note or ""))
    overall = report.overall
    section = "Agreement on the overall judgement"
    found.append(figure_line(section, "Auditor and final grade agree", overall.figure))
    target, status = report.target, report.target_status
    if target is None:
        found.append(Line(section, "Target", unit=lines.PCT,
                          note="No target in force at the end of the period"))
    else:
        note = status.label + (f" ({p_text(status.p_value)}, exact one-sided binomial test)"
                               if status.code == BELOW else "")
        found.append(Line(section, f"Against the {percent(target.rate)} target "
                          f"({target.source}, from {format_date(target.applies_from)})",
                          estimate=target.rate, unit=lines.PCT, note=note))
    section = "Agreement beyond chance"
    found.append(coefficient_line(section, "Cohen's kappa", overall.kappa, overall.kappa.kappa))
    found.append(coefficient_line(section, "Cohen's kappa, linear weights",
                                  overall.weighted_kappa, overall.weighted_kappa.kappa))
    found.append(coefficient_line(section, "Gwet's AC1", overall.ac1, overall.ac1.ac1))
    found.extend(Line(section, "Note", note=note) for note in overall.notes)
    for i, auditor_grade in enumerate(report.categories):
        for j, final_grade in enumerate(report.categories):
            found.append(count_line("Auditor's grade against final grade",
                                    f"Auditor: {auditor_grade}; final: {final_grade}",
                                    overall.matrix[i][j]))
    direction = overall.direction
    section = "Direction of disagreement"
    found.append(count_line(section, "Auditor's grade higher than final (over-optimistic)",
                            direction.higher))
    found.append(count_line(section, "Auditor's grade lower than final", direction.lower))
    found.append(Line(section, "Mean difference (final minus auditor, grade steps; positive = "
                      "auditor more generous)", None, direction.equal + direction.discordant,
                      direction.mean_difference, unit=lines.GRADE_STEPS))
    found.append(Line(section, "Sign test, higher against lower (exact, two-sided)", None,
                      direction.discordant, direction.p_value, unit=lines.P))
    for domain in report.domains:
        found.append(figure_line("Agreement by domain", domain.label, domain.figure,
                                 f"auditor higher {domain.higher}, lower {domain.lower}"))
    for auditor in report.auditors:
        found.append(figure_line("Calibration by auditor", auditor.name, auditor.figure,
                                 calibration_note(auditor)))
    found_challenges = report.challenges
    section = "Challenges to moderated grades"
    found.append(count_line(section, "Grades challenged", found_challenges.grades_challenged))
    found.append(count_line(section, "Challenges upheld", found_challenges.upheld))
    found.append(count_line(section, "Challenges rejected", found_challenges.rejected))
    found.append(count_line(section, "Challenges waiting for a ruling",
                            found_challenges.pending))
    return found


def calibration_note(auditor):
    """An auditor's calibration (AuditorCalibration) in words, for a download."""
    mean = auditor.mean_difference
    note = (f"{auditor.moderated} moderated; mean difference "
            f"{'n/a' if mean is None else f'{mean:+.2f}'}; higher {auditor.higher}, "
            f"lower {auditor.lower}; sign test {p_text(auditor.p_value)}")
    if auditor.adjusted_p_value is not None:
        note += f" ({p_text(auditor.adjusted_p_value)} adjusted for every auditor, Holm)"
    if auditor.over_grading:
        note += "; over-grading unlikely to be chance"
    return note


def report_rows(report, scope):
    """The report as one table for a CSV: a row per figure, in the page's order."""
    return [line.csv_cells() for line in report_lines(report, scope)]


# -- The reporting quarter ----------------------------------------------------------------------

@dataclass(frozen=True)
class QuarterOptions:
    quarters: list  # oldest first, up to the quarter under way
    default: Quarter  # the last complete quarter
    current: Quarter


def quarter_options(today):
    """The quarters a report can be asked for: from the first audit's or the action plan's
    first baseline's (whichever is earlier) to the one under way (one query)."""
    first_audit, first_baseline = db.session.execute(select(
        select(func.min(Audit.audited_on)).scalar_subquery(),
        select(func.min(OutcomeMeasure.baseline_on)).scalar_subquery())).one()
    default, current = last_complete_quarter(today), Quarter.containing(today)
    earliest = min([default] + [Quarter.containing(day) for day in (first_audit, first_baseline)
                                if day is not None])
    return QuarterOptions(quarters=quarters_between(earliest, current), default=default,
                          current=current)
