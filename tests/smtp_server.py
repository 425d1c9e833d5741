"""A real SMTP server for the tests (aiosmtpd), served on loopback: it keeps every message it accepts.

It offers a sign-in (AUTH PLAIN or LOGIN, over the plain loopback connection) and accepts only USERNAME
and PASSWORD, and refuses recipients whose address starts with "refuse" (550), as a
mail server does for an address it does not know.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USERNAME = "tracker"
PASSWORD = "smtp-test-password"


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    def part(self, kind: str) -> str:
        """The text/plain or text/html alternative's content."""
        return self.message.get_body(preferencelist=(kind,)).get_content()


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("refuse"):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.server.lock:
            self.server.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USERNAME.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[Received] = []
        self.port = _free_port()
        self.controller = Controller(
            _Handler(self),
            hostname="127.0.0.1",
            port=self.port,
            authenticator=_authenticate,
            # Offered over the plain loopback connection (the tests have no certificate); not required, as
            # aiosmtpd warns against requiring it without TLS: a wrong password is still refused.
            auth_require_tls=False,
        )

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()

    def config(self, **more) -> dict:
        """The app's settings to send through this server."""
        return {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": self.port,
            "SMTP_STARTTLS": False,
            "SMTP_USERNAME": USERNAME,
            "SMTP_PASSWORD": PASSWORD,
            "MAIL_FROM": "Spread Tracker <tracker@example.nhs.uk>",
            "SITE_URL": "https://tracker.example.nhs.uk",
            **more,
        }

    def to(self, email: str) -> list[Received]:
        return [m for m in self.messages if email in m.recipients]
