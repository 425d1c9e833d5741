"""Reference data (the real South of England facts) and the demo accounts.

Loading is idempotent: rows are matched on their natural keys (codes, ODS codes, emails), created
when missing and updated when a fact changed; run twice, nothing is duplicated.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.passwords import hash_password
from ..calendar import iso_day
from ..calendar import today as calendar_today
from ..models import (
    Ambition,
    AmbitionTarget,
    ChangeIdea,
    ChangePackage,
    Network,
    Organisation,
    PackageResource,
    Role,
    User,
)
from ..organisations.dates import date_errors
from ..organisations.left_out import events_left_out
from ..organisations.queries import organisation_by_ods
from .demo_history import load_demo_history
from .links import load_demo_links, propose_geographic_neighbours

REFERENCE_FILE = "south_of_england.json"

# Demo accounts: clearly labelled, on a reserved domain that can never receive mail.
DEMO_PASSWORD = "spread-tracker-demo-2021"
DEMO_USERS = [
    {"email": "admin@demo.invalid", "name": "Demo Administrator", "role": Role.ADMIN},
    {"email": "manager@demo.invalid", "name": "Demo Project Manager", "role": Role.MANAGER},
    {"email": "faculty@demo.invalid", "name": "Demo Faculty Member", "role": Role.FACULTY, "networks": ["OXF", "WSX"]},
    {"email": "trust@demo.invalid", "name": "Demo Trust Lead", "role": Role.TRUST, "organisation": "RNU"},
]


class SeedError(ValueError):
    """The reference data cannot be loaded as it is; nothing was written."""


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated))
        if not kinds:
            return "nothing to change"
        return ", ".join(f"{k}: {self.created[k]} created, {self.updated[k]} updated" for k in kinds)


def reference_data() -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath(REFERENCE_FILE).read_text(encoding="utf-8"))


def _date(value: str | None) -> date | None:
    return iso_day(value) if value else None


def _sync(report: SeedReport, kind: str, obj, values: dict[str, Any], created: bool) -> None:
    """Set the values that differ, counting the row as created or updated."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    if created:
        report.created[kind] += 1
    elif changed:
        report.updated[kind] += 1


def _get_or_new(session: Session, model, **key):
    obj = session.scalar(select(model).filter_by(**key))
    if obj is None:
        obj = model(**key)
        session.add(obj)
        return obj, True
    return obj, False


def _refuse(problems: list[str]) -> None:
    if problems:
        raise SeedError("The reference data was not loaded:\n" + "\n".join(problems))


def _check_dates(data: dict[str, Any]) -> None:
    """Refuse organisation dates that are not plausible, before anything is written."""
    today = calendar_today()
    _refuse(
        [
            f"{o['ods_code']}: {message}"
            for o in data["organisations"]
            for message in date_errors(_date(o["opened_on"]), _date(o["closed_on"]), today).values()
        ]
    )


def _left_out(session: Session, organisation: Organisation, opened_on, closed_on) -> list[str]:
    """The events that new reference dates would leave out of every figure, as a problem to report."""
    if organisation.id is None:  # new: no events yet
        return []
    if left_out := events_left_out(session, organisation, opened_on, closed_on):
        return [
            f"{organisation.ods_code}: the reference dates would leave out {left_out.counted()} {left_out.dated()}. "
            "Change the organisation's dates in the app, where you can confirm leaving them out, then seed again"
        ]
    return []


