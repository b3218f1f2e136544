"""Sending email through the SMTP relay the MAIL_* settings name.

`Mailer` holds one connection for a run of messages, opened at the first message: STARTTLS
when MAIL_USE_TLS is set (the relay's certificate checked against the system's trusted
certificates, or SSL_CERT_FILE's), then a login when MAIL_USERNAME is set. Every failure is
a MailError whose text an administrator can act on; `MessageRefused` means the relay refused
one message but would take others.
"""

import email.utils
import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app

TIMEOUT = 30  # seconds for each exchange with the relay


class MailError(Exception):
    """Nothing more can be sent on this run; the text says why."""


class MessageRefused(MailError):
    """The relay refused this message (its recipient, say); others may still go."""


def configured():
    return bool(current_app.config.get("MAIL_SERVER"))


def compose(to, subject, body):
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    # Date and Message-ID: relays and spam filters mark mail without them.
    message["Date"] = email.utils.formatdate(usegmt=True)
    message["Message-ID"] = email.utils.make_msgid(
        domain=current_app.config["MAIL_FROM"].rpartition("@")[2] or None)
    message.set_content(body)
    return message


def _reply(error):
    """The relay's own words, from an SMTP error."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):  # {address: (code, words)}
        return "; ".join(_reply(smtplib.SMTPResponseException(*answer))
                         for answer in error.recipients.values())
    text = getattr(error, "smtp_error", None)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    code = getattr(error, "smtp_code", None)
    return f"{code} {text}" if code and text else str(error)


class Mailer:
    """with Mailer() as mailer: mailer.send(compose(...)) for each message."""

    def __init__(self, config=None):
        config = config or current_app.config
        self.host, self.port = config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25)
        self.use_tls = config.get("MAIL_USE_TLS", False)
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD") or ""
        self.where = f"{self.host}:{self.port}"
        self.smtp = None

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.close()

    def send(self, message):
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                smtplib.SMTPDataError) as error:
            raise MessageRefused(
                f"The mail server {self.where} refused the message to {message['To']}: "
                f"{_reply(error)}") from error
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise MailError(
                f"The connection to the mail server {self.where} failed: {error}") from error

    def _connect(self):
        if self.username and not self.use_tls:
            raise MailError("MAIL_USERNAME is set but MAIL_USE_TLS is not: the password "
                            "would cross the network unencrypted. Set MAIL_USE_TLS=true.")
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
        except OSError as error:
            raise MailError(f"Cannot reach the mail server {self.where} (MAIL_SERVER, "
                            f"MAIL_PORT): {error}") from error
        try:
            if self.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
        except (OSError, smtplib.SMTPException) as error:
            smtp.close()
            raise MailError(self._setup_failure(error)) from error
        return smtp

    def _setup_failure(self, error):
        if isinstance(error, smtplib.SMTPAuthenticationError):
            return (f"The mail server {self.where} refused the user name and password "
                    f"(MAIL_USERNAME, MAIL_PASSWORD): {_reply(error)}")
        if isinstance(error, smtplib.SMTPNotSupportedError):
            wanted = ("STARTTLS (MAIL_USE_TLS)" if "STARTTLS" in str(error)
                      else "signing in (MAIL_USERNAME)")
            return f"The mail server {self.where} does not offer {wanted}"
        if isinstance(error, ssl.SSLError):
            return (f"STARTTLS with the mail server {self.where} failed: {error}. Its "
                    "certificate must be one this machine trusts.")
        return f"Setting up the connection to the mail server {self.where} failed: {error}"

    def close(self):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()  # the relay has gone: nothing to say goodbye to
            self.smtp = None
