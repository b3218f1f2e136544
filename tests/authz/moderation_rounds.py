"""Records for the moderation round rows: a drawn targeted round holding one audit judged
Outstanding, and a round not yet drawn, both over Q2 2026-27."""

from datetime import date, datetime

from audit_app.extensions import db
from audit_app.moderation import rounds
from tests import factories


def placeholders(users):
    programme = factories.make_programme(factories.make_template(slug="authz-rounds"))
    audit = factories.make_audit(programme, factories.make_case("AUTHZ-R1"), users["auditor"],
                                 status="submitted")
    audit.submitted_at = datetime(2026, 8, 3, 10, 0)
    audit.overall_grade, audit.overall_rank = "Outstanding", 0
    common = dict(period_start=date(2026, 7, 1), period_end=date(2026, 9, 30),
                  kind="qa_quarterly", mode="blind", quota=9, method="targeted",
                  moderators=[users["moderator"]], actor=users["moderator"],
                  include_moderated=True)
    drawn = rounds.create_round(name="Authz drawn round", **common)
    rounds.draw(drawn, users["moderator"], seed=1)
    undrawn = rounds.create_round(name="Authz undrawn round", **common)
    db.session.commit()  # the matrix's requests run in their own sessions
    return {"drawn_round_id": drawn.id, "undrawn_round_id": undrawn.id}
