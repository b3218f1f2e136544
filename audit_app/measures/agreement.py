"""Auditor-moderator agreement: what the action plan reports about the accuracy of audits.

`agreement` (the measure): audits with a submitted moderation where both overall grades
exist, whose auditor's overall grade equals the final one from the latest such moderation
(audit_app/measures/final_grade.py), over those audits. The agreement report adds kappa,
weighted kappa, Gwet's AC1, the direction of disagreement, agreement by domain and each
auditor's calibration, all over the same audits: the counted audits of the period by their
audit date (audit_app/measures/audit_date.py), each once, with its latest moderation of
each item. An audit moderated in Q3 that was submitted in Q2 counts in Q2.

Everything is counted by the database (GROUP BY over the compared grades); Python only turns
the counts into figures and statistics, so a report makes the same few queries whatever the
number of moderations.
"""

from dataclasses import dataclass, field, replace

from scipy import stats as scipy_stats
from sqlalchemy import and_, case, distinct, exists, func, literal, select

from audit_app import timeutil
from audit_app.extensions import db
from audit_app.measures.coverage import Coverage, coverage
from audit_app.measures.figures import SMALL_SAMPLE, Figure
from audit_app.measures.final_grade import latest_grades
from audit_app.measures.rate import AUDITS, Rate
from audit_app.measures.scope import Scope
from audit_app.measures.targets import in_force, scope_refs
from audit_app.models import (
    Audit,
    Case,
    Challenge,
    Moderation,
    ModerationGrade,
    ModerationRound,
    ModerationSample,
    Team,
    TemplateVersion,
    User,
)
from audit_app.models.moderation import (
    AGREE,
    AUDITOR_HIGHER,
    AUDITOR_LOWER,
    COMPARISONS,
    OVERALL,
    compare_ranks,
    compare_ranks_sql,
)
from audit_app.models.templates import DOMAINS
from audit_app.stats import cohen_kappa, grade_bias, gwet_ac1, holm

KEY = "agreement"
# An auditor is flagged when they grade higher more often than lower and the exact sign test,
# adjusted for testing every auditor in the report (Holm), says a split that uneven is
# unlikely under "no bias" (two-sided, 5%).
FLAG_ALPHA = 0.05
SUBMITTED = "submitted"

AGREEMENT = Rate(
    key=KEY,
    unit=AUDITS,
    title="Auditors' overall judgements agreed by moderation",
    numerator_words=("moderated audits whose auditor's overall judgement is the same as the "
                     "final grade of their latest moderation"),
    denominator_words="audits with a moderation where both overall judgements exist",
    denominator=lambda columns: columns["compared_final"].is_not(None),
    numerator=lambda columns: columns["compared_auditor"] == columns["compared_final"],
)

__all__ = ["AGREEMENT", "Coverage", "Scope", "agreement_report", "coverage", "pairs"]


def _compared(scope):
    """Per audit in scope and item: the latest moderation grade where both grades exist."""
    return latest_grades(scope, compared=True)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _int(value):
    return int(value or 0)


# -- Categories -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Categories:
    labels: list  # best first; the stats functions' categories
    note: str | None = None


def categories_for(scales):
    """Grade labels for the confusion matrix and the statistics, from the scope's scales.

    One scale: its labels. Several scales: grades are compared by rank (position on their
    own scale, best first), labelled "Grade 1 (best)" etc., and a note says so.
    """
    distinct_scales = []
    for scale in scales:
        if list(scale) not in distinct_scales:
            distinct_scales.append(list(scale))
    if len(distinct_scales) <= 1:
        labels = distinct_scales[0] if distinct_scales else []
        return Categories(labels=labels)
    size = max(len(s) for s in distinct_scales)
    labels = [f"Grade {i + 1}" + (" (best)" if i == 0 else "") for i in range(size)]
    if len({len(s) for s in distinct_scales}) > 1:
        note = ("These moderations use judgement scales of different lengths, so grades are "
                "compared by their position on their own scale (grade 1 is the best). Weighted "
                "kappa treats one step as the same on every scale; read it with care.")
    else:
        note = ("These moderations use judgement scales with different labels, so grades are "
                "compared by their position on their own scale (grade 1 is the best).")
    return Categories(labels=labels, note=note)


def _scales(compared):
    """The judgement scales of the template versions of the compared audits (one query)."""
    versions = (select(Audit.template_version_id)
                .where(Audit.id.in_(select(compared.c.audit_id))).distinct())
    rows = db.session.execute(
        select(TemplateVersion.scale).where(TemplateVersion.id.in_(versions))
        .order_by(TemplateVersion.id)
    )
    return [row.scale for row in rows]


# -- Overall judgement: agreement, chance-corrected agreement, direction -------------------------

