"""Builders for moderated audits, straight onto the models (not through the workflow).

Agreement measures only read what the workflow stores, so their tests build exactly that:
a submitted moderation with one compared grade per item. Each builder adds and flushes;
callers commit.
"""

from datetime import date, datetime
from itertools import count

from audit_app.extensions import db
from audit_app.models import (
    Challenge,
    Moderation,
    ModerationGrade,
    ModerationRound,
    ModerationSample,
    Programme,
    Target,
    User,
)
from audit_app.moderation.rules import compared_items
from tests import factories

_serial = count(1)

OUT, GOOD, RI, INAD = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")


def make_user(name, roles=("auditor",), team_name=None):
    local = name.lower().replace(" ", ".")
    user = User(email=f"{local}.{next(_serial)}@example.org.uk", name=name)
    user.roles = set(roles)
    if team_name:
        user.team_id = factories.team(team_name).id
    db.session.add(user)
    db.session.flush()
    return user


def make_template(name="Agreement test template", **kwargs):
    """factories.make_template under a slug of its own (the demo loads the built-in ones)."""
    return factories.make_template(slug=f"agreement-{next(_serial)}", name=name, **kwargs)


def make_round(name="Q2 2022-23 quality assurance moderation", period_start=date(2022, 7, 1),
               period_end=date(2022, 9, 30), quota=9, kind="qa_quarterly", moderators=()):
    round_ = ModerationRound(name=name, period_start=period_start, period_end=period_end,
                             kind=kind, mode="blind", quota=quota, method="simple_random",
                             filters={})
    round_.moderators = list(moderators)
    db.session.add(round_)
    db.session.flush()
    return round_


def programme_for(template):
    """One programme per template is enough: audits differ by case."""
    programme = db.session.scalar(db.select(Programme).where(Programme.template_id == template.id))
    return programme or factories.make_programme(template)


def submitted_audit(auditor, template, reference=None, team_name="Crewe CIN/CP",
                    audited_at=datetime(2022, 7, 1, 9)):
    """A submitted audit of a new case; `audited_at` (UTC) sets its audit date (a Q2 day)."""
    case = factories.make_case(reference=reference or f"LCS-M{next(_serial):05d}",
                               team_name=team_name)
    audit = factories.make_audit(programme_for(template), case, auditor, status="submitted")
    audit.submitted_at = audited_at
    audit.team_id = case.team_id
    return audit


def _rank(version, label):
    return None if label is None else version.grade_rank(label)


def make_moderated(audit, moderator, overall=(GOOD, GOOD), domains=None, agreed=None,
                   ruled=None, challenges=None, submitted_at=datetime(2022, 8, 15, 10),
                   round_=None, status="submitted"):
    """A moderation of `audit` with its compared grades.

    overall and each domains[item] are (auditor's grade, moderator's grade); items not in
    `domains` get no grades. agreed/ruled map item -> the grade agreed in discussion / ruled
    on challenge; challenges maps item -> outcome ("upheld", "rejected" or None = pending).
    """
    version = audit.template_version
    round_ = round_ or make_round(name=f"Round {next(_serial)}")
    position = 1 + db.session.scalar(
        db.select(db.func.count(ModerationSample.id))
        .where(ModerationSample.round_id == round_.id))
    sample = ModerationSample(round_id=round_.id, audit_id=audit.id, reason="random",
                              position=position, moderator_id=moderator.id)
    db.session.add(sample)
    db.session.flush()
    moderation = Moderation(sample_id=sample.id, audit_id=audit.id, moderator_id=moderator.id,
                            mode="blind", status=status, feedback="Feedback.",
                            submitted_at=submitted_at if status == "submitted" else None)
    db.session.add(moderation)
    given = {"overall": overall, **(domains or {})}
    audit.overall_grade, audit.overall_rank = overall[0], _rank(version, overall[0])
    for position, (item, label, domain, _question) in enumerate(compared_items(version)):
        auditor_grade, moderator_grade = given.get(item, (None, None))
        grade = ModerationGrade(
            position=position, item=item, label=label, domain=domain,
            auditor_grade=auditor_grade, auditor_rank=_rank(version, auditor_grade),
            moderator_grade=moderator_grade, moderator_rank=_rank(version, moderator_grade),
        )
        for field, chosen in (("agreed", agreed or {}), ("ruled", ruled or {})):
            if item in chosen:
                setattr(grade, f"{field}_grade", chosen[item])
                setattr(grade, f"{field}_rank", _rank(version, chosen[item]))
        moderation.grades.append(grade)
    db.session.flush()
    for item, outcome in (challenges or {}).items():
        grade = next(g for g in moderation.grades if g.item == item)
        db.session.add(Challenge(
            grade_id=grade.id, raised_by_id=audit.auditor_id, reasons="I disagree.",
            proposed_grade=grade.auditor_grade or GOOD, outcome=outcome,
            ruled_by_id=moderator.id if outcome else None,
            ruled_at=submitted_at if outcome else None,
            ruling="Ruled." if outcome else None,
        ))
    db.session.flush()
    return moderation


def moderate(auditor, moderator, template, overall=(GOOD, GOOD), team_name="Crewe CIN/CP",
             reference=None, audited_at=datetime(2022, 7, 1, 9), **kwargs):
    """A new case and submitted audit of it, moderated: the usual one-liner in tests."""
    audit = submitted_audit(auditor, template, reference=reference, team_name=team_name,
                            audited_at=audited_at)
    return make_moderated(audit, moderator, overall=overall, **kwargs)


def make_target(measure, rate, applies_from=date(2021, 9, 1), scope_kind="all", scope_ref="",
                source="ILACS action plan"):
    target = Target(measure=measure, rate=rate, applies_from=applies_from,
                    scope_kind=scope_kind, scope_ref=scope_ref, source=source)
    db.session.add(target)
    db.session.flush()
    return target
