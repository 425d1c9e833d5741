"""The synthetic catalogue, networks and organisations, as rows: plain Python, the same spec gives the same rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from ..models import Membership, PackageStatus
from .spec import (
    AMBITIONS,
    CLOSED_SHARE,
    CLOSURES_FROM,
    KIND_NAMES,
    KIND_WEIGHTS,
    KINDS,
    NETWORK_LETTERS,
    NOTE,
    PRIMARY_DRIVERS,
    PROGRAMME_END,
    SECONDARY_DRIVERS,
    SynthSpec,
    stream,
)


@dataclass
class Reference:
    """The catalogue, networks and organisations, as rows (dicts keyed by column name, ids given)."""

    ambitions: list[dict] = field(default_factory=list)
    packages: list[dict] = field(default_factory=list)
    drivers: list[dict] = field(default_factory=list)
    ideas: list[dict] = field(default_factory=list)
    networks: list[dict] = field(default_factory=list)
    organisations: list[dict] = field(default_factory=list)


def make_reference(spec: SynthSpec) -> Reference:
    """The reference rows for the spec: the same spec, the same rows."""
    ref = Reference()
    ref.ambitions, ref.packages = _ambitions_and_packages()
    ref.drivers, secondaries = _drivers(ref.packages)
    ref.ideas = _ideas(spec, secondaries)
    ref.networks = _networks()
    ref.organisations = _organisations(spec, len(ref.networks))
    return ref


def _ambitions_and_packages() -> tuple[list[dict], list[dict]]:
    """The three ambitions, each with one published change package."""
    ambitions, packages = [], []
    for position, (code, title) in enumerate(AMBITIONS, start=1):
        ambitions.append(
            {
                "id": position,
                "code": code,
                "title": f"Synthetic: {title}",
                "summary": NOTE,
                "baseline_note": "",
                "source_url": "",
                "position": position,
            }
        )
        packages.append(
            {
                "id": position,
                "ambition_id": position,
                "code": f"SYN{code}",
                "title": f"Synthetic change package: {title}",
                "publisher": "Synthetic data",
                "version": "synthetic",
                "status": PackageStatus.PUBLISHED.value,
                "source_url": "",
                "summary": NOTE,
                "provenance_note": "Made up by `flask synth` for benchmarks: not a real change package.",
                "position": position,
                "is_demo": True,
                "row_version": 1,
            }
        )
    return ambitions, packages


def _drivers(packages: list[dict]) -> tuple[list[dict], dict[int, list[int]]]:
    """Each package's primary drivers with their secondary drivers; and the secondary drivers' ids by package."""
    drivers: list[dict] = []
    secondaries: dict[int, list[int]] = {}
    # Primary drivers first, so each secondary driver's parent is inserted before it.
    for package in packages:
        for p in range(1, PRIMARY_DRIVERS + 1):
            drivers.append(
                {
                    "id": len(drivers) + 1,
                    "package_id": package["id"],
                    "parent_id": None,
                    "title": f"Synthetic primary driver {package['id']}.{p}",
                    "description": NOTE,
                    "position": p,
                    "row_version": 1,
                }
            )
    for primary in list(drivers):
        for s in range(1, SECONDARY_DRIVERS + 1):
            driver_id = len(drivers) + 1
            drivers.append(
                {
                    "id": driver_id,
                    "package_id": primary["package_id"],
                    "parent_id": primary["id"],
                    "title": f"Synthetic secondary driver {primary['package_id']}.{primary['position']}.{s}",
                    "description": NOTE,
                    "position": s,
                    "row_version": 1,
                }
            )
            secondaries.setdefault(primary["package_id"], []).append(driver_id)
    return drivers, secondaries


def _ideas(spec: SynthSpec, secondaries: dict[int, list[int]]) -> list[dict]:
    """The change ideas, dealt in turn to the packages and, within one, to its secondary drivers."""
    ideas = []
    for j in range(spec.interventions):
        package_id = j % len(AMBITIONS) + 1
        number = j // len(AMBITIONS) + 1
        code = f"{AMBITIONS[package_id - 1][0]}-{number:03d}"
        drivers = secondaries[package_id]
        ideas.append(
            {
                "id": j + 1,
                "code": code,
                "package_id": package_id,
                "driver_id": drivers[(number - 1) % len(drivers)],
                "title": f"Synthetic change idea {code}",
                "description": NOTE,
                "source_url": "",
                "provenance_note": NOTE,
                "position": number,
                "is_demo": True,
                "retired": False,
                "row_version": 1,
            }
        )
    return ideas


def _networks() -> list[dict]:
    return [
        {
            "id": k,
            "code": f"SYN{letter}",
            "name": f"Synthetic network {letter}",
            "former_name": "",
            "region": f"Synthetic region {letter}",
            "website": "",
            "source_url": "",
            "row_version": 1,
        }
        for k, letter in enumerate(NETWORK_LETTERS, start=1)
    ]


def _organisations(spec: SynthSpec, networks: int) -> list[dict]:
    """The organisations, in networks at random, a few closed with a successor."""
    rng = stream(spec, "organisations")
    rows = []
    for k in range(1, spec.organisations + 1):
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        rows.append(
            {
                "id": k,
                "ods_code": f"Z{k:04d}",
                "name": f"Synthetic {KIND_NAMES[kind]} {k:04d}",
                "kind": kind.value,
                "network_id": rng.randint(1, networks),
                "town": f"Synthetic town {k:04d}",
                "latitude": round(rng.uniform(50.0, 55.0), 5),
                "longitude": round(rng.uniform(-5.5, 1.7), 5),
                "opened_on": None,
                "closed_on": None,
                "successor_id": None,
                "membership": Membership.MEMBER.value,
                "notes": NOTE,
                "source_url": "",
                "is_demo": True,
                "row_version": 1,
            }
        )
    closing = min(round(spec.organisations * CLOSED_SHARE), spec.organisations - 1)
    closed = set(rng.sample(range(spec.organisations), closing))
    open_ids = [row["id"] for i, row in enumerate(rows) if i not in closed]
    closure_days = (PROGRAMME_END - CLOSURES_FROM).days
    for i in sorted(closed):
        rows[i]["closed_on"] = CLOSURES_FROM + timedelta(days=rng.randint(0, closure_days))
        rows[i]["successor_id"] = rng.choice(open_ids)
    return rows
