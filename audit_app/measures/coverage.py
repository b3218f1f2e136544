"""moderation_coverage: audits moderated against the quotas of the moderation rounds of the
period.

A round belongs to the period its own period ends in (a round drawn from Q1 and Q2 audits
counts in Q2 and in that financial year, once). The numerator is the audits sampled into
those rounds whose moderation there has been submitted; the denominator is the sum of the
rounds' quotas. It is a count of work done against a plan, not an estimate from a sample:
it has no confidence interval and no target status, and it can pass 100% when audits are
added to a round by hand.

A round's quota covers all its audits, so the measure is for the whole council: narrowed to
a team, service, template, auditor or cohort, only part of a round's moderations are
counted against its whole quota.
"""

from dataclasses import dataclass

from sqlalchemy import distinct, exists, func, select

from audit_app.extensions import db
from audit_app.measures.figures import Figure
from audit_app.measures.grouping import period_of
from audit_app.models import Audit, Moderation, ModerationRound, ModerationSample
from audit_app.models.moderation import round_moderators

KEY = "moderation_coverage"
TITLE = "Audits moderated against the quotas of the period's moderation rounds"
NUMERATOR_WORDS = ("audits sampled into the moderation rounds that end in the period, whose "
                   "moderation has been submitted")
DENOMINATOR_WORDS = "the total quota of those rounds"
NARROWED_NOTE = ("A round's quota covers all its audits; with a team, service, template, "
                 "auditor or cohort chosen, the moderations counted here are only part of it.")


@dataclass(frozen=True)
class Coverage:
    moderated: int
    quota: int
    rounds: int
    note: str | None = None

    @property
    def figure(self):
        return Figure.against_plan(self.moderated, self.quota)

    @property
    def share_of_quota(self):
        return self.figure.value


def _rounds(scope, *columns):
    """Subquery of the rounds a scope counts (id, quota, `columns`): by the day each round's
    period ends, and the scope's moderator and round."""
    rounds = select(ModerationRound.id, ModerationRound.quota, *columns)
    if scope.start is not None:
        rounds = rounds.where(ModerationRound.period_end >= scope.start)
    if scope.end is not None:
        rounds = rounds.where(ModerationRound.period_end <= scope.end)
    if scope.round_id is not None:
        rounds = rounds.where(ModerationRound.id == scope.round_id)
    if scope.moderator_id is not None:
        rounds = rounds.where(exists().where(
            round_moderators.c.round_id == ModerationRound.id,
            round_moderators.c.user_id == scope.moderator_id,
        ))
    return rounds.subquery()


def _moderated(scope, *columns):
    """SELECT `columns` and the number of audits moderated (submitted), of the scope's
    audits, from ModerationSample and Moderation; callers say which rounds."""
    moderated = (
        select(*columns, func.count(distinct(ModerationSample.audit_id)).label("moderated"))
        .select_from(ModerationSample)
        .join(Moderation, Moderation.sample_id == ModerationSample.id)
        .where(Moderation.status == "submitted", *scope.moderation_conditions())
    )
    # The audits' own dates do not matter here: a round's audits are whatever it sampled.
    narrowing = scope.narrowing_conditions()
    if narrowing:
        moderated = moderated.join(Audit, ModerationSample.audit_id == Audit.id).where(
            *narrowing)
    return moderated


def coverage(scope):
    """Coverage for a scope (audit_app/measures/scope.py), in one query. The scope's dates
    pick the rounds (by the day each round's period ends); its moderator and round narrow
    the rounds and the moderations; its other filters narrow the audits counted."""
    rounds = _rounds(scope)
    moderated = _moderated(scope).where(ModerationSample.round_id.in_(select(rounds.c.id)))
    row = db.session.execute(select(
        moderated.scalar_subquery().label("moderated"),
        select(func.coalesce(func.sum(rounds.c.quota), 0)).scalar_subquery().label("quota"),
        select(func.count()).select_from(rounds).scalar_subquery().label("rounds"),
    )).one()
    return Coverage(moderated=int(row.moderated or 0), quota=int(row.quota or 0),
                    rounds=int(row.rounds or 0),
                    note=NARROWED_NOTE if scope.narrows_audits else None)


def coverage_by_period(scope, periods):
    """{period code: Coverage} for each of `periods` (consecutive, covering the scope's
    dates) that has a round ending in it, in one query."""
    rounds = _rounds(scope, period_of(ModerationRound.period_end, periods))
    quotas = (select(rounds.c.period, func.sum(rounds.c.quota).label("quota"),
                     func.count().label("rounds"))
              .group_by(rounds.c.period).subquery())
    moderated = (_moderated(scope, rounds.c.period)
                 .join(rounds, rounds.c.id == ModerationSample.round_id)
                 .group_by(rounds.c.period).subquery())
    rows = db.session.execute(
        select(quotas.c.period, quotas.c.quota, quotas.c.rounds, moderated.c.moderated)
        .outerjoin(moderated, moderated.c.period == quotas.c.period))
    note = NARROWED_NOTE if scope.narrows_audits else None
    return {row.period: Coverage(moderated=int(row.moderated or 0), quota=int(row.quota or 0),
                                 rounds=int(row.rounds), note=note)
            for row in rows}
