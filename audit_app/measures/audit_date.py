"""Which audits a figure counts, in which period and which team.

- Only submitted audits count: not drafts, and not audits returned to their auditor (they
  count again once resubmitted, on the new date). Imported audits (audit_app/results_import)
  are submitted, with the file's audit date and team stored the same way.
- An audit counts in the period of its audit date: the UK (Europe/London) day it was
  submitted, stored as `audits.audited_on` when it is submitted (audit_app/models/audits.py),
  so periods group the same way on SQLite and PostgreSQL. 23:30 UTC on 30 June 2022 is
  00:30 on 1 July in the UK: Q2.
- Team and service figures use the team the case was in on that date (`audits.team_id`, set
  at submission by audit_app/audits/workflow.py `submit`), so a case that moves keeps its
  history with the team that held it.
"""

from audit_app.models import Audit
from audit_app.models.audits import SUBMITTED

COUNTED_STATUSES = (SUBMITTED,)


def counted(start=None, end=None):
    """SQL conditions on Audit: it counts in figures, in the period `start` to `end` (UK days,
    both included; None leaves that end open)."""
    conditions = [Audit.status.in_(COUNTED_STATUSES), Audit.audited_on.is_not(None)]
    if start is not None:
        conditions.append(Audit.audited_on >= start)
    if end is not None:
        conditions.append(Audit.audited_on <= end)
    return conditions


WORDS = {
    "audit_date": (
        "An audit counts in the period of its audit date: the day it was submitted, in UK "
        "time, or for an audit imported from a council's spreadsheet, the date the "
        "spreadsheet gives. An audit submitted at 00:30 on 1 July (23:30 on 30 June in "
        "universal time) counts in July, in the second quarter."),
    "counted": (
        "Only submitted and imported audits count. Drafts do not, and nor do audits "
        "returned to their auditor until they are submitted again, when they count on the "
        "new date."),
    "team": (
        "Team and service figures use the team the case was in when it was audited, so a case "
        "that later moves keeps its history with the team that held it."),
}
