"""Moderation rounds: creating them, their sampling frame, drawing, redrawing, picking by hand.

Plain functions, no requests. Each change goes to the event log in the same transaction;
callers commit (or roll back on an error).
"""

import secrets
from dataclasses import dataclass, field

from sqlalchemy import case, exists, func, select

from audit_app import blind_moderation
from audit_app.eventlog import record, snapshot
from audit_app.extensions import db
from audit_app.models import (
    Audit,
    AuditTemplate,
    Case,
    Event,
    Moderation,
    ModerationRound,
    ModerationSample,
    Team,
    TemplateVersion,
    User,
)
from audit_app.models.audits import SUBMITTED
from audit_app.models.moderation import MODES, ROUND_KINDS, SAMPLING_METHODS
from audit_app.moderation import sampling
from audit_app.moderation.rules import may_moderate
from audit_app.programmes.sampling import NUMPY_VERSION
from audit_app.timeutil import utcnow
from audit_app.versioning import claim

ROUND_FIELDS = ("name", "period_start", "period_end", "kind", "mode", "quota", "method",
                "filters", "include_moderated")
MODERATION_STATUSES = {None: "Not started", "in_progress": "In progress",
                       "submitted": "Submitted"}


class RoundError(Exception):
    """A change the round's state does not allow; the message is for the user. `field`
    names the form field at fault, when there is one."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Frame:
    """The audits a round may draw from, and those left out as already sampled elsewhere."""

    records: list = field(default_factory=list)
    excluded_ids: frozenset = frozenset()

    @property
    def size(self):
        return len(self.records)

    @property
    def excluded(self):
        return len(self.excluded_ids)


def new_seed():
    return secrets.randbits(63)


def moderator_candidates():
    """Active users who may be named as a round's moderators."""
    return [u for u in db.session.scalars(select(User).where(User.active).order_by(User.name))
            if u.has_role("moderator")]


def create_round(*, name, period_start, period_end, kind, mode, quota, method, moderators,
                 actor, template_id=None, team_ids=(), auditor_ids=(),
                 include_moderated=False):
    if period_end < period_start:
        raise RoundError("Period end must be the same as or after the start", "period_end")
    for value, known, field_name, what in (
            (kind, ROUND_KINDS, "kind", "kind"), (mode, MODES, "mode", "mode"),
            (method, SAMPLING_METHODS, "method", "sampling method")):
        if value not in known:
            raise RoundError(f"Unknown {what}: {value}", field_name)
    if quota < 1:
        raise RoundError("The quota must be 1 or more", "quota")
    if not moderators:
        raise RoundError("Select at least one moderator", "moderator_ids")
    if not all(m.active and m.has_role("moderator") for m in moderators):
        raise RoundError("Every moderator of a round must be an active user with the "
                         "moderator role", "moderator_ids")
    filters = {}
    if template_id:
        filters["template_id"] = int(template_id)
    if team_ids:
        filters["team_ids"] = sorted(int(t) for t in team_ids)
    if auditor_ids:
        filters["auditor_ids"] = sorted(int(a) for a in auditor_ids)
    round_ = ModerationRound(
        name=name.strip(), period_start=period_start, period_end=period_end, kind=kind,
        mode=mode, quota=quota, method=method, filters=filters,
        include_moderated=include_moderated, created_by_id=actor.id,
    )
    round_.moderators = list(moderators)
    db.session.add(round_)
    db.session.flush()
    after = snapshot(round_, ROUND_FIELDS)
    after["moderator_ids"] = [m.id for m in round_.moderators]
    record("moderation_round", round_.id, "created", None, after, actor=actor)
    return round_


def frame_for(round_):
    """Submitted audits in the round's period (by their UK day, audited_on, both ends
    included) that match its filters, sorted by audit id.

    An audit sampled in another round is excluded (and counted) unless the round includes
    already-moderated audits: one audit should not be moderated twice by accident. An audit
    in someone's unfinished blind moderation is always excluded: another round would show
    its grades to its blind moderator. Imported audits are never in a frame: they were done
    before the tool, and any moderation of theirs came with them.
    """
    elsewhere = exists().where(ModerationSample.audit_id == Audit.id,
                               ModerationSample.round_id != round_.id)
    blind_elsewhere = blind_moderation.in_unfinished_blind_moderation(Audit.id, round_.id)
    query = (
        select(Audit.id, Case.team_id, Audit.auditor_id, Audit.overall_rank,
               TemplateVersion.scale, elsewhere.label("elsewhere"),
               blind_elsewhere.label("blind_elsewhere"))
        .join(Case, Audit.case_id == Case.id)
        .join(TemplateVersion, Audit.template_version_id == TemplateVersion.id)
        .where(Audit.status == SUBMITTED, Audit.imported_from.is_(None),
               Audit.audited_on.between(round_.period_start, round_.period_end))
        .order_by(Audit.id)
    )
    filters = round_.filters or {}
    if filters.get("template_id"):
        query = query.where(TemplateVersion.template_id == filters["template_id"])
    if filters.get("team_ids"):
        query = query.where(Case.team_id.in_(filters["team_ids"]))
    if filters.get("auditor_ids"):
        query = query.where(Audit.auditor_id.in_(filters["auditor_ids"]))
    records, excluded = [], set()
    for audit_id, team_id, auditor_id, rank, scale, other, blind in db.session.execute(query):
        if blind or (other and not round_.include_moderated):
            excluded.add(audit_id)
            continue
        records.append(sampling.FrameRecord(audit_id, team_id, auditor_id, rank, len(scale)))
    return Frame(records, frozenset(excluded))


