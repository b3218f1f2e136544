"""Blind moderation: until a moderator submits a blind moderation, nothing shows them the
auditor's grades of that audit.

One rule in one place. An audit is in someone's unfinished blind moderation while a sample
of it in a blind round has no submitted moderation; it is then kept out of every other
round's frame (`in_unfinished_blind_moderation`). Its blind moderator (the sample's
moderator, or any of the round's moderators while nobody is assigned) must not see its
grades anywhere: the audit pages, other samples of it, the reason it was chosen, the
agreement report and its exports, and the event log ask `hidden_audit_ids` or `hides`.
"""

from sqlalchemy import and_, exists, func, or_, select

from audit_app.extensions import db
from audit_app.models import (
    Challenge,
    Moderation,
    ModerationGrade,
    ModerationRound,
    ModerationSample,
)
from audit_app.models.moderation import round_moderators

BLIND = "blind"


def _unfinished_blind(sample=ModerationSample):
    """SQL: `sample` is in a blind round and its moderation is not submitted."""
    submitted = exists().where(Moderation.sample_id == sample.id,
                               Moderation.status == "submitted")
    blind_round = exists().where(ModerationRound.id == sample.round_id,
                                 ModerationRound.mode == BLIND)
    return and_(blind_round, ~submitted)


def in_unfinished_blind_moderation(audit_id, except_round_id=None):
    """SQL: the audit `audit_id` (a column) is in someone's unfinished blind moderation,
    in a round other than `except_round_id`."""
    condition = [ModerationSample.audit_id == audit_id, _unfinished_blind()]
    if except_round_id is not None:
        condition.append(ModerationSample.round_id != except_round_id)
    return exists().where(*condition)


def hidden_audit_ids(user_id, except_sample_id=None):
    """SQL select of the ids of audits whose grades the user `user_id` must not see yet:
    those in a blind sample they moderate (or may start) and have not submitted."""
    on_round = exists().where(round_moderators.c.round_id == ModerationSample.round_id,
                              round_moderators.c.user_id == user_id)
    theirs = or_(ModerationSample.moderator_id == user_id,
                 and_(ModerationSample.moderator_id.is_(None), on_round))
    query = select(ModerationSample.audit_id).where(_unfinished_blind(), theirs)
    if except_sample_id is not None:
        query = query.where(ModerationSample.id != except_sample_id)
    return query


def hidden_count(user_id):
    """How many audits `hidden_audit_ids` keeps from the user: pages that leave them out of
    figures say so, rather than show smaller figures without a word."""
    ids = hidden_audit_ids(user_id).distinct().subquery()
    return db.session.scalar(select(func.count()).select_from(ids))


def hidden_samples(user):
    """{audit id: ids of the user's unfinished blind samples of it}, in one query, for a page
    that checks many samples (see `hidden_elsewhere`)."""
    found = {}
    query = hidden_audit_ids(user.id).add_columns(ModerationSample.id)
    for audit_id, sample_id in db.session.execute(query):
        found.setdefault(audit_id, set()).add(sample_id)
    return found


def hidden_elsewhere(hidden, sample):
    """Given hidden_samples(user): the user is moderating `sample`'s audit blind in another
    sample, so this one must not show them its grades."""
    return bool(hidden.get(sample.audit_id, set()) - {sample.id})


def hides(user, audit_id, except_sample_id=None):
    """True while `user` is moderating the audit blind and has not submitted.

    `except_sample_id`: leave that sample out (the blind sample's own page is the blind
    form, which shows no grades)."""
    query = hidden_audit_ids(user.id, except_sample_id).where(
        ModerationSample.audit_id == audit_id)
    return db.session.scalar(select(exists(query))) is True


def events_hidden_from(user, event):
    """SQL: `event` (the Event entity) is about an audit hidden from `user`, or about a
    moderation, grade or challenge of one: such events carry grades."""
    hidden = hidden_audit_ids(user.id)
    moderations = select(Moderation.id).where(Moderation.audit_id.in_(hidden))
    grades = select(ModerationGrade.id).where(ModerationGrade.moderation_id.in_(moderations))
    challenges = select(Challenge.id).where(Challenge.grade_id.in_(grades))
    return or_(
        and_(event.entity_type == "audit", event.entity_id.in_(hidden)),
        and_(event.entity_type == "moderation", event.entity_id.in_(moderations)),
        and_(event.entity_type == "moderation_grade", event.entity_id.in_(grades)),
        and_(event.entity_type == "challenge", event.entity_id.in_(challenges)),
    )
