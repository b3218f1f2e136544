"""Auditor-moderator agreement: what the action plan reports about the accuracy of audits.

Everything is counted by the database (GROUP BY over the compared grades); Python only turns
the counts into figures and statistics, so a report makes the same few queries whatever the
number of moderations.

The pairs compared are the auditor's grade and the FINAL grade (ModerationGrade.final_rank:
ruled, else agreed, else moderated, defined once in audit_app/models/moderation.py). A grade
row counts when it can be compared (its `comparison` is not NULL, so both grades exist).
Agreement on the overall judgement is the headline; domain rows give the per-domain figures.
Only submitted moderations count, by the UK day they were submitted (Moderation.submitted_on,
stored at submission, so the database compares days on SQLite and PostgreSQL alike).
"""

from dataclasses import dataclass, field

from scipy import stats as scipy_stats
from sqlalchemy import and_, case, distinct, exists, func, select

from audit_app import blind_moderation
from audit_app.extensions import db
from audit_app.measures.figures import SMALL_SAMPLE, Figure
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
    round_moderators,
)
from audit_app.models.templates import DOMAINS
from audit_app.stats import cohen_kappa, grade_bias, gwet_ac1

# The reference action plan (Cheshire East ILACS action plan, recommendation 2, outcome
# measures): "80% judgements from internal auditors will be agreed as accurate by the external
# auditor" by September 2021, then 90% by September 2022 (Q2).
AGREEMENT_TARGETS = (
    (0.80, "Target for September 2021"),
    (0.90, "Target for September 2022"),
)
# An auditor is flagged when they grade higher more often than lower and the exact sign test
# says a split that uneven is unlikely under "no bias" (two-sided, 5%).
FLAG_ALPHA = 0.05
SUBMITTED = "submitted"

FINAL_RANK = ModerationGrade.final_rank  # SQL: the rule of audit_app/models/moderation.py
COMPARISON = ModerationGrade.comparison


@dataclass(frozen=True)
class Scope:
    """Which moderations a report covers. Dates are inclusive UK days; None is unbounded."""

    start: object = None  # date
    end: object = None  # date
    team_id: int | None = None
    template_id: int | None = None
    auditor_id: int | None = None
    moderator_id: int | None = None
    round_id: int | None = None
    # The reader: audits they are moderating blind are left out until they submit.
    reader_id: int | None = None

    @property
    def narrows_rounds(self):
        """Filters that pick part of a round's audits, so the round's quota does not apply."""
        return any(v is not None for v in (self.team_id, self.template_id, self.auditor_id))


def _conditions(scope):
    """WHERE clauses on Moderation and Audit (both must be in the FROM) for the scope."""
    conditions = [Moderation.status == SUBMITTED]
    if scope.start is not None:
        conditions.append(Moderation.submitted_on >= scope.start)
    if scope.end is not None:
        conditions.append(Moderation.submitted_on <= scope.end)
    if scope.team_id is not None:
        conditions.append(Audit.case_id.in_(select(Case.id).where(Case.team_id == scope.team_id)))
    if scope.template_id is not None:
        conditions.append(Audit.template_version_id.in_(
            select(TemplateVersion.id).where(TemplateVersion.template_id == scope.template_id)
        ))
    if scope.auditor_id is not None:
        conditions.append(Audit.auditor_id == scope.auditor_id)
    if scope.moderator_id is not None:
        conditions.append(Moderation.moderator_id == scope.moderator_id)
    if scope.round_id is not None:
        conditions.append(Moderation.sample_id.in_(
            select(ModerationSample.id).where(ModerationSample.round_id == scope.round_id)
        ))
    if scope.reader_id is not None:
        conditions.append(Audit.id.not_in(blind_moderation.hidden_audit_ids(scope.reader_id)))
    return conditions


def _grades(scope, *columns):
    """SELECT columns FROM the compared grades of the moderations in scope."""
    return (
        select(*columns)
        .select_from(ModerationGrade)
        .join(Moderation, ModerationGrade.moderation_id == Moderation.id)
        .join(Audit, Moderation.audit_id == Audit.id)
        .where(*_conditions(scope))
    )


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


