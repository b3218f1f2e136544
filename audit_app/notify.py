"""Notifications: on the recipient's home page at once, and queued for email.

`flask --app wsgi send-email` (run from cron) sends queued messages when MAIL_SERVER is
set; without it they stay on the home page only. Queuing keeps a slow mail server out of
the request that raised the notification. Each notification is claimed before it is sent,
so cron and an urgent send running at once send it once (see `_claim_next`).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from audit_app import mail
from audit_app.extensions import db
from audit_app.models import Notification
from audit_app.timeutil import utcnow


def notify(recipient, subject, body, link=None):
    """Queue a notification in the current transaction; a failed request sends nothing."""
    note = Notification(recipient_id=recipient.id, subject=subject, body=body, link=link)
    db.session.add(note)
    return note


def unread_for(user, limit=20):
    return db.session.scalars(
        select(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .order_by(Notification.id.desc())
        .limit(limit)
    ).all()


def mark_all_read(user):
    db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


@dataclass
class Sent:
    """What one run of send_queued did."""

    count: int = 0
    refused: list = field(default_factory=list)  # the relay's reason for each refusal


def send_now(recipient_ids):
    """Email these recipients' queued notifications straight away (for urgent ones).

    A mail server that is down must not undo what was committed: the failure is logged and
    `send-email` from cron sends the messages later.
    """
    try:
        return send_queued(recipient_ids=recipient_ids)
    except mail.MailError:
        current_app.logger.exception("urgent notification not emailed; cron will retry")
        return Sent()


def send_queued(limit=200, recipient_ids=None):
    """Email up to `limit` queued notifications, each claimed first so that no other run
    (cron, or an urgent send) sends it too. A message the relay refuses is queued again
    with the reason; a failure of the connection queues the message again and raises
    mail.MailError."""
    sent = Sent()
    if not mail.configured():
        return sent
    after = 0
    with mail.Mailer() as mailer:
        for _ in range(limit):
            claim = _claim_next(after, recipient_ids)
            if claim is None:
                break
            note = db.session.get(Notification, claim.id)
            after = note.id
            try:
                mailer.send(_message(note))
            except mail.MessageRefused as error:
                _give_back(claim, error)
                sent.refused.append(str(error))
                continue
            except mail.MailError as error:
                _give_back(claim, error)
                raise
            _finish(claim)
            sent.count += 1
    return sent


def _message(note):
    base = current_app.config.get("BASE_URL", "")
    return mail.compose(note.recipient.email, note.subject,
                        note.body + (f"\n\n{base}{note.link}" if note.link else ""))


# -- Claims: each notification is sent by one run only ----------------------------------------

# A claim older than this is from a run that stopped mid-send (killed, say): sending one
# message takes seconds, so its notification is queued again.
CLAIM_TIMEOUT = timedelta(minutes=10)


@dataclass(frozen=True)
class Claim:
    id: int
    at: datetime


def _claimable(now):
    return or_(
        Notification.email_status == "queued",
        and_(Notification.email_status == "sending",
             Notification.email_claimed_at < now - CLAIM_TIMEOUT),
    )


def _claim_next(after, recipient_ids=None):
    """Claim the first claimable notification after id `after`, committed; None when
    there is none.

    The UPDATE claims only a row still claimable, and its row count says whether this run
    won it. On PostgreSQL, FOR UPDATE SKIP LOCKED also lets two runs pass over the row the
    other is claiming instead of waiting for it; on SQLite, which has one writer at a time,
    the second UPDATE waits for the first to commit and then finds the row claimed.
    """
    while True:
        now = utcnow()
        query = select(Notification.id).where(_claimable(now), Notification.id > after)
        if recipient_ids is not None:
            query = query.where(Notification.recipient_id.in_(recipient_ids))
        note_id = db.session.scalar(
            query.order_by(Notification.id).limit(1).with_for_update(skip_locked=True))
        if note_id is None:
            db.session.commit()
            return None
        won = db.session.execute(
            update(Notification).where(Notification.id == note_id, _claimable(now))
            .values(email_status="sending", email_claimed_at=now,
                    email_attempts=Notification.email_attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        db.session.commit()
        if won:
            return Claim(note_id, now)
        after = note_id  # another run has it


def _mine(claim):
    return update(Notification).where(
        Notification.id == claim.id, Notification.email_status == "sending",
        Notification.email_claimed_at == claim.at,
    ).execution_options(synchronize_session=False)


def _finish(claim):
    db.session.execute(_mine(claim).values(
        email_status="sent", emailed_at=utcnow(), email_claimed_at=None, email_error=None))
    db.session.commit()


def _give_back(claim, error):
    db.session.execute(_mine(claim).values(
        email_status="queued", email_claimed_at=None,
        email_error=str(error)[:Notification.email_error.type.length]))
    db.session.commit()
