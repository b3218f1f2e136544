"""Daily reminder digests by email: `flask --app wsgi send-reminders`, from cron once a day.

Each owner of open actions gets one email listing those overdue and those due within 5
working days (audit_app/models/actions.py says which); each team manager gets one listing
their teams' overdue actions (audit_app/team_managers.py says who manages a team). Each line
gives the case reference, never a child's name, and a link to the action's page.

A digest goes at most once a day: before sending, a run inserts its row in reminder_digests
(recipient, kind, UK day), whose unique key lets exactly one of two overlapping runs win;
the row then records what was sent. A send that fails leaves the row "failed", and the
next run that day tries it again.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from audit_app import mail
from audit_app.extensions import db
from audit_app.models import Action, Case, Team, User
from audit_app.models.actions import DUE_SOON_WORKING_DAYS, OPEN
from audit_app.models.reminders import FAILED, OWNER, SENDING, SENT, TEAM, ReminderDigest
from audit_app.team_managers import manages_condition
from audit_app.templating import format_date
from audit_app.timeutil import today as uk_today
from audit_app.timeutil import utcnow
from audit_app.workdays import working_days_between

# A claim older than this is from a run that stopped mid-send: its digest is tried again.
CLAIM_TIMEOUT = timedelta(minutes=10)


@dataclass(frozen=True)
class Digest:
    recipient_id: int
    email: str
    kind: str  # OWNER or TEAM
    subject: str
    body: str
    action_ids: tuple


@dataclass
class Run:
    """What one run did."""

    sent: int = 0
    already_sent: int = 0  # sent earlier today, or being sent by another run
    refused: list = field(default_factory=list)  # the relay's reason for each refusal


# -- what is due -------------------------------------------------------------------------------

def _open_actions(*conditions):
    return (select(Action).where(Action.status == OPEN, *conditions)
            .options(joinedload(Action.case).joinedload(Case.team))
            .order_by(Action.due_on, Action.id))


def _line(action, day, base):
    if action.overdue_on(day):
        late = working_days_between(action.due_on, day)
        when = f"due {format_date(action.due_on)}, overdue by {late} working " \
               f"day{'' if late == 1 else 's'}"
    else:
        when = f"due {format_date(action.due_on)}"
    return f"- Case {action.case.reference}: {when}\n  {base}/actions/{action.id}"


def _plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


def owner_digest(owner, actions, day, base):
    """The digest of one owner's actions that are overdue or due soon."""
    overdue = [a for a in actions if a.overdue_on(day)]
    soon = [a for a in actions if not a.overdue_on(day)]
    parts = []
    if overdue:
        parts.append(f"{len(overdue)} overdue")
    if soon:
        parts.append(f"{len(soon)} due soon")
    lines = [f"Your actions as of {format_date(day)}: those overdue and those due in the "
             f"next {DUE_SOON_WORKING_DAYS} working days.", ""]
    for heading, group in (("Overdue", overdue), ("Due soon", soon)):
        if group:
            lines += [heading, *(_line(a, day, base) for a in group), ""]
    lines.append("Open an action to record when it was done and how it is evidenced on the "
                 "child's record.")
    return Digest(owner.id, owner.email, OWNER, f"Your actions: {', '.join(parts)}",
                  "\n".join(lines), tuple(a.id for a in overdue + soon))


def team_digest(manager, actions, day, base):
    """The digest of the overdue actions on the cases of the teams `manager` manages."""
    by_team = defaultdict(list)
    for action in actions:
        by_team[action.case.team.name].append(action)
    lines = [f"Overdue actions on your teams' cases as of {format_date(day)}.", ""]
    for team in sorted(by_team):
        lines += [team, *(_line(a, day, base) for a in by_team[team]), ""]
    lines.append(f"All your teams' actions: {base}/actions/team")
    subject = f"Your teams' overdue actions: {_plural(len(actions), 'action')}"
    return Digest(manager.id, manager.email, TEAM, subject, "\n".join(lines),
                  tuple(a.id for a in actions))


