"""Builders for dip samples, through the real rules (rounds.py, checks.py and the actions
workflow). Each adds and flushes; callers commit.

Dates: actions are raised on Monday 2 November 2026 (due 30 November, 20 working days on),
completed on 20 November; rounds count towards December 2026, with a window of November
and December, "today" being 10 December 2026.
"""

from datetime import date

from audit_app.actions import workflow
from audit_app.dip_samples import rounds
from tests.action_factories import open_action, open_actions

TODAY = date(2026, 12, 10)
MONTH = date(2026, 12, 1)
WINDOW = (date(2026, 11, 1), date(2026, 12, 31))
DONE_ON = date(2026, 11, 20)


def completed_actions(auditor, completer, count=1, **kwargs):
    """`count` actions on one new case, completed by `completer` (its owner or a manager of
    its team)."""
    actions = open_actions(auditor, count=count, **kwargs)
    for action in actions:
        workflow.complete(action, completer, action.row_version, DONE_ON,
                          "Case note added to the child's record.", today=DONE_ON)
    return actions


def completed_action(auditor, completer, **kwargs):
    return completed_actions(auditor, completer, **kwargs)[0]


def open_case_action(auditor, **kwargs):
    return open_action(auditor, **kwargs)


def make_round(lead, month=MONTH, size=8, window=WINDOW, today=TODAY, **kwargs):
    return rounds.create_round(lead, month, size, *window, today=today, **kwargs)


def drawn_round(lead, seed=7, **kwargs):
    round_ = make_round(lead, **kwargs)
    rounds.draw(round_, lead, round_.row_version, seed=seed)
    return round_
