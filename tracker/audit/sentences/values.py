"""Stored values in words: field labels, names for ids, people's dates, labels for codes; and what an entry changed."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ...calendar import iso_day, people_date, people_datetime
from ...models import DiscontinuedReason, LinkKind, Membership, OrganisationKind, Role, TargetMeasure, TokenScope
from .rows import AuditRow, Change, Names

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")

LABELS = {
    "effective_date": "Date it took effect",
    "wards_using": "Wards using it",
    "wards_in_scope": "Wards in scope",
    "organisation_id": "Organisation",
    "change_idea_id": "Change idea",
    "corrects_event_id": "Corrects",
    "logged_by_id": "Logged by",
    "logged_at": "Logged at",
    "channel": "Came by",
    "evidence_url": "Evidence link",
    "discontinued_reason": "Why discontinued",
    "current_event_id": "Current entry",
    "last_logged_at": "Last logged",
    "last_logged_by_id": "Last logged by",
    "first_considered_on": "First considering on",
    "first_implemented_on": "First implementing on",
    "ods_code": "ODS code",
    "opened_on": "Open from",
    "closed_on": "Closed on",
    "successor_id": "Succeeded by",
    "network_id": "Network",
    "source_id": "Between",
    "target_id": "And",
    "source_url": "Source",
    "is_demo": "Demo",
    "password_hash": "Password",
    "session_token": "Sign-in session",
    "password_changed_at": "Password last set",
    "last_signed_in_at": "Last signed in",
    "oidc_tenant_id": "Work account tenant",
    "oidc_object_id": "Work account",
    "created_at": "Created",
    "revoked_at": "Revoked",
    "last_used_at": "Last used",
    "user_id": "Account",
    "driver_id": "Driver",
    "parent_id": "Under driver",
    "package_id": "Change package",
    "ambition_id": "Ambition",
    "token_hash": "Token",
    "start_date": "From",
    "end_date": "Until",
    "target_date": "Due by",
    "label": "Name",
    "text": "Wording",
    "measure": "What it counts",
    "value": "Share aimed at (%)",
    "is_reference": "Published target",
    "lead_id": "Lead",
    "lifeqi_url": "Life QI project",
    "given_at": "Consent recorded",
    "given_by_id": "Recorded by",
    "withdrawn_at": "Consent withdrawn",
    "updated_at": "Changed",
}
# Bookkeeping a person need not read.
UNSHOWN = frozenset({"id", "fingerprint", "row_version", "snapshot"})  # a version's snapshot: its page shows it


def label(name: str) -> str:
    if name in LABELS:
        return LABELS[name]
    return name.removesuffix("_id").replace("_", " ").capitalize()


def enum_label(name: str, value: str, entity: str) -> str | None:
    kinds = {
        "role": Role,
        "scope": TokenScope,
        "discontinued_reason": DiscontinuedReason,
        "membership": Membership,
        "measure": TargetMeasure,
        "kind": LinkKind if entity == "learning_links" else OrganisationKind,
    }
    cls = kinds.get(name)
    if cls is None:
        return None
    try:
        return cls(value).label
    except ValueError:
        return None


def _id_words(name: str, value: int, names: Names) -> str | None:
    if name in ("organisation_id", "successor_id", "source_id", "target_id"):
        return names.organisations.get(value)
    if name == "change_idea_id":
        return names.ideas.get(value)
    if name in ("logged_by_id", "last_logged_by_id", "user_id", "lead_id", "given_by_id"):
        return names.users.get(value, ("", ""))[0] or None
    if name in ("driver_id", "parent_id"):
        title = names.drivers.get(value)
        return f"“{title}”" if title else None
    if name in ("current_event_id", "corrects_event_id"):
        return f"entry {value}"
    lookups = {"package_id": names.packages, "network_id": names.networks, "ambition_id": names.ambitions}
    if name in lookups:
        return lookups[name].get(value)
    return None


def words(name: str, value: Any, names: Names, entity: str = "") -> str:
    """A stored value as a person reads it: names for ids, people's dates, labels for codes."""
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, int) and name.endswith("_id"):
        return _id_words(name, value, names) or f"number {value}"
    if isinstance(value, str):
        if ISO_DAY.match(value):
            return people_date(iso_day(value))
        if ISO_TIME.match(value):
            try:
                return people_datetime(datetime.fromisoformat(value))
            except ValueError:
                return value
        return enum_label(name, value, entity) or value
    return str(value)


def changes(row: AuditRow, names: Names) -> list[Change]:
    """Each field the entry touched, before and after, in words."""
    before, after = row.before or {}, row.after or {}
    if row.action == "create":
        fields = list(after)
    elif row.action == "delete":
        fields = list(before)
    else:
        fields = sorted(set(before) | set(after))
    out = []
    for name in fields:
        if name in UNSHOWN:
            continue
        old = words(name, before.get(name), names, row.entity) if row.action != "create" else None
        new = words(name, after.get(name), names, row.entity) if row.action != "delete" else None
        out.append(Change(label(name), old, new))
    return out
