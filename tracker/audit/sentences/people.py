"""Who did it: the subject of a sentence, and the person as the audit page names them."""

from __future__ import annotations

from ...models import Role
from .rows import AuditRow, Names

SUBJECTS = {
    Role.TRUST.value: "Trust user",
    Role.FACULTY.value: "Faculty member",
    Role.MANAGER.value: "Project manager",
    Role.ADMIN.value: "Administrator",
    "anonymous": "Someone not signed in",
}
COMMAND_LINE_EMAIL = "command line"


def subject(row: AuditRow) -> str:
    """Who did it, to start a sentence: "Faculty member", "Someone at the command line"."""
    if row.actor_role == "cli":
        who = "Someone" if row.actor_email in ("", COMMAND_LINE_EMAIL) else row.actor_email
        return f"{who} at the command line"
    return SUBJECTS.get(row.actor_role) or row.actor_email or "Someone"


def with_article(noun: str) -> str:
    """With an article ("a trust user", "an administrator", "someone not signed in"); an address stays as it is."""
    if noun not in SUBJECTS.values():
        return noun
    noun = noun[0].lower() + noun[1:]
    if noun.startswith("someone"):
        return noun
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def who(row: AuditRow, names: Names) -> str:
    """The person: name and email address where known."""
    if row.actor_role == "cli" and row.actor_email in ("", COMMAND_LINE_EMAIL):
        return "The command line"
    # The address as it was then (the account may have changed it since), with the account's name.
    email, name = row.actor_email, names.users.get(row.actor_id, ("", ""))[1] if row.actor_id else ""
    if not email:
        return "Nobody signed in"
    return f"{name} ({email})" if name and name != email else email