def _claim(round_, version):
    """Claim the round at `version` (the version the user's page showed, or the one loaded):
    two draws of one round cannot both win."""
    claim(round_, round_.row_version if version is None else version)


def _assign(samples, moderators, by_id):
    """Round-robin over the moderators, skipping anyone who audited the case themselves.

    Returns the samples left without a moderator (no one else on the round may moderate).
    """
    moderators = [m for m in moderators if m.active]
    unassigned = []
    turn = 0
    for sample in samples:
        record_ = by_id[sample.audit_id]  # may_moderate only reads auditor_id
        for step in range(len(moderators)):
            candidate = moderators[(turn + step) % len(moderators)]
            if may_moderate(candidate, record_):
                sample.moderator_id = candidate.id
                turn = (turn + step + 1) % len(moderators)
                break
        else:
            unassigned.append(sample)
    return unassigned


def _sample(round_, user, seed, hand_picked, action, before=None, note=None):
    """Draw from the current frame into new sample rows and log it; shared by draw and redraw."""
    frame = frame_for(round_)
    if not frame.records:
        raise RoundError("No submitted audits match this round's period and filters, so "
                         "there is nothing to draw")
    seed = new_seed() if seed is None else int(seed)
    try:
        picks = sampling.draw_sample(frame.records, round_.method, round_.quota, seed,
                                     hand_picked)
    except ValueError as error:
        raise RoundError(str(error)) from None
    samples = [ModerationSample(round_id=round_.id, audit_id=audit_id, position=position,
                                reason=reason)
               for position, (audit_id, reason) in enumerate(picks, start=1)]
    by_id = {r.audit_id: r for r in frame.records}
    unassigned = _assign(samples, round_.moderators, by_id)
    db.session.add_all(samples)
    round_.seed = seed
    round_.numpy_version = NUMPY_VERSION
    round_.frame_size = frame.size
    round_.drawn_at = utcnow()
    round_.drawn_by_id = user.id
    db.session.flush()
    after = {
        "seed": seed, "numpy_version": NUMPY_VERSION, "method": round_.method,
        "quota": round_.quota,
        "frame_size": frame.size, "excluded": frame.excluded,
        # The frame itself, so the draw can be repeated even after late submissions.
        "frame_audit_ids": [r.audit_id for r in frame.records],
        "audit_ids": [s.audit_id for s in samples],
        "hand_picked": list(hand_picked),
        "unassigned_audit_ids": [s.audit_id for s in unassigned],
    }
    record("moderation_round", round_.id, action, before, after, note=note, actor=user)
    return samples, unassigned


def draw(round_, user, seed=None, hand_picked=(), version=None):
    """Draw the round's sample once. seed None picks a fresh random seed (stored).

    Returns (samples, unassigned samples).
    """
    if not user.has_role("moderator", "admin"):
        raise RoundError("Only a moderator or an administrator can draw a sample")
    if round_.drawn_at is not None:
        raise RoundError("This round has already been drawn. An administrator can redraw it, "
                         "giving a reason")
    _claim(round_, version)
    return _sample(round_, user, seed, hand_picked, "drawn")


def redraw(round_, user, reason, seed=None, version=None):
    """Replace the sample with a new draw: admins only, with a reason, before any moderation.

    Audits picked by hand stay picked if they are still in the frame.
    """
    if not user.has_role("admin"):
        raise RoundError("Only an administrator can redraw a round")
    reason = (reason or "").strip()
    if not reason:
        raise RoundError("Enter the reason for redrawing the sample")
    if round_.drawn_at is None:
        raise RoundError("This round has not been drawn yet")
    started = started_count(round_)
    if started:
        raise RoundError(f"Moderation has started on {started} of the audits in this "
                         "round, so it cannot be redrawn")
    _claim(round_, version)
    before = {"seed": round_.seed, "numpy_version": round_.numpy_version,
              "frame_size": round_.frame_size,
              "audit_ids": [s.audit_id for s in round_.samples]}
    hand_picked = [s.audit_id for s in round_.samples if s.reason == sampling.PICKED_BY_HAND]
    round_.samples.clear()
    db.session.flush()  # delete the old rows before the new ones reuse (round, audit) pairs
    in_frame = {r.audit_id for r in frame_for(round_).records}
    hand_picked = [a for a in hand_picked if a in in_frame]
    return _sample(round_, user, seed, hand_picked, "redrawn", before=before, note=reason)


