"""A sampled case is done when each of its actions still to check has a check in this sample:
a check of the same action in an earlier sample of the case does not count. (The rule's SQL
once looked for the check in any sample of the case.)"""

from datetime import date, datetime

from audit_app.dip_samples import figures, rounds
from audit_app.extensions import db
from audit_app.models import DipSampleCase, DipSampleCheck, DipSampleRound
from tests.action_factories import open_action


def sample(lead, month, case_id):
    round_ = DipSampleRound(practice_lead_id=lead.id, month=month, window_start=month,
                            window_end=month.replace(day=28), created_by_id=lead.id)
    db.session.add(round_)
    db.session.flush()
    sampled = DipSampleCase(round_id=round_.id, case_id=case_id, position=1,
                            added_at=datetime(month.year, month.month, 2, 9))
    db.session.add(sampled)
    db.session.flush()
    return round_, sampled


def test_a_check_in_last_months_sample_does_not_do_this_months(users):
    lead = users["practice_lead"]
    action = open_action(users["auditor"], raised_on=date(2026, 9, 1))
    action.created_at = datetime(2026, 9, 1, 10)
    october, in_october = sample(lead, date(2026, 10, 1), action.case_id)
    november, in_november = sample(lead, date(2026, 11, 1), action.case_id)
    # October's sample checked it; not due yet, so it stays open, to check again.
    db.session.add(DipSampleCheck(sampled_case_id=in_october.id, action_id=action.id,
                                  outcome="not_yet_due", checked_on=date(2026, 10, 5),
                                  checked_by_id=lead.id))
    db.session.commit()
    assert rounds.done_case_ids(october) == {in_october.id}
    assert rounds.done_case_ids(november) == set()
    months = [date(2026, 10, 1), date(2026, 11, 1)]
    [row] = [r for r in figures.coverage(months) if r.lead.id == lead.id]
    assert [(cell.done, cell.sampled) for cell in row.cells] == [(1, 1), (0, 1)]
