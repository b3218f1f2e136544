"""Records for the dip-sample rows: a round drawn by the demo practice lead with two cases, one
with an action the demo manager completed ({dip_sampled_id}, {dip_action_id}) and one with an
action the practice lead owned and completed themselves ({dip_own_sampled_id},
{dip_own_action_id}); a round of hers not drawn yet; and another practice lead's drawn round
({dip_other_sampled_id}, {dip_other_action_id})."""

from audit_app.extensions import db
from tests.dip_factories import completed_action, drawn_round, make_round
from tests.moderation_factories import make_user


def placeholders(users):
    auditor, manager, lead = users["auditor"], users["manager"], users["practice_lead"]
    theirs = completed_action(auditor, manager, reference="AUTHZ-DIP1")
    own = completed_action(auditor, lead, reference="AUTHZ-DIP2", owner=lead)
    round_ = drawn_round(lead)
    by_case = {s.case_id: s for s in round_.cases}
    undrawn = make_round(lead)
    other = drawn_round(make_user("Other Lead", roles=("practice_lead",)))
    other_sampled = next(s for s in other.cases if s.case_id == theirs.case_id)
    db.session.commit()
    return {
        "dip_round_id": round_.id,
        "dip_undrawn_round_id": undrawn.id,
        "dip_sampled_id": by_case[theirs.case_id].id,
        "dip_action_id": theirs.id,
        "dip_own_sampled_id": by_case[own.case_id].id,
        "dip_own_action_id": own.id,
        "dip_other_sampled_id": other_sampled.id,
    }
