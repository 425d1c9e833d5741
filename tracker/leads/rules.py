"""Whom to ask, as rules: when a lead's name may be shown, and what a Life QI project link must look like.

Pure: no Flask, no session.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

URL_MAX = 500
HTTPS_ONLY = "Enter the project's web address starting with https:// (a secure address), as your browser shows it"
TOO_LONG = f"The link must be {URL_MAX} characters or fewer"
NOT_AN_ADDRESS = "Enter the project's full web address, like https://example.org/projects/123, with no spaces"


@dataclass(frozen=True)
class Contact:
    """A lead as others see them: only ever made for a person whose consent is in force."""

    name: str
    email: str


def shown(name: str | None, email: str | None, active: bool | None, has_consent: bool, withdrawn_at) -> Contact | None:
    """The lead to show, or None: a named, active account whose consent was recorded and not withdrawn."""
    if email is None or not active or not has_consent or withdrawn_at is not None:
        return None
    return Contact(name=name or email, email=email)


def project_link_problem(url: str) -> str | None:
    """Why a Life QI project link is refused, or None (an empty one clears it). Life QI serves every project
    over https; any https address is taken, since projects may also live in a trust's own system."""
    if not url:
        return None
    if len(url) > URL_MAX:
        return TOO_LONG
    if any(c.isspace() for c in url):
        return NOT_AN_ADDRESS
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        return HTTPS_ONLY
    host = parts.hostname or ""
    if "." not in host or host.startswith(".") or host.endswith("."):
        return NOT_AN_ADDRESS
    return None


def is_life_qi(url: str) -> bool:
    """Whether the link is to Life QI itself (the page then calls it so)."""
    host = (urlsplit(url).hostname or "").lower()
    return host == "lifeqisystem.com" or host.endswith(".lifeqisystem.com")
