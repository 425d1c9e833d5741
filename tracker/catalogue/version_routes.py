"""A change package's published versions: the list, one version with what it changed, publishing a new
one, and retiring a change idea from its package (so that the next version leaves it out).

Everyone signed in reads the versions of the packages they may see; editors publish and retire.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import lookups
from ..access import editors_only, sees_drafts, signed_in
from ..core import package_versions as versioning
from ..db import get_session
from ..editing import EditConflict, InvalidInput
from . import queries, services, versions
from .routes import RACE_MESSAGE, _package_crumbs, _visible

bp = Blueprint("versions", __name__)


def _versions_url(code: str) -> str:
    return url_for("versions.package_versions", code=code)


@bp.get("/packages/<code>/versions")
@signed_in
def package_versions(code: str):
    """Every published version of a package, newest first, each with how much it changed; for editors,
    what publishing now would change."""
    session = get_session()
    package = _visible(queries.package_for_edit(session, code))
    stored = versions.versions_of(session, package.id)
    pending = None
    if sees_drafts() and package.is_published:
        pending = versioning.changes(
            stored[-1].snapshot if stored else None, services.current_snapshot(session, package)
        )
    return render_template(
        "catalogue/versions.html",
        package=package,
        versions=versions.listed(stored),
        pending=pending,
        breadcrumbs=_package_crumbs(package),
    )


@bp.get("/packages/<code>/versions/<int:number>")
@signed_in
def package_version(code: str, number: int):
    """One published version as it was: its driver diagram, and what it changed since the one before."""
    session = get_session()
    package = _visible(queries.package_for_edit(session, code))
    stored = versions.versions_of(session, package.id)
    if not 1 <= number <= len(stored):
        abort(404)
    version = stored[number - 1]
    before = stored[number - 2].snapshot if number > 1 else None
    primary, unplaced = versioning.tree(version.snapshot)
    return render_template(
        "catalogue/version.html",
        package=package,
        version=version,
        latest=len(stored),
        changes=versioning.changes(before, version.snapshot),
        primary=primary,
        unplaced=unplaced,
        breadcrumbs=[*_package_crumbs(package), ("Versions", _versions_url(package.code))],
    )


@bp.post("/packages/<code>/versions")
@editors_only
def publish_version(code: str):
    """Publish the package as it now is as its next version (nothing when it has not changed)."""
    session = get_session()
    package = queries.package_for_edit(session, code) or abort(404)
    try:
        version = services.publish_version(session, package, current_user)
    except InvalidInput as refusal:
        flash(next(iter(refusal.errors.values())), "important")
        return redirect(_versions_url(code))
    if version is None:
        flash("Nothing has changed since the last version, so no new version was published", "important")
        return redirect(_versions_url(code))
    flash(f"Version {version.number} of {code} published", "success")
    return redirect(url_for("versions.package_version", code=code, number=version.number))


@bp.post("/ideas/<code>/retire")
@editors_only
def retire_idea(code: str):
    """Retire a change idea from its package, or bring it back (retired=no)."""
    session = get_session()
    idea = lookups.idea_detail(session, code) or abort(404)
    wanted = request.form.get("retired")
    if wanted not in ("yes", "no"):
        abort(400)
    try:
        services.set_idea_retired(session, idea, wanted == "yes")
    except EditConflict:
        flash(RACE_MESSAGE, "important")
        return redirect(url_for("catalogue.idea", code=code))
    if wanted == "yes":
        flash(
            f"{code} is retired from {idea.package.code}: the next published version leaves it out. "
            "Its adoption records stay",
            "success",
        )
    else:
        flash(f"{code} is back in {idea.package.code}: the next published version includes it", "success")
    return redirect(url_for("catalogue.idea", code=code))
