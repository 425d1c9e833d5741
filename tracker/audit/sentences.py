"""Audit rows as sentences people read: who did what to which thing, and what changed, in words.

Pure: an audit row (what trail.py stored) and the names its ids stand for (looked up for a whole
page at once, by queries.names_for) in; plain text out. No Flask, no session. The rows themselves
stay as they were written, so old entries read the same way as new ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ..calendar import iso_day, people_date, people_datetime
from ..models import DiscontinuedReason, LinkKind, Membership, OrganisationKind, Role


class AuditRow(Protocol):
    id: int
    at: datetime
    action: str
    entity: str
    entity_key: str
    actor_id: int | None
    actor_email: str
    actor_role: str
    remote_addr: str
    path: str
    before: dict | None
    after: dict | None
    detail: str


@dataclass(frozen=True)
class Names:
    """What the ids in a page of audit rows stand for (a missing id is shown as its number)."""

    organisations: Mapping[int, str] = field(default_factory=dict)  # id → ODS code
    ideas: Mapping[int, str] = field(default_factory=dict)  # id → code
    idea_titles: Mapping[str, str] = field(default_factory=dict)  # code → title
    users: Mapping[int, tuple[str, str]] = field(default_factory=dict)  # id → (email, name)
    adoptions: Mapping[int, str] = field(default_factory=dict)  # id → "RNU × RP-01"
    drivers: Mapping[int, str] = field(default_factory=dict)  # id → title
    links: Mapping[int, str] = field(default_factory=dict)  # id → "RNU and RXX"
    packages: Mapping[int, str] = field(default_factory=dict)  # id → code
    networks: Mapping[int, str] = field(default_factory=dict)  # id → code
    ambitions: Mapping[int, str] = field(default_factory=dict)  # id → code
    # "GET /admin/audit" → ("audit.events", {}): the page a refused request asked for.
    requests: Mapping[str, tuple[str, Mapping[str, Any]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None: the entry made or removed the thing, so there is no "before" (or "after")
    after: str | None


@dataclass(frozen=True)
class Entry:
    id: int
    when: str
    who: str
    sentence: str
    changes: list[Change]
    note: str  # what the row says in its own words, when the sentence does not already
    request: str
    remote_addr: str


# Who ---------------------------------------------------------------------------------------------

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


def _with_article(noun: str) -> str:
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


# Values in words -------------------------------------------------------------------------------

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
}
# Bookkeeping a person need not read.
UNSHOWN = frozenset({"id", "fingerprint", "row_version"})


def label(name: str) -> str:
    if name in LABELS:
        return LABELS[name]
    return name.removesuffix("_id").replace("_", " ").capitalize()


def _enum_label(name: str, value: str, entity: str) -> str | None:
    kinds = {
        "role": Role,
        "discontinued_reason": DiscontinuedReason,
        "membership": Membership,
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
    if name in ("logged_by_id", "last_logged_by_id", "user_id"):
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
        return _enum_label(name, value, entity) or value
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


# The filter menus in words (an action or record type not listed here shows as it is stored) -------
ACTION_LABELS = {
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "sign_in_refused": "Sign-in refused",
    "sign_out": "Signed out",
    "password_set": "Password set",
    "denied": "Request refused",
}
ENTITY_LABELS = {
    "adoption_events": "Adoption entries",
    "adoptions": "Adoption records",
    "users": "Accounts",
    "api_tokens": "API tokens",
    "organisations": "Organisations",
    "networks": "Networks",
    "ambitions": "Ambitions",
    "ambition_targets": "Ambition targets",
    "change_packages": "Change packages",
    "drivers": "Drivers",
    "change_ideas": "Change ideas",
    "package_resources": "Package resources",
    "learning_links": "Learning links",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action) or action.replace("_", " ").capitalize()


def entity_label(entity: str) -> str:
    return ENTITY_LABELS.get(entity) or entity.replace("_", " ").capitalize()


# What they did -----------------------------------------------------------------------------------

NOUNS = {
    "adoption_events": "adoption entry",
    "adoptions": "adoption record",
    "users": "account",
    "api_tokens": "API token",
    "organisations": "organisation",
    "networks": "network",
    "ambitions": "ambition",
    "ambition_targets": "ambition target",
    "change_packages": "change package",
    "drivers": "driver",
    "change_ideas": "change idea",
    "package_resources": "package resource",
    "learning_links": "learning link",
}
VERBS = {"create": "created", "update": "changed", "delete": "deleted"}


def _values(row: AuditRow) -> dict[str, Any]:
    """The row's fields as far as stored: after the change, or before it for a deletion."""
    return {**(row.before or {}), **(row.after or {})} if row.action != "delete" else dict(row.before or {})


