"""A change package's published versions over the JSON API, as the versions pages show them.

GET /api/v1/packages/<code>/versions: every version, newest first, with who published it, when, and
what it changed since the one before. GET /api/v1/packages/<code>/versions/<n>: one version's stored
snapshot (title, aim, drivers, ideas as published) and its changes. For every signed-in role; a draft
package's versions are 404 for those who may not see drafts, like the package itself.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import abort

from ..access import sees_drafts, signed_in
from ..catalogue import queries as catalogue_queries
from ..catalogue import versions
from ..core import package_versions
from ..db import get_session
from ..models import ChangePackage, PackageStatus, PackageVersion


def _package(code: str) -> ChangePackage:
    package = catalogue_queries.package_for_edit(get_session(), code.strip().upper())
    if package is None or (package.status == PackageStatus.DRAFT and not sees_drafts()):
        abort(404, f"No change package has the code {code}")
    return package


def _version(package: ChangePackage, version: PackageVersion, changes: package_versions.Changes) -> dict:
    return {
        "package": package.code,
        "number": version.number,
        "published_at": version.published_at.isoformat(),
        "published_by": version.published_by_name,
        "note": version.note,
        "changes": {"count": changes.count, **asdict(changes)},
    }


@signed_in
def package_versions_list(code: str):
    """Every published version of the package, newest first, each with what it changed."""
    package = _package(code)
    listed = versions.listed(versions.versions_of(get_session(), package.id))
    return {"package": package.code, "versions": [_version(package, item.version, item.changes) for item in listed]}


@signed_in
def package_version(code: str, number: int):
    """One published version: its snapshot as stored and what it changed since the one before."""
    package = _package(code)
    stored = versions.versions_of(get_session(), package.id)
    if not 1 <= number <= len(stored):
        abort(404, f"{package.code} has no version {number}: its versions are 1 to {len(stored)}")
    version = stored[number - 1]
    before = stored[number - 2].snapshot if number > 1 else None
    return {
        **_version(package, version, package_versions.changes(before, version.snapshot)),
        "snapshot": version.snapshot,
    }
