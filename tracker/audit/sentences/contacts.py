"""Whom to ask in words: naming leads, linking Life QI projects, giving and withdrawing consent to be named."""

from __future__ import annotations

from .rows import AuditRow, Names


def _person(value, names: Names) -> str:
    return names.users.get(value, ("", ""))[0] or f"account {value}" if value is not None else ""


def adoption_lead(row: AuditRow, names: Names) -> str:
    """ "named x@nhs.net as the lead of RNU × RP-01; linked its Life QI project" """
    before, after = row.before or {}, row.after or {}
    key = int(row.entity_key) if row.entity_key.isdigit() else None
    pair = names.lead_records.get(key)
    if pair is None:
        org, idea = after.get("organisation_id"), after.get("change_idea_id")
        pair = f"{names.organisations.get(org, f'organisation {org}')} × {names.ideas.get(idea, f'change idea {idea}')}"
    parts = []
    if "lead_id" in after and (row.action == "create" or "lead_id" in before):
        lead = after["lead_id"]
        parts.append(f"named {_person(lead, names)} as the lead of {pair}" if lead else f"cleared the lead of {pair}")
    if "lifeqi_url" in after and (row.action == "create" or "lifeqi_url" in before):
        url = after["lifeqi_url"]
        if url or row.action != "create":
            what = f"linked the Life QI project {url}" if url else "removed the Life QI project link"
            parts.append(what if parts else f"{what} of {pair}")
    if row.action == "delete":
        return f"removed the lead and Life QI link of {pair}"
    return "; ".join(parts) or f"changed the lead of {pair}"


def organisation_lead(row: AuditRow, names: Names) -> str:
    after = row.after or {}
    key = int(row.entity_key) if row.entity_key.isdigit() else None
    ods = names.organisations.get(key, f"organisation {row.entity_key}")
    if row.action == "delete":
        return f"removed the QI lead of {ods}"
    lead = after.get("lead_id")
    return f"named {_person(lead, names)} as the QI lead of {ods}" if lead else f"cleared the QI lead of {ods}"


def contact_consent(row: AuditRow, names: Names) -> str:
    """Consent to be named: given by the person, recorded by someone who named them, or withdrawn."""
    after = row.after or {}
    person_id = int(row.entity_key) if row.entity_key.isdigit() else None
    person = _person(person_id, names)
    own = row.actor_id is not None and row.actor_id == person_id
    if row.action == "delete":
        return f"removed the consent record of {person}"
    if after.get("withdrawn_at"):
        return "withdrew their consent to be named as a contact" if own else f"withdrew the consent of {person}"
    if own:
        return "agreed to be named as a contact" + (" again" if row.action == "update" else "")
    return f"recorded that {person} agreed to be named as a contact"