def _pair(values: Mapping[str, Any], names: Names) -> str:
    org, idea = values.get("organisation_id"), values.get("change_idea_id")
    return f"{names.organisations.get(org, f'organisation {org}')} × {names.ideas.get(idea, f'change idea {idea}')}"


def _as_int(key: str) -> int | None:
    return int(key) if key.isdigit() else None


def _adoption_event(row: AuditRow, names: Names) -> str:
    v = _values(row)
    stage = v.get("stage", "a stage")
    reason = _enum_label("discontinued_reason", v.get("discontinued_reason") or "", row.entity)
    if reason:
        stage += f" ({reason.lower()})"
    verb = "imported" if v.get("channel") == "import" else "logged"
    text = f"{verb} {stage} for {_pair(v, names)}"
    if v.get("effective_date"):
        text += f" from {words('effective_date', v['effective_date'], names)}"
    if v.get("corrects_event_id"):
        text += f", correcting entry {v['corrects_event_id']}"
    if v.get("channel") == "api":
        text += ", through the API"
    if row.action != "create":  # the ledger is append-only; say plainly if that ever changes
        text = f"{VERBS.get(row.action, row.action)} the entry: {text}"
    return text


def _adoption(row: AuditRow, names: Names) -> str:
    v = _values(row)
    pair = names.adoptions.get(_as_int(row.entity_key)) or _pair(v, names)
    after = row.after or {}
    day = words("effective_date", v["effective_date"], names) if "effective_date" in after else ""
    since = f" from {day}" if day else ""
    if row.action == "create":
        return f"started the adoption record of {pair}: {v.get('stage')}{since}"
    if "stage" in after:
        return f"moved the adoption record of {pair} to {after['stage']}{since}"
    if day:
        return f"changed the date of the adoption record of {pair} to {day}"
    return f"updated the adoption record of {pair} (its current stage stays)"


def _user(row: AuditRow, names: Names) -> str:
    before, after = row.before or {}, row.after or {}
    email = row.entity_key
    if row.action == "create":
        role = _enum_label("role", after.get("role", ""), row.entity)
        return f"created the account of {email}" + (f" ({role.lower()})" if role else "")
    if row.action == "delete":
        return f"deleted the account of {email}"
    if "active" in after:
        return f"{'enabled' if after['active'] else 'disabled'} the account of {email}"
    if "role" in after:
        return (
            f"changed the role of {email} from {words('role', before.get('role'), names).lower()} "
            f"to {words('role', after['role'], names).lower()}"
        )
    if "email" in after:
        return f"changed the email address {before.get('email')} to {after['email']}"
    if "password_hash" in after:
        return f"set a new password for {email}"
    if "networks" in after:
        return f"changed the networks of {email} to {words('networks', after['networks'], names)}"
    if "name" in after:
        return f"renamed the account of {email} to “{after['name']}”"
    return f"changed the account of {email}"


def _token(row: AuditRow, names: Names) -> str:
    token = f"API token {row.entity_key}…"
    owner = names.users.get((row.after or row.before or {}).get("user_id"), ("", ""))[0]
    if row.action == "create":
        return f"issued {token}" + (f" to {owner}" if owner else "")
    if row.action == "update" and (row.after or {}).get("revoked_at"):
        return f"revoked {token}" + (f" of {owner}" if owner else "")
    return f"{VERBS.get(row.action, row.action)} {token}"


def _organisation(row: AuditRow, names: Names) -> str:
    before, after = row.before or {}, row.after or {}
    ods = row.entity_key
    if row.action == "create":
        return f"added organisation {ods} ({after.get('name')})"
    if row.action == "delete":
        return f"deleted organisation {ods} ({before.get('name')})"
    if "closed_on" in after and after["closed_on"]:
        text = f"closed organisation {ods} on {words('closed_on', after['closed_on'], names)}"
        if after.get("successor_id"):
            text += f", succeeded by {words('successor_id', after['successor_id'], names)}"
        return text
    if "closed_on" in after:
        return f"reopened organisation {ods}"
    if "name" in after:
        return f"renamed organisation {ods} to “{after['name']}”"
    if "membership" in after:
        return f"marked organisation {ods} as {words('membership', after['membership'], names).lower()}"
    if "opened_on" in after:
        return f"set the date organisation {ods} opened to {words('opened_on', after['opened_on'], names)}"
    return f"changed organisation {ods}"