def load_reference(session: Session, data: dict[str, Any] | None = None) -> SeedReport:
    """Create or update the ambitions, packages, ideas, networks and organisations; commits.

    Raises SeedError, having written nothing, when an organisation's dates are not plausible or would
    leave out adoption events it already has.
    """
    data = data or reference_data()
    _check_dates(data)
    report = SeedReport()

    ambitions = {}
    for a in data["ambitions"]:
        ambition, created = _get_or_new(session, Ambition, code=a["code"])
        _sync(
            report,
            "ambitions",
            ambition,
            {k: a[k] for k in ("title", "summary", "baseline_note", "source_url", "position")},
            created,
        )
        ambitions[a["code"]] = ambition
        existing = {t.label: t for t in ambition.targets} if not created else {}
        for position, t in enumerate(a["targets"]):
            target = existing.get(t["label"])
            is_new = target is None
            if is_new:
                target = AmbitionTarget(label=t["label"])
                ambition.targets.append(target)
            values = {
                "text": t["text"],
                "target_date": _date(t["target_date"]),
                "source_url": t["source_url"],
                "position": position,
            }
            _sync(report, "targets", target, values, is_new)

    for position, p in enumerate(data["packages"]):
        package, created = _get_or_new(session, ChangePackage, code=p["code"])
        values = {k: p[k] for k in ("title", "publisher", "version", "source_url", "summary", "provenance_note")}
        values["ambition"] = ambitions[p["ambition"]]
        if created:
            values.update(status=p["status"], position=position)
        _sync(report, "packages", package, values, created)
        existing_resources = {r.title: r for r in package.resources} if not created else {}
        for r_position, r in enumerate(p["resources"]):
            resource = existing_resources.get(r["title"])
            is_new = resource is None
            if is_new:
                resource = PackageResource(title=r["title"], position=r_position)
                package.resources.append(resource)
            _sync(
                report, "resources", resource, {"description": r["description"], "source_url": r["source_url"]}, is_new
            )
        for i_position, i in enumerate(p["ideas"]):
            idea, is_new = _get_or_new(session, ChangeIdea, code=i["code"])
            values = {k: i[k] for k in ("title", "description", "source_url", "provenance_note")}
            values["package"] = package
            if is_new:
                values["position"] = i_position
            _sync(report, "change ideas", idea, values, is_new)

    networks = {}
    for n in data["networks"]:
        network, created = _get_or_new(session, Network, code=n["code"])
        _sync(
            report,
            "networks",
            network,
            {k: n[k] for k in ("name", "former_name", "region", "website", "source_url")},
            created,
        )
        networks[n["code"]] = network

    organisations, new_organisations, problems = {}, set(), []
    for o in data["organisations"]:
        organisation, created = _get_or_new(session, Organisation, ods_code=o["ods_code"])
        if created:
            new_organisations.add(o["ods_code"])
        opened_on, closed_on = _date(o["opened_on"]), _date(o["closed_on"])
        problems += _left_out(session, organisation, opened_on, closed_on)
        values = {k: o[k] for k in ("name", "kind", "town", "latitude", "longitude", "notes", "source_url")}
        values.update(network=networks[o["network"]], opened_on=opened_on, closed_on=closed_on)
        if created:
            values["membership"] = o["membership"]
        _sync(report, "organisations", organisation, values, created)
        organisations[o["ods_code"]] = organisation
    if problems:
        session.rollback()
        _refuse(problems)
    session.flush()
    for o in data["organisations"]:
        successor = organisations[o["successor"]] if o["successor"] else None
        organisation = organisations[o["ods_code"]]
        if organisation.successor is not successor:
            organisation.successor = successor
            if o["ods_code"] not in new_organisations:
                report.updated["organisations"] += 1
    if proposed := propose_geographic_neighbours(session):
        report.created["proposed links"] += proposed

    session.commit()
    return report


def load_demo(session: Session, hash_iterations: int, today: date | None = None, history: bool = True) -> SeedReport:
    """Add one demo account per role and a demo adoption history, all labelled demo; idempotent."""
    report = SeedReport()
    for spec in DEMO_USERS:
        if session.scalar(select(User).filter_by(email=spec["email"])) is not None:
            continue
        organisation = None
        if "organisation" in spec:
            organisation = organisation_by_ods(session, spec["organisation"])
        networks = []
        if "networks" in spec:
            networks = list(session.scalars(select(Network).where(Network.code.in_(spec["networks"]))))
        session.add(
            User(
                email=spec["email"],
                name=spec["name"],
                role=spec["role"],
                is_demo=True,
                organisation=organisation,
                networks=networks,
                password_hash=hash_password(DEMO_PASSWORD, hash_iterations),
            )
        )
        report.created["demo accounts"] += 1
    session.flush()
    if links := load_demo_links(session):
        report.created["demo links"] += links
    added = load_demo_history(session, today or date.today()) if history else 0
    if added:
        report.created["demo adoption events"] += added
    session.commit()
    return report
