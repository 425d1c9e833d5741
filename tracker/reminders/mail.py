"""Mail through SMTP, from the settings (SMTP_*, MAIL_FROM, SITE_URL). Pure (no Flask): the standard
library's smtplib and email, plain text with a simple HTML alternative, and nothing that tracks the reader."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid
from typing import Protocol
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 30


class MailConfigError(RuntimeError):
    """The mail settings cannot be used: nothing is sent."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    starttls: bool
    username: str | None
    password: str | None
    sender: str
    site_url: str


def mail_settings(config: Mapping) -> MailSettings:
    """The settings for sending, or MailConfigError naming every one that is missing or wrong."""
    problems = []
    host = (config.get("SMTP_HOST") or "").strip()
    if not host:
        problems.append("SMTP_HOST is not set: name the mail server the digest goes through")
    port = config.get("SMTP_PORT")
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        problems.append(f"SMTP_PORT must be a port number from 1 to 65535, not {port!r}")
    sender = (config.get("MAIL_FROM") or "").strip()
    if not sender:
        problems.append("MAIL_FROM is not set: give the address the digest comes from")
    elif not _one_address(sender):
        problems.append(f"MAIL_FROM must be one email address, e.g. Spread Tracker <tracker@nhs.net>, not {sender!r}")
    site_url = (config.get("SITE_URL") or "").strip().rstrip("/")
    parts = urlsplit(site_url)
    if not site_url:
        problems.append("SITE_URL is not set: give the address people open the site at, for the digest's links")
    elif parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append(
            f"SITE_URL must be an http or https address, e.g. https://tracker.example.nhs.uk, not {site_url!r}"
        )
    username, password = config.get("SMTP_USERNAME") or None, config.get("SMTP_PASSWORD") or None
    if bool(username) != bool(password):
        problems.append("SMTP_USERNAME and SMTP_PASSWORD go together: set both or neither")
    if problems:
        raise MailConfigError("Cannot send email: " + "; ".join(problems) + ".")
    return MailSettings(host, port, bool(config.get("SMTP_STARTTLS")), username, password, sender, site_url)


def _one_address(value: str) -> bool:
    found = getaddresses([value])
    return len(found) == 1 and "@" in found[0][1] and " " not in found[0][1]


class Recipient(Protocol):
    """What message() reads of an account (tracker.models.User)."""

    name: str
    email: str


def message(sender: str, to: Recipient, subject: str, text: str, html: str) -> EmailMessage:
    """A plain-text email with an HTML alternative."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = Address(display_name=to.name, addr_spec=to.email) if to.name else to.email
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or None)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies should not answer it
    mail.set_content(text)
    mail.add_alternative(html, subtype="html")
    return mail


class Mailer:
    """One connection to the mail server for a run: `with Mailer(settings) as mailer: mailer.send(mail)`."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        s = self.settings
        try:
            self.smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
            if s.starttls:
                self.smtp.starttls(context=ssl.create_default_context())
            if s.username:
                self.smtp.login(s.username, s.password or "")
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise MailConfigError(
                f"Cannot send email: the mail server {s.host}:{s.port} refused or did not answer ({error})."
            ) from None
        return self

    def send(self, mail: EmailMessage) -> None:
        assert self.smtp is not None
        self.smtp.send_message(mail)

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None

    def __exit__(self, *exc) -> None:
        self.close()