def _titled(noun: str, row: AuditRow, title: str | None) -> str:
    """Create, rename or change something with a code and a title (network, package, idea, ambition)."""
    before, after = row.before or {}, row.after or {}
    key = row.entity_key
    named = "name" if noun == "network" else "title"
    if row.action == "create":
        return f"created {noun} {key} (“{after.get(named)}”)"
    if row.action == "delete":
        return f"deleted {noun} {key} (“{before.get(named)}”)"
    if named in after:
        return f"renamed {noun} {key} from “{before.get(named)}” to “{after[named]}”"
    return f"changed {noun} {key}" + (f" (“{title}”)" if title else "")


def _package(row: AuditRow, names: Names) -> str:
    status = (row.after or {}).get("status")
    if row.action == "update" and status == "published":
        return f"published change package {row.entity_key}"
    if row.action == "update" and status == "draft":
        return f"returned change package {row.entity_key} to draft"
    return _titled("change package", row, None)


def _idea(row: AuditRow, names: Names) -> str:
    after = row.after or {}
    if row.action == "update" and "driver_id" in after and "title" not in after:
        where = words("driver_id", after["driver_id"], names)
        if where == "none":
            return f"took change idea {row.entity_key} out of its driver"
        return f"moved change idea {row.entity_key} to the driver {where}"
    return _titled("change idea", row, names.idea_titles.get(row.entity_key))


def _driver(row: AuditRow, names: Names) -> str:
    before, after = row.before or {}, row.after or {}
    title = names.drivers.get(_as_int(row.entity_key)) or after.get("title") or before.get("title")
    if row.action == "create":
        package = names.packages.get(after.get("package_id"))
        return f"added the driver “{after.get('title')}”" + (f" to change package {package}" if package else "")
    if row.action == "delete":
        return f"deleted the driver “{before.get('title')}”"
    if "title" in after:
        return f"renamed the driver “{before.get('title')}” to “{after['title']}”"
    if "parent_id" in after or "position" in after:
        return f"moved the driver “{title}”"
    return f"changed the driver “{title}”"


def _link(row: AuditRow, names: Names) -> str:
    v = _values(row)
    pair = names.links.get(_as_int(row.entity_key))
    if pair is None and "source_id" in v:
        pair = f"{words('source_id', v['source_id'], names)} and {words('target_id', v.get('target_id'), names)}"
    pair = pair or f"number {row.entity_key}"
    if row.action == "create":
        kind = _enum_label("kind", v.get("kind", ""), row.entity)
        return f"linked {pair}" + (f" ({kind.lower()})" if kind else "")
    if row.action == "delete":
        return f"removed the learning link between {pair}"
    if (row.after or {}).get("status") == "confirmed":
        return f"confirmed the learning link between {pair}"
    return f"changed the learning link between {pair}"


ROW_SENTENCES = {
    "adoption_events": _adoption_event,
    "adoptions": _adoption,
    "users": _user,
    "api_tokens": _token,
    "organisations": _organisation,
    "networks": lambda row, names: _titled("network", row, None),
    "ambitions": lambda row, names: _titled("ambition", row, None),
    "change_packages": _package,
    "change_ideas": _idea,
    "drivers": _driver,
    "learning_links": _link,
}

SIGN_IN_FAILURES = {
    "wrong password": "wrong password",
    "unknown email": "no account has this email address",
    "account disabled": "the account is disabled",
}


def _refused_sign_in(detail: str) -> str:
    if "Try again in" in detail:
        return "account locked after too many failed attempts"
    if detail:
        return "too many failed attempts in a row"
    return "refused"