def digests(day, base):
    """Every digest due on `day`: owners first, then team managers. A fixed number of queries
    however many actions and people there are."""
    mine = db.session.scalars(
        _open_actions(or_(Action.overdue_on(day), Action.due_soon_on(day)))
        .join(User, User.id == Action.owner_id).where(User.active)
        .options(joinedload(Action.owner))).all()
    by_owner = defaultdict(list)
    for action in mine:
        by_owner[action.owner].append(action)
    found = [owner_digest(owner, actions, day, base)
             for owner, actions in sorted(by_owner.items(), key=lambda item: item[0].id)]

    overdue = db.session.scalars(_open_actions(Action.overdue_on(day))).all()
    teams = {a.case.team_id for a in overdue}
    managers = db.session.execute(
        select(User, Team.id).join(Team, manages_condition(User, Team))
        .where(Team.id.in_(teams)).order_by(User.id)).all() if teams else []
    by_manager = defaultdict(set)
    people = {}
    for manager, team_id in managers:
        by_manager[manager.id].add(team_id)
        people[manager.id] = manager
    for manager_id, managed in by_manager.items():
        found.append(team_digest(people[manager_id],
                                 [a for a in overdue if a.case.team_id in managed], day, base))
    return found


# -- claims: each digest is sent by one run, once a day -------------------------------------

def _claimable(now):
    return or_(ReminderDigest.status == FAILED,
               and_(ReminderDigest.status == SENDING,
                    ReminderDigest.claimed_at < now - CLAIM_TIMEOUT))


def claim(recipient_id, kind, day, now):
    """The id of the day's digest row, claimed for this run and committed; None when it was
    sent already or another run is sending it.

    The first run inserts the row. Another run's INSERT of the same (recipient, kind, day)
    waits for that commit and then breaks the unique key, on PostgreSQL and SQLite alike;
    it may only take over a row that failed or whose run stopped (a conditional UPDATE,
    whose row count says whether it won).
    """
    row = ReminderDigest(recipient_id=recipient_id, kind=kind, sent_on=day, status=SENDING,
                         claimed_at=now, attempts=1)
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    else:
        return row.id
    key = and_(ReminderDigest.recipient_id == recipient_id, ReminderDigest.kind == kind,
               ReminderDigest.sent_on == day)
    taken = db.session.scalar(
        update(ReminderDigest).where(key, _claimable(now))
        .values(status=SENDING, claimed_at=now, attempts=ReminderDigest.attempts + 1)
        .returning(ReminderDigest.id).execution_options(synchronize_session=False))
    db.session.commit()
    return taken


def _settle(row_id, now, **values):
    db.session.execute(
        update(ReminderDigest).where(ReminderDigest.id == row_id,
                                     ReminderDigest.status == SENDING,
                                     ReminderDigest.claimed_at == now)
        .values(**values).execution_options(synchronize_session=False))
    db.session.commit()


def send_reminders(day=None):
    """Send the day's digests not sent yet. A message the relay refuses is left "failed"
    and the run goes on; a connection failure does the same and raises mail.MailError."""
    run = Run()
    if not mail.configured():
        return run
    day = day or uk_today()
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    planned = digests(day, base)
    db.session.commit()  # the claims below commit one by one
    with mail.Mailer() as mailer:
        for digest in planned:
            now = utcnow()
            row_id = claim(digest.recipient_id, digest.kind, day, now)
            if row_id is None:
                run.already_sent += 1
                continue
            try:
                mailer.send(mail.compose(digest.email, digest.subject, digest.body))
            except mail.MailError as error:
                _settle(row_id, now, status=FAILED,
                        error=str(error)[:ReminderDigest.error.type.length])
                if not isinstance(error, mail.MessageRefused):
                    raise
                run.refused.append(str(error))
                continue
            _settle(row_id, now, status=SENT, sent_at=utcnow(), subject=digest.subject,
                    action_ids=list(digest.action_ids), error=None)
            run.sent += 1
    return run
