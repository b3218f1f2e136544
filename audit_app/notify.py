"""Notifications: on the recipient's home page at once, and queued for email.

`flask --app wsgi send-email` (run from cron) sends queued messages when MAIL_SERVER is
set; without it they stay on the home page only. Queuing keeps a slow mail server out of
the request that raised the notification.
"""

import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select, update

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


def send_now(recipient_ids):
    """Email these recipients' queued notifications straight away (for urgent ones).

    A mail server that is down must not undo what was committed: the failure is logged and
    `send-email` from cron sends the messages later.
    """
    if not current_app.config.get("MAIL_SERVER"):
        return 0
    try:
        return send_queued(recipient_ids=recipient_ids)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("urgent notification not emailed; cron will retry")
        db.session.rollback()
        return 0


def send_queued(limit=200, recipient_ids=None):
    """Email queued notifications; returns how many were sent."""
    server = current_app.config.get("MAIL_SERVER")
    if not server:
        return 0
    query = select(Notification).where(Notification.emailed_at.is_(None))
    if recipient_ids is not None:
        query = query.where(Notification.recipient_id.in_(recipient_ids))
    queued = db.session.scalars(query.order_by(Notification.id).limit(limit)).all()
    sent = 0
    with smtplib.SMTP(server, current_app.config.get("MAIL_PORT", 25), timeout=30) as smtp:
        for note in queued:
            message = EmailMessage()
            message["From"] = current_app.config["MAIL_FROM"]
            message["To"] = note.recipient.email
            message["Subject"] = note.subject
            base = current_app.config.get("BASE_URL", "")
            message.set_content(note.body + (f"\n\n{base}{note.link}" if note.link else ""))
            smtp.send_message(message)
            note.emailed_at = utcnow()
            db.session.commit()
            sent += 1
    return sent
