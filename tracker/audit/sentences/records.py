"""What someone did to a record, by kind of record: "logged implementing for RXX × RP-01 from 1 May 2024"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .contacts import adoption_lead, contact_consent, organisation_lead
from .rows import AuditRow, Names
from .values import enum_label, words

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
    "adoption_leads": "lead of an adoption record",
    "organisation_leads": "QI lead",
    "contact_consents": "consent to be named",
    "follows": "follow",
    "package_versions": "package version",
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
    reason = enum_label("discontinued_reason", v.get("discontinued_reason") or "", row.entity)
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
        role = enum_label("role", after.get("role", ""), row.entity)
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
    if "oidc_object_id" in after and after["oidc_object_id"] is None:
        return f"unlinked the NHS work account of {email}"
    if "networks" in after:
        return f"changed the networks of {email} to {words('networks', after['networks'], names)}"
    if "email_reminders" in after:
        return f"turned the weekly email digest {'on' if after['email_reminders'] else 'off'} for {email}"
    if "name" in after:
        return f"renamed the account of {email} to “{after['name']}”"
    return f"changed the account of {email}"


def _token(row: AuditRow, names: Names) -> str:
    """ "issued API token st_abc… “Power BI refresh” (read only, until 1 March 2027) to x@nhs.net"."""
    v = _values(row)
    name = f" “{v['name']}”" if v.get("name") else ""
    token = f"API token {row.entity_key}…{name}"
    owner = names.users.get(v.get("user_id"), ("", ""))[0]
    if row.action == "create":
        scope = enum_label("scope", v.get("scope") or "", row.entity)
        until = f"until {words('expires_at', v['expires_at'], names)}" if v.get("expires_at") else ""
        said = ", ".join(term for term in (scope.lower() if scope else "", until) if term)
        return f"issued {token}" + (f" ({said})" if said else "") + (f" to {owner}" if owner else "")
    if row.action == "update" and (row.after or {}).get("revoked_at"):
        # A revocation changes one column: the note (tracker.auth.tokens.revoke) names the token and its owner.
        return f"revoked {token}" + (f" {row.detail}" if row.detail else (f" of {owner}" if owner else ""))
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


def _package_version(row: AuditRow, names: Names) -> str:
    """ "published version 2 of change package RRP"; versions are never changed (the table is append-only)."""
    v = _values(row)
    package = names.packages.get(v.get("package_id"), f"number {v.get('package_id')}")
    text = f"version {v.get('number')} of change package {package}"
    if row.action == "create":
        return f"published {text}"
    return f"{VERBS.get(row.action, row.action)} {text}"


def _idea(row: AuditRow, names: Names) -> str:
    after = row.after or {}
    if row.action == "update" and "retired" in after and len(after) == 1:
        verb = (
            "retired change idea {} from its package"
            if after["retired"]
            else "brought change idea {} back into its package"
        )
        return verb.format(row.entity_key)
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
        kind = enum_label("kind", v.get("kind", ""), row.entity)
        return f"linked {pair}" + (f" ({kind.lower()})" if kind else "")
    if row.action == "delete":
        return f"removed the learning link between {pair}"
    if (row.after or {}).get("status") == "confirmed":
        return f"confirmed the learning link between {pair}"
    return f"changed the learning link between {pair}"


def _target(row: AuditRow, names: Names) -> str:
    """ "added the target “Board 2026” to ambition RP: reach 80% by 31 March 2027, for network OXF"."""
    v = _values(row)
    label, ambition = names.targets.get(_as_int(row.entity_key), (None, None))
    ambition = ambition or names.ambitions.get(v.get("ambition_id")) or ""
    before, after = row.before or {}, row.after or {}
    label = after.get("label") or label or before.get("label") or f"number {row.entity_key}"
    of = f" of ambition {ambition}" if ambition else ""
    if row.action == "create":
        kind = "published target" if v.get("is_reference") else "target"
        measure = "ward coverage" if v.get("measure") == "ward_coverage" else "reach"
        aim = f": {measure} {v['value']:g}%" if isinstance(v.get("value"), int | float) else ""
        due = f" by {words('target_date', v['target_date'], names)}" if v.get("target_date") else ""
        network = v.get("network_id")
        where = f", for network {words('network_id', network, names)}" if network else ", for the whole programme"
        return f"added the {kind} “{label}”{' to ambition ' + ambition if ambition else ''}{aim}{due}{where}"
    if row.action == "delete":
        return f"deleted the target “{label}”{of}"
    if "label" in after and before.get("label"):
        return f"renamed the target “{before['label']}”{of} to “{after['label']}”"
    return f"changed the target “{label}”{of}"


def _follow(row: AuditRow, names: Names) -> str:
    """ "followed change idea RP-01" / "stopped following organisation RNU" (for whom, if not themselves)."""
    v = _values(row)
    if v.get("change_idea_id") is not None:
        what = f"change idea {names.ideas.get(v['change_idea_id'], v['change_idea_id'])}"
    else:
        what = f"organisation {names.organisations.get(v.get('organisation_id'), v.get('organisation_id'))}"
    verb = "followed" if row.action == "create" else "stopped following"
    owner = v.get("user_id")
    for_whom = "" if owner == row.actor_id else f" for {names.users.get(owner, (f'account {owner}', ''))[0]}"
    return f"{verb} {what}{for_whom}"


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
    "package_versions": _package_version,
    "drivers": _driver,
    "learning_links": _link,
    "ambition_targets": _target,
    "adoption_leads": adoption_lead,
    "organisation_leads": organisation_lead,
    "contact_consents": contact_consent,
    "follows": _follow,
}
