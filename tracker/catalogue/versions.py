"""Read queries for a package's published versions: each page's in a fixed number of statements."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import package_versions
from ..models import PackageVersion


@dataclass(frozen=True)
class Listed:
    version: PackageVersion
    changes: package_versions.Changes


def versions_of(session: Session, package_id: int) -> list[PackageVersion]:
    """The package's versions, oldest first."""
    return list(
        session.scalars(
            select(PackageVersion).where(PackageVersion.package_id == package_id).order_by(PackageVersion.number)
        )
    )


def listed(versions: list[PackageVersion]) -> list[Listed]:
    """Each version with what it changed since the one before, newest first."""
    out, before = [], None
    for version in versions:
        out.append(Listed(version, package_versions.changes(before, version.snapshot)))
        before = version.snapshot
    return out[::-1]


def retired_in(session: Session, package_id: int, code: str) -> int | None:
    """The version of its package that retired the idea, if any."""
    return package_versions.retired_in([(v.number, v.snapshot) for v in versions_of(session, package_id)], code)
