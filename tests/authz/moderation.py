"""Records for the moderation rows: a submitted blind moderation of the demo auditor's audit
(Crewe CIN/CP, managed by the demo manager) with a pending challenge, and a sample not yet
started, both assigned to the demo moderator."""

from audit_app.extensions import db
from audit_app.models import ModerationSample
from audit_app.moderation import moderate as rules
from tests.test_moderating import make_sample, submitted


def placeholders(users):
    sample = make_sample(users, "blind")
    moderation = submitted(sample, users)
    overall = moderation.grades[0]
    challenge = rules.raise_challenge(overall, users["auditor"], "Good", "Evidence")
    pending = ModerationSample(round=sample.round, audit=make_sample(users, "open").audit,
                               position=2, reason="random", moderator_id=users["moderator"].id)
    db.session.add(pending)
    db.session.commit()
    return {
        "sample_id": sample.id,
        "grade_id": overall.id,
        "challenge_id": challenge.id,
        "pending_sample_id": pending.id,
    }