# What a refused request asked for, by endpoint: (reading with GET, sending a form or API write).
PAGES: dict[str, tuple[str, str]] = {
    "admin.users": ("open the list of accounts", "change the accounts"),
    "admin.new_user": ("open the form for a new account", "create an account"),
    "admin.edit_user": ("open an account", "change an account"),
    "admin.set_password": ("open the form to set an account's password", "set an account's password"),
    "admin.revoke_token": ("revoke an API token", "revoke an API token"),
    "audit.events": ("open the audit log", "open the audit log"),
    "adoption.log": ("open the log form for {ods} × {code}", "log a stage for {ods} × {code}"),
    "adoption.history": ("open the history of {ods} × {code}", "open the history of {ods} × {code}"),
    "adoption.matrix": ("open the adoption records of {ods}", "open the adoption records of {ods}"),
    "adoption.start": ("open the start of logging", "open the start of logging"),
    "auth.change_password": ("open the form to change their password", "change their password"),
    "catalogue.new_package": ("open the form for a new change package", "create a change package"),
    "catalogue.edit_package": ("open the form to edit change package {code}", "edit change package {code}"),
    "catalogue.set_package_status": ("publish or withdraw change package {code}", "publish or withdraw {code}"),
    "catalogue.package": ("open change package {code}", "open change package {code}"),
    "catalogue.new_idea": ("open the form for a new change idea", "add a change idea to package {code}"),
    "catalogue.edit_idea": ("open the form to edit change idea {code}", "edit change idea {code}"),
    "catalogue.move_idea": ("move change idea {code}", "move change idea {code}"),
    "catalogue.idea": ("open change idea {code}", "open change idea {code}"),
    "catalogue.new_driver": ("open the form for a new driver", "add a driver to package {code}"),
    "catalogue.edit_driver": ("open the form to edit a driver", "edit a driver"),
    "catalogue.move_driver": ("move a driver", "move a driver"),
    "catalogue.delete_driver": ("open the form to delete a driver", "delete a driver"),
    "links.links": ("open the learning links", "open the learning links"),
    "links.new_link": ("open the form for a new learning link", "add a learning link"),
    "links.edit_link": ("open the form to edit a learning link", "edit a learning link"),
    "links.delete_link": ("open the form to delete a learning link", "delete a learning link"),
    "links.confirm_link": ("confirm a learning link", "confirm a learning link"),
    "organisations.new_organisation": ("open the form for a new organisation", "add an organisation"),
    "organisations.edit_organisation": ("open the form to edit organisation {ods}", "edit organisation {ods}"),
    "organisations.close_organisation": ("open the form to close organisation {ods}", "close organisation {ods}"),
    "organisations.reopen_organisation": ("reopen organisation {ods}", "reopen organisation {ods}"),
    "organisations.new_network": ("open the form for a new network", "add a network"),
    "organisations.edit_network": ("open the form to edit network {code}", "edit network {code}"),
    "spreadsheets.import_upload": ("open the spreadsheet import", "check a spreadsheet to import"),
    "spreadsheets.import_confirm": ("import a spreadsheet", "import a spreadsheet"),
    "spreadsheets.export": ("open the spreadsheets", "open the spreadsheets"),
    "spreadsheets.events_file": ("download the adoption entries", "download the adoption entries"),
    "spreadsheets.records_file": ("download the adoption records", "download the adoption records"),
    "reports.coverage": ("open the coverage report", "open the coverage report"),
    "reports.download": ("download a coverage table", "download a coverage table"),
    "maps.spread_map": ("open the spread map", "open the spread map"),
    "api.log_adoption": ("log a stage through the API", "log a stage through the API"),
    "api.create_link": ("add a learning link through the API", "add a learning link through the API"),
    "api.delete_link": ("delete a learning link through the API", "delete a learning link through the API"),
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def asked_for(request: str, names: Names) -> str:
    """What a request ("GET /admin/audit") tried to do, in words."""
    method, _, path = request.partition(" ")
    found = names.requests.get(request)
    if found is not None:
        endpoint, args = found
        if endpoint in PAGES:
            reading, writing = PAGES[endpoint]
            return (reading if method == "GET" else writing).format_map(_Blank(args))
        if endpoint.startswith("api."):
            return f"read {path.partition('?')[0]} from the API" if method == "GET" else f"write to {path} in the API"
    address = path.partition("?")[0] or "/"
    return f"open {address}" if method == "GET" else f"send {method} {address}"


def sentence(row: AuditRow, names: Names) -> str:
    """One entry as a sentence: "Faculty member logged implementing for RXX × RP-01 from 1 May 2024"."""
    action, key = row.action, row.entity_key
    if action == "denied":
        status = row.detail.removeprefix("Answered ").strip()
        return f"Refused: {_with_article(subject(row))} tried to {asked_for(row.path, names)}" + (
            f" ({status})" if status else ""
        )
    if action == "sign_in":
        return f"{subject(row)} signed in"
    if action == "sign_out":
        return f"{subject(row)} signed out"
    if action == "sign_in_failed":
        return f"Sign-in failed for {key}: {SIGN_IN_FAILURES.get(row.detail, row.detail or 'refused')}"
    if action == "sign_in_refused":
        return f"Sign-in refused for {key}: {_refused_sign_in(row.detail)}"
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
SAID_BY_SENTENCE = frozenset({"denied", "sign_in_failed", "password_set"})


def entry(row: AuditRow, names: Names) -> Entry:
    """Everything the audit page shows of one row."""
    note = "" if row.action in SAID_BY_SENTENCE else row.detail
    return Entry(
        id=row.id,
        when=people_datetime(row.at),
        who=who(row, names),
        sentence=sentence(row, names),
        changes=changes(row, names),
        note=note,
        request=row.path,
        remote_addr=row.remote_addr,
    )
