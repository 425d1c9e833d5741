"""Models to plain JSON-ready dicts, one function per shape the API answers.

Each reads only what the matching query in queries.py loaded, so serialising never runs SQL.
Dates are ISO strings (YYYY-MM-DD) or None; enums are their values; rows are named by their stable
keys (codes, ODS codes), never by database ids, except drivers, which have no code. Field names
say "intervention" where the code says idea: they are the public API, and clients depend on them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from ..models import (
    Adoption,
    AdoptionEvent,
    Ambition,
    AmbitionTarget,
    ChangeIdea,
    ChangePackage,
    Driver,
    LearningLink,
    Network,
    Organisation,
)


def iso(day: date | datetime | None) -> str | None:
    return day.isoformat() if day is not None else None


def target(t: AmbitionTarget) -> dict[str, Any]:
    return {
        "label": t.label,
        "text": t.text,
        "target_date": iso(t.target_date),
        "source_url": t.source_url,
        "measure": t.measure.value,  # reach or ward_coverage
        "value": t.value,  # the percentage it aims at; null: the target sets no figure of its own
        "network": t.network.code if t.network else None,  # null: the whole programme's
        "published": t.is_reference,  # a published programme target: read-only
    }


def package_summary(p: ChangePackage) -> dict[str, Any]:
    return {"code": p.code, "title": p.title, "status": p.status.value}


def ambition_summary(a: Ambition) -> dict[str, Any]:
    return {
        "code": a.code,
        "title": a.title,
        "summary": a.summary,
        "targets": [target(t) for t in a.targets],
        "packages": [package_summary(p) for p in a.packages],
    }


def idea_in_diagram(i: ChangeIdea) -> dict[str, Any]:
    """An idea as it sits in a driver diagram."""
    return {
        "code": i.code,
        "title": i.title,
        "description": i.description,
        "source_url": i.source_url,
        "provenance_note": i.provenance_note,
        "driver": i.driver_id,
    }


def _driver(d: Driver, children: list[dict[str, Any]] | None, ideas: list[ChangeIdea]):
    body: dict[str, Any] = {"id": d.id, "title": d.title, "description": d.description}
    if children is not None:
        body["secondary_drivers"] = children
    body["interventions"] = [idea_in_diagram(i) for i in ideas]
    return body


def package_detail(p: ChangePackage) -> dict[str, Any]:
    """A package with its driver diagram, built from its flat lists of drivers and ideas.

    Primary drivers hold their secondary drivers; each driver holds the ideas attached to it.
    Ideas with no driver, or whose driver is not in this package's two-level diagram, are listed
    under "unassigned_interventions" so that none is silently dropped.
    """
    ideas_by_driver: dict[int | None, list[ChangeIdea]] = defaultdict(list)
    for i in p.ideas:
        ideas_by_driver[i.driver_id].append(i)
    children: dict[int, list[Driver]] = defaultdict(list)
    for d in p.drivers:
        if d.parent_id is not None:
            children[d.parent_id].append(d)

    placed: set[int] = set()
    drivers = []
    for primary in p.drivers:
        if primary.parent_id is not None:
            continue
        secondaries = []
        for secondary in children[primary.id]:
            placed.add(secondary.id)
            secondaries.append(_driver(secondary, None, ideas_by_driver[secondary.id]))
        placed.add(primary.id)
        drivers.append(_driver(primary, secondaries, ideas_by_driver[primary.id]))
    unassigned = [i for i in p.ideas if i.driver_id is None or i.driver_id not in placed]

    return {
        "code": p.code,
        "title": p.title,
        "publisher": p.publisher,
        "version": p.version,
        "status": p.status.value,
        "source_url": p.source_url,
        "summary": p.summary,
        "provenance_note": p.provenance_note,
        "drivers": drivers,
        "unassigned_interventions": [idea_in_diagram(i) for i in unassigned],
    }


def ambition_detail(a: Ambition) -> dict[str, Any]:
    return {
        "code": a.code,
        "title": a.title,
        "summary": a.summary,
        "baseline_note": a.baseline_note,
        "source_url": a.source_url,
        "targets": [target(t) for t in a.targets],
        "packages": [package_detail(p) for p in a.packages],
    }


def _driver_ref(d: Driver | None) -> dict[str, Any] | None:
    return {"id": d.id, "title": d.title} if d is not None else None


def idea(i: ChangeIdea) -> dict[str, Any]:
    """An idea on its own, with where it sits: ambition, package, primary and secondary driver."""
    driver = i.driver
    if driver is None:
        primary, secondary = None, None
    elif driver.parent_id is None:
        primary, secondary = driver, None
    else:
        primary, secondary = driver.parent, driver
    return {
        "code": i.code,
        "title": i.title,
        "description": i.description,
        "ambition": i.package.ambition.code,
        "package": i.package.code,
        "status": i.package.status.value,
        "primary_driver": _driver_ref(primary),
        "secondary_driver": _driver_ref(secondary),
        "source_url": i.source_url,
        "provenance_note": i.provenance_note,
        "is_demo": i.is_demo,
    }


def network(n: Network, organisation_count: int) -> dict[str, Any]:
    return {
        "code": n.code,
        "name": n.name,
        "former_name": n.former_name,
        "region": n.region,
        "website": n.website,
        "source_url": n.source_url,
        "organisations": organisation_count,
    }


def organisation(o: Organisation) -> dict[str, Any]:
    return {
        "ods": o.ods_code,
        "name": o.name,
        "kind": o.kind.value,
        "network": o.network.code if o.network is not None else None,
        "town": o.town,
        "lat": o.latitude,
        "lon": o.longitude,
        "opened_on": iso(o.opened_on),
        "closed_on": iso(o.closed_on),
        "successor": o.successor.ods_code if o.successor is not None else None,
        "membership": o.membership.value,
        "is_demo": o.is_demo,
    }


def organisation_detail(o: Organisation) -> dict[str, Any]:
    return {
        **organisation(o),
        "notes": o.notes,
        "source_url": o.source_url,
        "predecessors": sorted(p.ods_code for p in o.predecessors),
    }


def link(row: LearningLink) -> dict[str, Any]:
    """A learning link, its ends by ODS code: source is the end stored first (links are undirected)."""
    return {
        "id": row.id,
        "source": row.source.ods_code,
        "target": row.target.ods_code,
        "kind": row.kind.value,
        "weight": row.weight,
        "note": row.note,
        "start_date": iso(row.start_date),
        "end_date": iso(row.end_date),
        "status": row.status.value,
        "is_demo": row.is_demo,
    }


def adoption_record(e: AdoptionEvent, version: int | None, since: date) -> dict[str, Any]:
    """Where one organisation stands on one idea: the event that is its record, the day its stage
    was reached (since) and the record's current version (what a client sends back as expected_version)."""
    return {
        "organisation": e.organisation.ods_code,
        "intervention": e.change_idea.code,
        "stage": e.stage.value,
        "effective_date": iso(e.effective_date),
        "since": iso(since),
        "version": version,
        "note": e.note,
        "wards_using": e.wards_using,
        "wards_in_scope": e.wards_in_scope,
        "event_id": e.id,
    }


