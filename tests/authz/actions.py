"""Records for the action rows: open and completed actions on a Crewe CIN/CP case from the
demo auditor's audit (owned by the demo manager, who manages that team); an open action on
a Macclesfield CIN/CP case from an audit by the demo manager, owned by that team's own
manager; and a submitted moderation by the demo moderator."""

from datetime import date

from audit_app.actions import workflow
from audit_app.extensions import db
from tests.action_factories import action_template, manager_of, open_action, open_actions
from tests.moderation_factories import make_moderated, submitted_audit


def placeholders(users):
    crewe, done = open_actions(users["auditor"], count=2, reference="AUTHZ-ACT1")
    workflow.complete(done, users["manager"], done.row_version, date(2026, 11, 3),
                      "Case note added", today=date(2026, 11, 20))
    macclesfield = manager_of("Macclesfield CIN/CP", name="Mo Macclesfield")
    other_team = open_action(users["manager"], reference="AUTHZ-ACT2",
                             team_name="Macclesfield CIN/CP", owner=macclesfield)
    moderation = make_moderated(submitted_audit(users["auditor"], action_template()),
                                users["moderator"])
    db.session.commit()
    return {
        "open_action_id": crewe.id,
        "completed_action_id": done.id,
        "other_team_action_id": other_team.id,
        "moderation_id": moderation.id,
        "action_owner_id": users["manager"].id,
    }
