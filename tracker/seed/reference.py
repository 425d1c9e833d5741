"""The reference data: the real South of England facts (ambitions, change packages and ideas, the
measures the sources name, networks, organisations), loaded idempotently.

Rows are matched on their natural keys (codes, ODS codes), created when missing and updated when a
fact changed; run twice, nothing is duplicated.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from datetime import date
from importlib import resources
from types import MappingProxyType
from typing import Any

from sqlalchemy.orm import Session

from ..calendar import iso_day
from ..calendar import today as calendar_today
from ..catalogue.services import seed_first_versions
from ..models import (
    Ambition,
    AmbitionTarget,
    ChangeIdea,
    ChangePackage,
    Measure,
    Network,
    Organisation,
    PackageResource,
)
from ..organisations.dates import date_errors
from ..organisations.left_out import events_left_out
from .links import propose_geographic_neighbours
from .rows import SeedError, SeedReport, child_or_new, get_or_new, sync, sync_coded

REFERENCE_FILE = "south_of_england.json"


def reference_data() -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath(REFERENCE_FILE).read_text(encoding="utf-8"))


@functools.cache
def about_the_programme() -> tuple[Mapping[str, Any], str]:
    """The About page's part of the reference data and when it was compiled: read once, as the file ships
    with the code (the page read and parsed all 33 kB of it on every visit). Read only."""
    data = reference_data()
    return MappingProxyType(data["about"]), data["compiled"]


def load_reference(session: Session, data: dict[str, Any] | None = None) -> SeedReport:
    """Create or update the ambitions, packages, ideas, networks and organisations; commits.

    Raises SeedError, having written nothing, when an organisation's dates are not plausible or would
    leave out adoption events it already has.
    """
    data = data or reference_data()
    _check_dates(data)
    report = SeedReport()
    ambitions = _load_ambitions(session, report, data["ambitions"])
    _load_packages(session, report, data["packages"], ambitions)
    _load_measures(session, report, data["measures"], ambitions)
    networks = _load_networks(session, report, data["networks"])
    organisations, new_organisations = _load_organisations(session, report, data["organisations"], networks)
    session.flush()
    _link_successors(report, data["organisations"], organisations, new_organisations)
    if first_versions := seed_first_versions(session):
        report.created["package versions"] += first_versions
    if proposed := propose_geographic_neighbours(session):
        report.created["proposed links"] += proposed
    session.commit()
    return report


def _date(value: str | None) -> date | None:
    return iso_day(value) if value else None


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


def _load_ambitions(session: Session, report: SeedReport, rows: list[dict]) -> dict[str, Ambition]:
    """The ambitions with their published dated targets, by code (targets managers added are left as they are)."""
    ambitions = {}
    for a in rows:
        fields = ("title", "summary", "baseline_note", "source_url", "position")
        ambition, created = sync_coded(session, report, "ambitions", Ambition, a, fields)
        ambitions[a["code"]] = ambition
        existing = {t.label: t for t in ambition.targets} if not created else {}
        for position, t in enumerate(a["targets"]):
            target, is_new = child_or_new(existing, t["label"], ambition.targets, AmbitionTarget, label=t["label"])
            values = {
                "text": t["text"],
                "target_date": _date(t["target_date"]),
                "source_url": t["source_url"],
                "position": position,
                "is_reference": True,  # the published targets: read-only in the app
            }
            sync(report, "targets", target, values, is_new)
    return ambitions


def _load_packages(session: Session, report: SeedReport, rows: list[dict], ambitions: dict[str, Ambition]) -> None:
    """The change packages with their resources and change ideas; a package's status and the
    positions are set only when it is new (managers may have changed them since)."""
    for position, p in enumerate(rows):
        package, created = get_or_new(session, ChangePackage, code=p["code"])
        values = {k: p[k] for k in ("title", "publisher", "version", "source_url", "summary", "provenance_note")}
        values["ambition"] = ambitions[p["ambition"]]
        if created:
            values.update(status=p["status"], position=position)
        sync(report, "packages", package, values, created)
        _load_resources(report, package, p["resources"], created)
        _load_ideas(session, report, package, p["ideas"])


def _load_resources(report: SeedReport, package: ChangePackage, rows: list[dict], new_package: bool) -> None:
    existing = {r.title: r for r in package.resources} if not new_package else {}
    for position, r in enumerate(rows):
        resource, is_new = child_or_new(
            existing, r["title"], package.resources, PackageResource, title=r["title"], position=position
        )
        sync(report, "resources", resource, {"description": r["description"], "source_url": r["source_url"]}, is_new)


def _load_ideas(session: Session, report: SeedReport, package: ChangePackage, rows: list[dict]) -> None:
    for position, i in enumerate(rows):
        idea, is_new = get_or_new(session, ChangeIdea, code=i["code"])
        values = {k: i[k] for k in ("title", "description", "source_url", "provenance_note")}
        values["package"] = package
        if is_new:
            values["position"] = position
        sync(report, "change ideas", idea, values, is_new)


def _load_measures(session: Session, report: SeedReport, rows: list[dict], ambitions: dict[str, Ambition]) -> None:
    """The measures the sources name, with what is ours said in each one's source note; a measure's
    target and position are set only when it is new (managers set them)."""
    fields = ("name", "kind", "unit", "numerator", "denominator", "scale", "direction", "definition")
    for position, m in enumerate(rows):
        measure, created = get_or_new(session, Measure, code=m["code"])
        values = {k: m[k] for k in (*fields, "source_note", "source_url")}
        values["ambition"] = ambitions[m["ambition"]]
        if created:
            values["position"] = position
        sync(report, "measures", measure, values, created)


def _load_networks(session: Session, report: SeedReport, rows: list[dict]) -> dict[str, Network]:
    """The networks, by code."""
    fields = ("name", "former_name", "region", "website", "source_url")
    return {n["code"]: sync_coded(session, report, "networks", Network, n, fields)[0] for n in rows}


def _load_organisations(
    session: Session, report: SeedReport, rows: list[dict], networks: dict[str, Network]
) -> tuple[dict[str, Organisation], set[str]]:
    """The organisations by ODS code, and the codes of those made now; membership is set only when new.

    Refuses (rolling back) dates that would leave out adoption events an organisation already has.
    """
    organisations, new_organisations, problems = {}, set(), []
    for o in rows:
        organisation, created = get_or_new(session, Organisation, ods_code=o["ods_code"])
        if created:
            new_organisations.add(o["ods_code"])
        opened_on, closed_on = _date(o["opened_on"]), _date(o["closed_on"])
        problems += _left_out(session, organisation, opened_on, closed_on)
        values = {k: o[k] for k in ("name", "kind", "town", "latitude", "longitude", "notes", "source_url")}
        values.update(network=networks[o["network"]], opened_on=opened_on, closed_on=closed_on)
        if created:
            values["membership"] = o["membership"]
        sync(report, "organisations", organisation, values, created)
        organisations[o["ods_code"]] = organisation
    if problems:
        session.rollback()
        _refuse(problems)
    return organisations, new_organisations


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


def _link_successors(
    report: SeedReport, rows: list[dict], organisations: dict[str, Organisation], new_organisations: set[str]
) -> None:
    """Point each organisation at its successor, once all of them exist (a successor may come later)."""
    for o in rows:
        successor = organisations[o["successor"]] if o["successor"] else None
        organisation = organisations[o["ods_code"]]
        if organisation.successor is not successor:
            organisation.successor = successor
            if o["ods_code"] not in new_organisations:
                report.updated["organisations"] += 1