@dataclass(frozen=True)
class Direction:
    higher: int  # auditor's grade better than the final grade (over-optimistic)
    lower: int
    equal: int
    mean_difference: float | None  # mean of (final rank - auditor rank): positive = generous
    p_value: float  # exact two-sided sign test of higher against lower

    @property
    def discordant(self):
        return self.higher + self.lower


@dataclass(frozen=True)
class Overall:
    figure: Figure
    matrix: list  # rows = auditor's grade, columns = final grade, in category order
    kappa: object  # KappaResult
    weighted_kappa: object  # KappaResult, linear weights
    ac1: object  # AC1Result
    direction: Direction
    notes: list = field(default_factory=list)


def _expand(matrix, labels):
    """Label lists (auditor, final) with each cell's count of pairs: n is small."""
    auditor, final = [], []
    for i, row in enumerate(matrix):
        for j, n in enumerate(row):
            auditor.extend([labels[i]] * n)
            final.extend([labels[j]] * n)
    return auditor, final


def sign_test(higher, lower):
    """Exact two-sided sign test (as in stats.grade_bias); 1.0 with no discordant pairs."""
    if higher + lower == 0:
        return 1.0
    return min(1.0, float(scipy_stats.binomtest(higher, higher + lower, 0.5).pvalue))


# Landis, J.R. & Koch, G.G. (1977) "The measurement of observer agreement for categorical
# data", Biometrics 33:159-174: the usual words for kappa. Their cut-offs are conventions, not
# tests; the page shows them beside the interval, never instead of it.
_STRENGTH = [(0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial")]


def strength(coefficient):
    """Landis and Koch's word for a kappa-like coefficient ("moderate" for 0.41-0.60)."""
    if coefficient is None:
        return None
    if coefficient < 0:
        return "poor"
    return next((word for upper, word in _STRENGTH if coefficient <= upper), "almost perfect")


def _chance_corrected_notes(n, kappa, ac1):
    """Plain words for when kappa or AC1 cannot be calculated or cannot be relied on."""
    notes = []
    if n == 0:
        notes.append("No overall judgements have been moderated in this scope, so agreement "
                     "beyond chance cannot be calculated.")
        return notes
    if kappa.kappa is None:
        notes.append("Kappa cannot be calculated: every auditor's and final grade was the "
                     "same, so there is nothing to tell agreement from chance. Read the "
                     "agreement rate and AC1 instead.")
    elif (kappa.expected_agreement or 0) >= 0.5 and kappa.kappa < (ac1.ac1 or 0) - 0.2:
        notes.append("Most grades were the same, so the agreement expected by chance is high "
                     "and kappa is low even though the raters mostly agree. Gwet's AC1 is "
                     "designed for this and is the steadier figure here.")
    if n < SMALL_SAMPLE:
        notes.append(f"Small sample: from {n} moderated judgement{'s' if n != 1 else ''} "
                     f"these coefficients are imprecise (their standard errors are "
                     f"large-sample approximations); read the intervals, not the point values.")
    return notes


def overall_agreement(compared, labels):
    """Agreement on the overall judgement, with the confusion matrix, kappa, weighted kappa,
    AC1 and the direction of disagreement, all from one GROUP BY query."""
    rows = db.session.execute(
        select(compared.c.auditor_rank, compared.c.final_rank, func.count().label("n"))
        .where(compared.c.item == OVERALL)
        .group_by(compared.c.auditor_rank, compared.c.final_rank)
    ).all()
    size = max([len(labels)] + [max(r.auditor_rank, r.final_rank) + 1 for r in rows])
    labels = list(labels) + [f"Grade {i + 1}" for i in range(len(labels), size)]
    matrix = [[0] * size for _ in range(size)]
    counts = {AGREE: 0, AUDITOR_HIGHER: 0, AUDITOR_LOWER: 0}
    for row in rows:
        matrix[row.auditor_rank][row.final_rank] += row.n
        counts[compare_ranks(row.auditor_rank, row.final_rank)] += row.n
    n = sum(counts.values())
    auditor, final = _expand(matrix, labels)
    kappa = cohen_kappa(auditor, final, categories=labels or None)
    weighted = (cohen_kappa(auditor, final, categories=labels, weights="linear")
                if labels else kappa)
    ac1 = gwet_ac1(auditor, final, categories=labels or None)
    bias = grade_bias(auditor, final, labels) if labels else None
    direction = Direction(
        higher=counts[AUDITOR_HIGHER],
        lower=counts[AUDITOR_LOWER],
        equal=counts[AGREE],
        mean_difference=bias.mean_difference if bias else None,
        p_value=sign_test(counts[AUDITOR_HIGHER], counts[AUDITOR_LOWER]),
    )
    return Overall(
        figure=Figure.from_counts(counts[AGREE], n),
        matrix=matrix,
        kappa=kappa,
        weighted_kappa=weighted,
        ac1=ac1,
        direction=direction,
        notes=_chance_corrected_notes(n, kappa, ac1),
    ), labels


# -- Domains and auditors ---------------------------------------------------------------------

@dataclass(frozen=True)
class DomainAgreement:
    domain: str
    label: str
    figure: Figure
    higher: int
    lower: int


def domain_agreement(compared):
    """Agreement per domain, over the compared domain grades (one GROUP BY query)."""
    comparison = compare_ranks_sql(compared.c.auditor_rank, compared.c.final_rank)
    rows = db.session.execute(
        select(compared.c.domain, func.count().label("n"),
               _count_if(comparison == AGREE).label("agree"),
               _count_if(comparison == AUDITOR_HIGHER).label("higher"),
               _count_if(comparison == AUDITOR_LOWER).label("lower"))
        .where(compared.c.domain.is_not(None))
        .group_by(compared.c.domain)
    ).all()
    order = list(DOMAINS)
    rows = sorted(rows, key=lambda r: (order.index(r.domain) if r.domain in order else
                                       len(order), r.domain))
    return [
        DomainAgreement(domain=r.domain, label=DOMAINS.get(r.domain, r.domain),
                        figure=Figure.from_counts(_int(r.agree), r.n),
                        higher=_int(r.higher), lower=_int(r.lower))
        for r in rows
    ]


@dataclass(frozen=True)
class AuditorCalibration:
    auditor_id: int
    name: str
    moderated: int  # their audits in scope with a moderation that compared something
    figure: Figure  # agreement on the overall judgement
    mean_difference: float | None  # mean (final rank - auditor rank): positive = generous
    higher: int
    lower: int
    p_value: float  # exact two-sided sign test
    # Holm-adjusted for every auditor with a disagreement in the report (None without one).
    adjusted_p_value: float | None = None

    @property
    def over_grading(self):
        """Grades higher more often than lower, by more than chance would explain once every
        auditor tested in the same report is taken into account."""
        return (self.higher > self.lower and self.adjusted_p_value is not None
                and self.adjusted_p_value < FLAG_ALPHA)

    @property
    def over_grading_unadjusted(self):
        """The same test on this auditor alone: what the flag would say without adjusting."""
        return self.higher > self.lower and self.p_value < FLAG_ALPHA


def adjust_for_every_auditor(calibrations):
    """Holm-adjust the auditors' sign tests as one family: the auditors who had at least one
    disagreement (without one there is nothing to test)."""
    tested = [c for c in calibrations if c.higher + c.lower]
    adjusted = dict(zip((c.auditor_id for c in tested),
                        holm([c.p_value for c in tested]), strict=True))
    return [replace(c, adjusted_p_value=adjusted.get(c.auditor_id)) for c in calibrations]


def auditor_calibration(compared):
    """Per auditor: audits moderated, agreement, mean difference and direction on the overall
    judgement (one GROUP BY query), flags adjusted for testing every auditor. By name."""
    overall = compared.c.item == OVERALL
    comparison = compare_ranks_sql(compared.c.auditor_rank, compared.c.final_rank)
    difference = case((overall, compared.c.final_rank - compared.c.auditor_rank), else_=None)
    rows = db.session.execute(
        select(Audit.auditor_id, User.name,
               func.count(distinct(compared.c.audit_id)).label("moderated"),
               _count_if(overall).label("n"),
               _count_if(and_(overall, comparison == AGREE)).label("agree"),
               _count_if(and_(overall, comparison == AUDITOR_HIGHER)).label("higher"),
               _count_if(and_(overall, comparison == AUDITOR_LOWER)).label("lower"),
               func.avg(difference).label("mean_difference"))
        .select_from(compared)
        .join(Audit, compared.c.audit_id == Audit.id)
        .join(User, Audit.auditor_id == User.id)
        .group_by(Audit.auditor_id, User.name)
        .order_by(User.name, Audit.auditor_id)
    ).all()
    return adjust_for_every_auditor([
        AuditorCalibration(
            auditor_id=r.auditor_id, name=r.name, moderated=r.moderated,
            figure=Figure.from_counts(_int(r.agree), _int(r.n)),
            mean_difference=None if r.mean_difference is None else float(r.mean_difference),
            higher=_int(r.higher), lower=_int(r.lower),
            p_value=sign_test(_int(r.higher), _int(r.lower)),
        )
        for r in rows
    ])


# -- Challenges -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Challenges:
    grades_challenged: int
    challenges: int
    upheld: int
    rejected: int
    pending: int


def _moderated_grades(scope, *columns):
    """SELECT columns FROM every grade of the submitted moderations of the audits in scope
    (earlier moderations included, for the record)."""
    return (
        select(*columns)
        .select_from(ModerationGrade)
        .join(Moderation, ModerationGrade.moderation_id == Moderation.id)
        .join(Audit, Moderation.audit_id == Audit.id)
        .where(Moderation.status == SUBMITTED, *scope.audit_conditions(),
               *scope.moderation_conditions())
    )


def challenges(scope):
    """Challenges to the moderated grades of the audits in scope, by outcome (one query)."""
    row = db.session.execute(
        _moderated_grades(
            scope, func.count(distinct(Challenge.grade_id)).label("grades"),
            func.count(Challenge.id).label("challenges"),
            _count_if(Challenge.outcome == "upheld").label("upheld"),
            _count_if(Challenge.outcome == "rejected").label("rejected"),
            _count_if(Challenge.outcome.is_(None)).label("pending"))
        .join(Challenge, Challenge.grade_id == ModerationGrade.id)
    ).one()
    return Challenges(grades_challenged=_int(row.grades), challenges=_int(row.challenges),
                      upheld=_int(row.upheld), rejected=_int(row.rejected),
                      pending=_int(row.pending))


# -- The report -------------------------------------------------------------------------------

@dataclass(frozen=True)
class AgreementReport:
    scope: Scope
    categories: list
    scale_note: str | None
    coverage: Coverage
    overall: Overall
    target: object  # TargetInForce for the period's end, or None
    target_status: object  # TargetStatus against it, or None
    domains: list
    auditors: list
    challenges: Challenges

    @property
    def flagged(self):
        return [auditor for auditor in self.auditors if auditor.over_grading]

    @property
    def flagged_unadjusted(self):
        return [auditor for auditor in self.auditors if auditor.over_grading_unadjusted]


def agreement_report(scope, today=None):
    """Every figure of the agreement report for a scope, in seven queries. The target is the
    one in force on the scope's last day (today when it is open-ended)."""
    compared = _compared(scope)
    categories = categories_for(_scales(compared))
    overall, labels = overall_agreement(compared, categories.labels)
    last_day = scope.end or today or timeutil.today()
    target = in_force([KEY], last_day).find(KEY, scope_refs(scope))
    return AgreementReport(
        scope=scope,
        categories=labels,
        scale_note=categories.note,
        coverage=coverage(scope),
        overall=overall,
        target=target,
        target_status=overall.figure.status(target.rate) if target else None,
        domains=domain_agreement(compared),
        auditors=auditor_calibration(compared),
        challenges=challenges(scope),
    )


# -- The pairs behind the report --------------------------------------------------------------

PAIR_COLUMNS = [
    "Moderation", "Round", "Case reference", "Team", "Auditor", "Moderator", "Item",
    "Domain", "Auditor's grade", "Moderator's grade", "Agreed grade", "Ruled grade",
    "Final grade", "Comparison", "Challenged", "Submitted", "Audit date",
    "Counted in the figures",
]


def _round_or_source():
    """The moderation's round, or for an imported moderation (in no round) its file."""
    return func.coalesce(ModerationRound.name,
                         literal("Imported from ").concat(Moderation.imported_from))


def pairs(scope):
    """Every graded item of the submitted moderations of the audits in scope, one row each
    (one query), in PAIR_COLUMNS order, oldest moderation first. "Counted in the figures" is
    Yes for the latest moderation's grade of each compared item, the one the figures use."""
    auditor, moderator = db.aliased(User), db.aliased(User)
    challenged = exists().where(Challenge.grade_id == ModerationGrade.id)
    compared = _compared(scope)
    query = (
        _moderated_grades(
            scope, Moderation.id, _round_or_source(), Case.reference, Team.name,
            auditor.name, moderator.name, ModerationGrade.label, ModerationGrade.domain,
            ModerationGrade.auditor_grade, ModerationGrade.moderator_grade,
            ModerationGrade.agreed_grade, ModerationGrade.ruled_grade,
            ModerationGrade.final_grade, ModerationGrade.comparison, challenged,
            Moderation.submitted_on, Audit.audited_on, compared.c.grade_id.is_not(None))
        .outerjoin(ModerationSample, Moderation.sample_id == ModerationSample.id)
        .outerjoin(ModerationRound, ModerationSample.round_id == ModerationRound.id)
        .join(Case, Audit.case_id == Case.id)
        .join(Team, Audit.team_id == Team.id)
        .join(auditor, Audit.auditor_id == auditor.id)
        .join(moderator, Moderation.moderator_id == moderator.id)
        .outerjoin(compared, compared.c.grade_id == ModerationGrade.id)
        .order_by(Moderation.submitted_at, Moderation.id, ModerationGrade.position)
    )
    for row in db.session.execute(query):
        values = list(row)
        values[7] = DOMAINS.get(values[7], values[7]) if values[7] else None
        values[13] = COMPARISONS.get(values[13], "Not compared") if values[13] else "Not compared"
        values[14] = "Yes" if values[14] else "No"
        values[17] = "Yes" if values[17] else "No"
        yield values