COMPARED = COMPARISON.is_not(None)


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


def _scales(scope):
    """The judgement scales of the template versions in scope (one query)."""
    versions = _grades(scope, Audit.template_version_id).distinct()
    rows = db.session.execute(
        select(TemplateVersion.scale).where(TemplateVersion.id.in_(versions))
        .order_by(TemplateVersion.id)
    )
    return [row.scale for row in rows]


# -- Coverage ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    moderated: int
    quota: int  # total quota of the rounds overlapping the period
    rounds: int
    note: str | None = None

    @property
    def share_of_quota(self):
        return self.moderated / self.quota if self.quota else None


def coverage(scope):
    """Submitted moderations in scope against the quotas of the rounds in scope (one query).

    A round is in scope when its period overlaps the report's period (a round that only
    partly overlaps counts in full), it is the chosen round, and the chosen moderator is one
    of its moderators.
    """
    moderated = (
        select(func.count(Moderation.id)).select_from(Moderation)
        .join(Audit, Moderation.audit_id == Audit.id).where(*_conditions(scope))
    )
    rounds = select(ModerationRound.quota)
    if scope.start is not None:
        rounds = rounds.where(ModerationRound.period_end >= scope.start)
    if scope.end is not None:
        rounds = rounds.where(ModerationRound.period_start <= scope.end)
    if scope.round_id is not None:
        rounds = rounds.where(ModerationRound.id == scope.round_id)
    if scope.moderator_id is not None:
        rounds = rounds.where(exists().where(
            round_moderators.c.round_id == ModerationRound.id,
            round_moderators.c.user_id == scope.moderator_id,
        ))
    rounds = rounds.subquery()
    row = db.session.execute(select(
        moderated.scalar_subquery().label("moderated"),
        select(func.coalesce(func.sum(rounds.c.quota), 0)).scalar_subquery().label("quota"),
        select(func.count()).select_from(rounds).scalar_subquery().label("rounds"),
    )).one()
    note = None
    if scope.narrows_rounds:
        note = ("A round's quota covers all its audits; with a team, template or auditor "
                "chosen the moderations counted here are only part of it.")
    return Coverage(moderated=_int(row.moderated), quota=_int(row.quota),
                    rounds=_int(row.rounds), note=note)


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