def started_count(round_):
    """How many of the round's samples someone has started (or finished) moderating."""
    return db.session.scalar(
        select(func.count(Moderation.id))
        .join(ModerationSample, Moderation.sample_id == ModerationSample.id)
        .where(ModerationSample.round_id == round_.id)
    )


def can_pick(round_):
    """Audits are picked by hand only in targeted rounds, once the rule-based draw is done."""
    return round_.drawn_at is not None and round_.method in sampling.HAND_PICK_METHODS


def pick(round_, user, reference, version=None):
    """Add the audit of the case with this reference to a drawn targeted round, by hand.

    The audit must be in the round's frame. When the case has several, the most recently
    submitted one not yet in the round is taken. Returns the new sample.
    """
    if not user.has_role("moderator", "admin"):
        raise RoundError("Only a moderator or an administrator can pick audits")
    if round_.method not in sampling.HAND_PICK_METHODS:
        raise RoundError("Audits can only be picked by hand in a targeted round")
    if round_.drawn_at is None:
        raise RoundError("Draw the sample before picking audits by hand")
    reference = (reference or "").strip()
    if not reference:
        raise RoundError("Enter the case reference")
    if db.session.scalar(select(Case.id).where(Case.has_reference(reference))) is None:
        raise RoundError(f"There is no case with the reference {reference}")
    audits = db.session.scalars(
        select(Audit.id).join(Case, Audit.case_id == Case.id)
        .where(Case.has_reference(reference), Audit.status == SUBMITTED)
        .order_by(Audit.submitted_at.desc(), Audit.id.desc())
    ).all()
    frame = frame_for(round_)
    by_id = {r.audit_id: r for r in frame.records}
    in_round = {s.audit_id for s in round_.samples}
    in_frame = [a for a in audits if a in by_id]
    candidates = [a for a in in_frame if a not in in_round]
    if not candidates:
        if in_frame:
            raise RoundError(f"Case {reference} is already in this round's sample")
        if any(a in frame.excluded_ids for a in audits):
            raise RoundError(f"The audit of case {reference} is already in another round's "
                             "sample")
        raise RoundError(f"Case {reference} has no submitted audit in this round's period "
                         "and filters")
    _claim(round_, version)
    audit_id = candidates[0]
    sample = ModerationSample(
        round_id=round_.id, audit_id=audit_id, reason=sampling.PICKED_BY_HAND,
        position=max((s.position for s in round_.samples), default=0) + 1,
    )
    _assign_least_loaded(round_, sample, by_id[audit_id])
    db.session.add(sample)
    db.session.flush()
    record("moderation_round", round_.id, "picked", None,
           {"audit_id": audit_id, "reference": reference,
            "moderator_id": sample.moderator_id}, actor=user)
    return sample


def _assign_least_loaded(round_, sample, frame_record):
    load = {}
    for s in round_.samples:
        if s.moderator_id is not None:
            load[s.moderator_id] = load.get(s.moderator_id, 0) + 1
    eligible = [m for m in round_.moderators if m.active and may_moderate(m, frame_record)]
    if eligible:
        sample.moderator_id = min(eligible, key=lambda m: load.get(m.id, 0)).id


# --- reading ------------------------------------------------------------------------------


def moderation_status(sample):
    return MODERATION_STATUSES[sample.moderation.status if sample.moderation else None]


def progress_by_round():
    """{round_id: (samples, moderations submitted)} in one grouped query."""
    submitted = case((Moderation.status == "submitted", 1), else_=0)
    rows = db.session.execute(
        select(ModerationSample.round_id, func.count(ModerationSample.id),
               func.coalesce(func.sum(submitted), 0))
        .outerjoin(Moderation, Moderation.sample_id == ModerationSample.id)
        .group_by(ModerationSample.round_id)
    )
    return {round_id: (samples, int(done)) for round_id, samples, done in rows}


def filter_labels(round_):
    """The round's frame filters in words: {"template": ..., "teams": [...], ...}."""
    filters = round_.filters or {}
    labels = {"template": "Any template", "teams": [], "auditors": []}
    if filters.get("template_id"):
        template = db.session.get(AuditTemplate, filters["template_id"])
        labels["template"] = template.name if template else "A removed template"
    if filters.get("team_ids"):
        labels["teams"] = db.session.scalars(
            select(Team.name).where(Team.id.in_(filters["team_ids"])).order_by(Team.name)).all()
    if filters.get("auditor_ids"):
        labels["auditors"] = db.session.scalars(
            select(User.name).where(User.id.in_(filters["auditor_ids"])).order_by(User.name)
        ).all()
    return labels


def last_draw_event(round_):
    """The event of the round's latest draw or redraw (its frame, exclusions and seed)."""
    return db.session.scalar(
        select(Event)
        .where(Event.entity_type == "moderation_round", Event.entity_id == round_.id,
               Event.action.in_(("drawn", "redrawn")))
        .order_by(Event.id.desc()).limit(1)
    )
