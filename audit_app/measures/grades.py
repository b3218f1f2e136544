"""The distribution of overall judgements in a period: how many audits got each grade, as
the auditors judged them and after moderation (the final grade, audit_app/measures/
final_grade.py), each a share of the audits with that kind of judgement.

The audits are the good-or-better rate's (audit_app/measures/units.py `audits`), so the
shares of the good-or-better grades add up to that rate. Grades are counted by their rank
(0 = best) on their template version's scale: one scale gives its labels; several scales
are compared by position, as the agreement report does (agreement.categories_for).

Two queries whatever the data: the scales in use, and one GROUP BY of each kind of
judgement (joined by UNION ALL).
"""

from dataclasses import dataclass, replace

from sqlalchemy import literal, select, union_all

from audit_app.extensions import db
from audit_app.measures.agreement import categories_for
from audit_app.measures.figures import Figure
from audit_app.measures.rate import AUDITS
from audit_app.measures.units import UNITS
from audit_app.models import Audit, TemplateVersion

AUDITED, FINAL = "audited", "final"


@dataclass(frozen=True)
class GradeShare:
    label: str
    audited: Figure  # audits the auditor gave this grade, over audits the auditor graded
    final: Figure  # audits whose final grade is this, over audits with a final grade


@dataclass(frozen=True)
class GradeDistribution:
    grades: list  # GradeShare, best first
    note: str | None  # how grades on several scales are compared
    audited_total: int
    final_total: int


def _scales(scope):
    """The scales of the template versions of the scope's audits with an overall grade."""
    versions = (select(Audit.template_version_id)
                .where(*scope.audit_conditions(), Audit.overall_rank.is_not(None)).distinct())
    return list(db.session.scalars(
        select(TemplateVersion.scale).where(TemplateVersion.id.in_(versions))
        .order_by(TemplateVersion.id)))


def grade_distribution(period, scope):
    """The GradeDistribution of `period` for `scope`."""
    scope = replace(scope, start=period.start, end=period.end)
    categories = categories_for(_scales(scope))
    units = UNITS[AUDITS](scope)
    parts = []
    for kind in (AUDITED, FINAL):
        rank = units.columns[kind].label("rank")
        parts.append(units.query(literal(kind).label("kind"), rank,
                                 db.func.count().label("n"))
                     .where(units.columns[kind].is_not(None)).group_by(rank))
    counts = {AUDITED: {}, FINAL: {}}
    for row in db.session.execute(union_all(*parts)):
        counts[row.kind][row.rank] = int(row.n)
    totals = {kind: sum(found.values()) for kind, found in counts.items()}
    ranks = max([len(categories.labels)] + [rank + 1 for found in counts.values()
                                            for rank in found])
    labels = list(categories.labels) + [f"Grade {i + 1}"
                                        for i in range(len(categories.labels), ranks)]
    return GradeDistribution(
        grades=[GradeShare(label=labels[rank],
                           audited=Figure.from_counts(counts[AUDITED].get(rank, 0),
                                                      totals[AUDITED]),
                           final=Figure.from_counts(counts[FINAL].get(rank, 0), totals[FINAL]))
                for rank in range(ranks)],
        note=categories.note, audited_total=totals[AUDITED], final_total=totals[FINAL])