def overall_agreement(scope, labels):
    """Agreement on the overall judgement, with the confusion matrix, kappa, weighted kappa,
    AC1 and the direction of disagreement, all from one GROUP BY query."""
    rows = db.session.execute(
        _grades(scope, ModerationGrade.auditor_rank, FINAL_RANK.label("final_rank"),
                func.count().label("n"))
        .where(ModerationGrade.item == OVERALL, COMPARED)
        .group_by(ModerationGrade.auditor_rank, FINAL_RANK)
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


def domain_agreement(scope):
    """Agreement per domain, over the compared domain grades (one GROUP BY query)."""
    rows = db.session.execute(
        _grades(scope, ModerationGrade.domain, func.count().label("n"),
                _count_if(COMPARISON == AGREE).label("agree"),
                _count_if(COMPARISON == AUDITOR_HIGHER).label("higher"),
                _count_if(COMPARISON == AUDITOR_LOWER).label("lower"))
        .where(ModerationGrade.domain.is_not(None), COMPARED)
        .group_by(ModerationGrade.domain)
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
    moderated: int  # moderations of their audits in scope
    figure: Figure  # agreement on the overall judgement
    mean_difference: float | None  # mean (final rank - auditor rank): positive = generous
    higher: int
    lower: int
    p_value: float  # exact two-sided sign test

    @property
    def over_grading(self):
        """Grades higher more often than lower, by more than chance would explain."""
        return self.higher > self.lower and self.p_value < FLAG_ALPHA


def auditor_calibration(scope):
    """Per auditor: moderations, agreement, mean difference and direction on the overall
    judgement (one GROUP BY query). Sorted by name."""
    overall = and_(ModerationGrade.item == OVERALL, COMPARED)
    difference = case((overall, FINAL_RANK - ModerationGrade.auditor_rank), else_=None)
    rows = db.session.execute(
        _grades(scope, Audit.auditor_id, User.name,
                func.count(distinct(Moderation.id)).label("moderated"),
                _count_if(overall).label("n"),
                _count_if(and_(overall, COMPARISON == AGREE)).label("agree"),
                _count_if(and_(overall, COMPARISON == AUDITOR_HIGHER))
                .label("higher"),
                _count_if(and_(overall, COMPARISON == AUDITOR_LOWER))
                .label("lower"),
                func.avg(difference).label("mean_difference"))
        .join(User, Audit.auditor_id == User.id)
        .group_by(Audit.auditor_id, User.name)
        .order_by(User.name, Audit.auditor_id)
    ).all()
    return [
        AuditorCalibration(
            auditor_id=r.auditor_id, name=r.name, moderated=r.moderated,
            figure=Figure.from_counts(_int(r.agree), _int(r.n)),
            mean_difference=None if r.mean_difference is None else float(r.mean_difference),
            higher=_int(r.higher), lower=_int(r.lower),
            p_value=sign_test(_int(r.higher), _int(r.lower)),
        )
        for r in rows
    ]


# -- Challenges -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Challenges:
    grades_challenged: int
    challenges: int
    upheld: int
    rejected: int
    pending: int


def challenges(scope):
    """Challenges to the compared grades in scope, by outcome (one query)."""
    row = db.session.execute(
        _grades(scope, func.count(distinct(Challenge.grade_id)).label("grades"),
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
    targets: list  # (target, what it is, TargetStatus)
    domains: list
    auditors: list
    challenges: Challenges


def agreement_report(scope):
    """Every figure of the agreement report for a scope, in six queries."""
    categories = categories_for(_scales(scope))
    overall, labels = overall_agreement(scope, categories.labels)
    return AgreementReport(
        scope=scope,
        categories=labels,
        scale_note=categories.note,
        coverage=coverage(scope),
        overall=overall,
        targets=[(target, what, overall.figure.status(target))
                 for target, what in AGREEMENT_TARGETS],
        domains=domain_agreement(scope),
        auditors=auditor_calibration(scope),
        challenges=challenges(scope),
    )


# -- The pairs behind the report --------------------------------------------------------------

PAIR_COLUMNS = [
    "Moderation", "Round", "Case reference", "Team", "Auditor", "Moderator", "Item",
    "Domain", "Auditor's grade", "Moderator's grade", "Agreed grade", "Ruled grade",
    "Final grade", "Comparison", "Challenged", "Submitted",
]


def pairs(scope):
    """Every compared item of the moderations in scope, one row each (one query), in
    PAIR_COLUMNS order, oldest moderation first."""
    auditor, moderator = db.aliased(User), db.aliased(User)
    challenged = exists().where(Challenge.grade_id == ModerationGrade.id)
    query = (
        _grades(scope, Moderation.id, ModerationRound.name, Case.reference, Team.name,
                auditor.name, moderator.name, ModerationGrade.label, ModerationGrade.domain,
                ModerationGrade.auditor_grade, ModerationGrade.moderator_grade,
                ModerationGrade.agreed_grade, ModerationGrade.ruled_grade,
                ModerationGrade.final_grade, COMPARISON, challenged, Moderation.submitted_on)
        .join(ModerationSample, Moderation.sample_id == ModerationSample.id)
        .join(ModerationRound, ModerationSample.round_id == ModerationRound.id)
        .join(Case, Audit.case_id == Case.id)
        .join(Team, Case.team_id == Team.id)
        .join(auditor, Audit.auditor_id == auditor.id)
        .join(moderator, Moderation.moderator_id == moderator.id)
        .order_by(Moderation.submitted_at, Moderation.id, ModerationGrade.position)
    )
    for row in db.session.execute(query):
        values = list(row)
        values[7] = DOMAINS.get(values[7], values[7]) if values[7] else None
        values[13] = COMPARISONS.get(values[13], "Not compared") if values[13] else "Not compared"
        values[14] = "Yes" if values[14] else "No"
        yield values

