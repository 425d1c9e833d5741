"""One audit row as the page shows it: the sentence (sign-ins, refusals and changes to records) and the rest."""

from __future__ import annotations

from ...calendar import people_datetime
from .people import subject, who, with_article
from .pruning import pruned
from .records import NOUNS, ROW_SENTENCES, VERBS
from .requests import asked_for
from .rows import AuditRow, Entry, Names
from .values import changes

# How a password sign-in was completed (tracker.auth.services: the "sign_in" row's detail).
SIGNED_IN_WITH = {
    "password and security code": "signed in with their password and a security code",
    "password and recovery code": "signed in with their password and a recovery code",
    "password and a newly set up authenticator app": (
        "signed in with their password and a code from the authenticator app they had just set up"
    ),
}

SIGN_IN_FAILURES = {
    "wrong password": "wrong password",
    "unknown email": "no account has this email address",
    "account disabled": "the account is disabled",
}


def _refused_sign_in(detail: str) -> str:
    if "from your network" in detail:
        locked = "Try again in" in detail
        return "too many attempts from the same address or subnet" + (", now locked" if locked else " in a row")
    if "Many people are signing in" in detail:
        return "too many sign-ins from new addresses at once"
    if "Try again in" in detail:
        return "account locked after too many failed attempts"
    if detail:
        return "too many failed attempts in a row"
    return "refused"


def _mfa(row: AuditRow) -> str | None:
    """Sentences of the second factor (tracker.auth.mfa), or None for another action."""
    key, detail, who = row.entity_key, row.detail, subject(row)
    own = row.actor_email == key
    if row.action == "mfa_enrolled":
        text = f"{who} set up MFA" + ("" if own else f" for {key}")
        return text + ("; the new authenticator app replaced the old one" if detail.startswith("a new") else "")
    if row.action == "mfa_failed":
        return f"Wrong security code for {key}" + (f" ({detail})" if detail else "")
    if row.action == "mfa_locked":
        return f"Security codes locked for {key} after too many wrong codes" + (f" ({detail})" if detail else "")
    if row.action == "mfa_refused":
        return f"Security code refused for {key}: too many wrong codes"
    if row.action == "recovery_code_used":
        return f"{who} used a recovery code" + ("" if own else f" for {key}") + (f" ({detail})" if detail else "")
    if row.action == "mfa_removed":
        return f"{who} turned MFA off for their account"
    if row.action == "mfa_reset":
        return f"{who} reset the MFA of {key}; every session of the account ended and it must set MFA up again"
    if row.action == "reauth_failed":
        return f"Confirming it was them failed for {key}: {detail or 'refused'}"
    return None


def sentence(row: AuditRow, names: Names) -> str:
    """One entry as a sentence: "Faculty member logged implementing for RXX × RP-01 from 1 May 2024"."""
    action, key = row.action, row.entity_key
    if action == "denied":
        status = row.detail.removeprefix("Answered ").strip()
        return f"Refused: {with_article(subject(row))} tried to {asked_for(row.path, names)}" + (
            f" ({status})" if status else ""
        )
    if action == "sign_in":
        if row.detail.startswith("work account"):
            return f"{subject(row)} signed in with their NHS work account"
        return f"{subject(row)} {SIGNED_IN_WITH.get(row.detail, 'signed in')}"
    if action == "sign_out":
        return f"{subject(row)} signed out"
    if action == "sign_in_failed":
        return f"Sign-in failed for {key}: {SIGN_IN_FAILURES.get(row.detail, row.detail or 'refused')}"
    if action == "work_account_refused":
        return f"Sign-in with a work account refused for {key or 'someone not identified'}: {row.detail or 'refused'}"
    if action == "work_account_linked":
        return f"The account of {key} was linked to the NHS work account that signed in to it for the first time"
    if action == "sign_in_refused":
        return f"Sign-in refused for {key}: {_refused_sign_in(row.detail)}"
    if action == "pruned":
        return pruned(row)
    if action == "restored":
        return f"{subject(row)} restored the database from a backup" + (f" ({row.detail})" if row.detail else "")
    if action.startswith(("mfa_", "recovery_", "reauth_")) and (said := _mfa(row)) is not None:
        return said
    if action == "password_set":
        if row.actor_email == key:
            text = f"{subject(row)} changed their own password"
        else:
            text = f"{subject(row)} set the password of {key}"
        return text + ("; every session of the account ended" if row.detail == "sessions ended" else "")
    describe = ROW_SENTENCES.get(row.entity) if action in VERBS else None
    if describe is not None:
        return f"{subject(row)} {describe(row, names)}"
    noun = NOUNS.get(row.entity, row.entity.replace("_", " "))
    thing = " ".join(part for part in (noun, key) if part)
    if action in VERBS:
        return f"{subject(row)} {VERBS[action]} {thing}"
    return f"{subject(row)}: {action.replace('_', ' ')}" + (f" ({thing})" if thing else "")


# What the sentence already says, so the note does not repeat it.
SAID_BY_SENTENCE = frozenset(
    {"denied", "sign_in_failed", "password_set", "work_account_refused", "pruned", "restored"}
    | {"mfa_enrolled", "mfa_failed", "mfa_locked", "mfa_refused", "mfa_reset", "recovery_code_used", "reauth_failed"}
)


def entry(row: AuditRow, names: Names) -> Entry:
    """Everything the audit page shows of one row."""
    said = (
        row.action in SAID_BY_SENTENCE
        or (row.entity == "api_tokens" and row.action == "update")
        or (row.action == "sign_in" and row.detail in SIGNED_IN_WITH)
    )
    note = "" if said else row.detail
    return Entry(
        id=row.id,
        when=people_datetime(row.at),
        who=who(row, names),
        sentence=sentence(row, names),
        changes=[] if row.action == "pruned" else changes(row, names),  # its counts are in the sentence
        note=note,
        request=row.path,
        remote_addr=row.remote_addr,
    )