def adoption_event(e: AdoptionEvent, corrected_by: int | None) -> dict[str, Any]:
    """One entry of the ledger, as logged, and the latest entry that corrects it if any (read with it:
    tracker.adoption.queries.events_query). logged_by is the name shown on the history page."""
    return {
        "id": e.id,
        "organisation": e.organisation.ods_code,
        "intervention": e.change_idea.code,
        "stage": e.stage.value,
        "effective_date": iso(e.effective_date),
        "wards_using": e.wards_using,
        "wards_in_scope": e.wards_in_scope,
        "note": e.note,
        "evidence_url": e.evidence_url,
        "discontinued_reason": e.discontinued_reason.value if e.discontinued_reason is not None else None,
        "corrects": e.corrects_event_id,
        # Set when a later entry corrects this one: it then counts for no date.
        "corrected_by": corrected_by,
        "logged_by": e.logged_by.display_name if e.logged_by is not None else None,
        "logged_at": iso(e.logged_at),
        "channel": e.channel,
    }


def contact(c) -> dict[str, str] | None:
    """A lead shown to signed-in callers: only ever one whose consent is in force (tracker.leads.rules)."""
    return None if c is None else {"name": c.name, "email": c.email}


def whom_to_ask(a: Adoption, record_contact) -> dict[str, Any]:
    """One organisation using a change idea: its stage and whom to ask there."""
    return {
        "organisation": a.organisation.ods_code,
        "name": a.organisation.name,
        "stage": a.stage.value,
        "since": iso(a.stage_since),
        "lead": contact(record_contact.lead if record_contact else None),
        "lifeqi_url": record_contact.lifeqi_url if record_contact and record_contact.lifeqi_url else None,
    }
