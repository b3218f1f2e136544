"""A real SMTP server on 127.0.0.1 for email tests (aiosmtpd), plain or STARTTLS with AUTH.

Fixture
- smtp_server(tls=False, users=None, refuse=(), delay=0): starts a server, points the app's
  MAIL_* settings at it (MAIL_USE_TLS when tls), and returns it. `users` is {login:
  password} the server accepts, and then it requires STARTTLS and AUTH before mail;
  `refuse` are recipient addresses it answers 550; `delay` seconds it takes per message.
  `server.received` lists each accepted message as a Received (the parsed message, its
  envelope recipients, whether the session was encrypted, who signed in).

With tls, the server's certificate (self-signed, for 127.0.0.1, made once per test process)
is made the one the client trusts through SSL_CERT_FILE, as a council would trust its own
certificate authority, so the app verifies it as in production.
"""

import asyncio
import logging
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


@dataclass(frozen=True)
class Received:
    message: object
    recipients: tuple
    encrypted: bool
    login: str | None


class Recorder:
    """aiosmtpd handler: keeps what it accepts."""

    def __init__(self, refuse, delay):
        self.refuse, self.delay = set(refuse), delay
        self.received = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        login = session.auth_data.login.decode() if session.authenticated else None
        with self.lock:
            self.received.append(Received(
                message_from_bytes(envelope.content, policy=policy.default),
                tuple(envelope.rcpt_tos), session.ssl is not None, login))
        return "250 OK"


def _free_port():
    # aiosmtpd's controller cannot take port 0: it connects to its port to check it is up.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_certificate(tmp_path_factory):
    """(certificate file, key file): self-signed, valid for 127.0.0.1 for a day."""
    folder = tmp_path_factory.mktemp("smtp-tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)
    return cert, key


@pytest.fixture
def smtp_server(app, smtp_certificate, monkeypatch):
    controllers = []
    # aiosmtpd warns of its own deprecated attribute at each sign-in, from its thread.
    server_log = logging.getLogger("mail.log")
    level = server_log.level
    server_log.setLevel(logging.ERROR)

    def start(tls=False, users=None, refuse=(), delay=0):
        recorder = Recorder(refuse, delay)
        options = {}
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*smtp_certificate)
            options.update(tls_context=context, require_starttls=True)
            monkeypatch.setenv("SSL_CERT_FILE", str(smtp_certificate[0]))
        if users:
            def authenticator(server, session, envelope, mechanism, auth_data):
                login, password = auth_data.login.decode(), auth_data.password.decode()
                return AuthResult(success=users.get(login) == password, handled=False,
                                  auth_data=auth_data)

            options.update(authenticator=authenticator, auth_required=True)
        controller = Controller(recorder, hostname="127.0.0.1", port=_free_port(), **options)
        controller.start()
        controllers.append(controller)
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                          MAIL_USE_TLS=tls, MAIL_USERNAME=None, MAIL_PASSWORD=None)
        controller.received = recorder.received
        return controller

    yield start
    for controller in controllers:
        controller.stop()
    server_log.setLevel(level)
