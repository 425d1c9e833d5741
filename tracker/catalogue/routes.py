"""Browse and maintain the change-package catalogue.

Everyone signed in browses published packages; project managers and administrators also see
drafts and maintain packages, drivers and change ideas. Views stay thin: queries read, services
write (and commit), forms carry the input.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import lookups
from ..access import editors_only, sees_drafts, signed_in
from ..adoption import queries as adoption_queries
from ..adoption.by_network import by_network
from ..core.driver_layout import SHADES
from ..db import get_session
from ..editing import EditConflict, InvalidInput, Submission
from ..leads import queries as lead_queries
from ..models import Ambition, ChangePackage, Driver, PackageStatus, Stage
from ..paged import requested_page
from . import queries, services, versions
from .drawing import package_layout
from .forms import DeleteDriverForm, DriverForm, IdeaForm, PackageForm

bp = Blueprint("catalogue", __name__)

# Buttons that change one thing (order, status) meeting someone else's change at the same moment.
RACE_MESSAGE = (
    "Someone else changed this package at the same moment, so nothing was changed. Check the page and try again."
)


def _crumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        ("Home", url_for("main.home")),
        ("Change packages", url_for("catalogue.ambitions")),
        *items,
    ]


def _ambition_crumb(ambition: Ambition) -> tuple[str, str]:
    return ambition.title, url_for("catalogue.ambition", code=ambition.code)


def _package_crumbs(package: ChangePackage) -> list[tuple[str, str]]:
    """Home › Change packages › the package's ambition › the package."""
    return _crumbs(_ambition_crumb(package.ambition), (package.title, url_for("catalogue.package", code=package.code)))


def _package_url(package: ChangePackage, anchor: str | None = None) -> str:
    return url_for("catalogue.package", code=package.code, _anchor=anchor)


def _visible(package: ChangePackage | None) -> ChangePackage:
    """The package, or 404 if it does not exist or is a draft the user may not see."""
    if package is None or (package.status == PackageStatus.DRAFT and not sees_drafts()):
        abort(404)
    return package


def _direction() -> str:
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    return direction


def _move(move: Callable[[], bool], moved: Callable[[], str]) -> None:
    """Move a driver or an idea a place: say so when it moved (not at the top or bottom already)."""
    try:
        if move():
            flash(moved(), "success")
    except EditConflict:
        flash(RACE_MESSAGE, "important")


def _package_page(template: str, package: ChangePackage, **context):
    """A form page of the catalogue, under its package's breadcrumbs."""
    crumbs = _package_crumbs(package)
    return render_template(template, package=package, breadcrumbs=crumbs, **context)


# Browsing


@bp.get("/ambitions")
@signed_in
def ambitions():
    """The three ambitions, their dated targets and their change packages."""
    rows = queries.ambitions_overview(get_session(), include_drafts=sees_drafts())
    return render_template(
        "catalogue/ambitions.html",
        ambitions=rows,
        breadcrumbs=[("Home", url_for("main.home"))],
    )


@bp.get("/ambitions/<code>")
@signed_in
def ambition(code: str):
    """One ambition: summary, baseline, every dated target with its source, its packages."""
    row = queries.ambition_detail(get_session(), code, include_drafts=sees_drafts())
    if row is None:
        abort(404)
    return render_template("catalogue/ambition.html", ambition=row, breadcrumbs=_crumbs())


@bp.get("/packages/<code>")
@signed_in
def package(code: str):
    """A change package as its driver diagram, drawn and as a list, with publisher, provenance and resources."""
    session = get_session()
    row = _visible(queries.package_detail(session, code))
    diagram = queries.driver_diagram(row.drivers, [i for i in row.ideas if not i.retired])
    trusts = queries.trusts_using(session, row.id, include_drafts=sees_drafts())
    return render_template(
        "catalogue/package.html",
        package=row,
        diagram=diagram,
        retired=[i for i in row.ideas if i.retired],
        latest=services.latest_version(session, row.id),
        drawn=package_layout(row, diagram, trusts),
        shades=SHADES,
        breadcrumbs=_crumbs(_ambition_crumb(row.ambition)),
    )


@bp.get("/ideas/<code>")
@signed_in
def idea(code: str):
    """A change idea and where it sits in its package's driver diagram."""
    row = lookups.idea_detail(get_session(), code)
    if row is None:
        abort(404)
    _visible(row.package)
    crumbs = _package_crumbs(row.package)
    session = get_session()
    networks = by_network(adoption_queries.adopter_counts(session, row))
    chosen, total = None, sum(n.total for n in networks)
    if code := request.args.get("network"):
        found = next((n for n in networks if n.network is not None and n.network.code == code), None)
        if found is None:
            abort(404, f"No organisation in a network with the code “{code[:20]}” has a record of {row.code}.")
        chosen, total = found.network, found.total
    page = requested_page(total)
    adopters = adoption_queries.adopters(session, row, chosen, page.offset, page.size)
    return render_template(
        "catalogue/idea.html",
        idea=row,
        retired_in=versions.retired_in(session, row.package_id, row.code) if row.retired else None,
        adopters=adopters,
        page=page,
        networks=networks,
        chosen=chosen,
        stages=list(Stage),
        contacts=lead_queries.idea_contacts(session, row),
        loggable=adoption_queries.loggable_organisations(session, current_user),
        breadcrumbs=crumbs,
    )


@bp.get("/search")
@signed_in
def search():
    """Change ideas whose code, title or description contain all the words searched for."""
    query = (request.args.get("q") or "").strip()[: queries.MAX_SEARCH_LENGTH]
    words = queries.search_words(query)
    results = queries.search_ideas(get_session(), words, include_drafts=sees_drafts())
    return render_template(
        "catalogue/search.html",
        query=query,
        words=words,
        results=results,
        breadcrumbs=[("Home", url_for("main.home"))],
    )


# Packages


@bp.route("/packages/new", methods=["GET", "POST"])
@editors_only
def new_package():
    """Add a change package (a draft by default) to an ambition."""
    session = get_session()
    form = PackageForm().offer_ambitions(queries.ambition_choices(session))
    if request.method == "GET" and request.args.get("ambition"):
        form.ambition_id.data = queries.ambition_id(session, request.args["ambition"])
    added = Submission(form, lambda: services.create_package(session, form.details()))
    if added.saved:
        flash(f"Change package {added.result.code} added", "success")
        return redirect(_package_url(added.result))
    return render_template(
        "catalogue/edit_package.html",
        form=form,
        package=None,
        breadcrumbs=_crumbs(),
        page_title="Add a change package",
    )


@bp.route("/packages/<code>/edit", methods=["GET", "POST"])
@editors_only
def edit_package(code: str):
    """Edit a package's details; a stale form is refused with the current version shown."""
    session = get_session()
    package = queries.package_for_edit(session, code) or abort(404)
    form = PackageForm(obj=package).offer_ambitions(queries.ambition_choices(session))
    edit = Submission(
        form,
        lambda: services.update_package(session, package, form.details(), form.expected_version()),
        reload=lambda current: PackageForm(formdata=None, obj=current).offer_ambitions(
            queries.ambition_choices(session)
        ),
    )
    if edit.saved:
        flash("Change package saved", "success")
        return redirect(_package_url(package))
    return _package_page("catalogue/edit_package.html", package, form=edit.form, page_title="Edit change package")


@bp.post("/packages/<code>/status")
@editors_only
def set_package_status(code: str):
    """Publish a package, or return it to draft."""
    package = queries.package_for_edit(get_session(), code) or abort(404)
    try:
        status = PackageStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    try:
        services.set_package_status(get_session(), package, status, current_user)
    except EditConflict:
        flash(RACE_MESSAGE, "important")
        return redirect(_package_url(package))
    except InvalidInput as refusal:  # another editor published a version at the same moment
        flash(next(iter(refusal.errors.values())), "important")
        return redirect(_package_url(package))
    if status == PackageStatus.PUBLISHED:
        flash(f"{package.code} is published: everyone who signs in can see it", "success")
    else:
        flash(f"{package.code} is a draft again: only project managers and administrators can see it", "success")
    return redirect(_package_url(package))


# Drivers


@bp.route("/packages/<code>/drivers/new", methods=["GET", "POST"])
@editors_only
def new_driver(code: str):
    """Add a primary driver, or a secondary driver under ?parent=<id>."""
    session = get_session()
    package = queries.package_for_edit(session, code) or abort(404)
    form = DriverForm().offer_parents(package)
    if request.method == "GET":
        form.parent_id.data = request.args.get("parent", type=int)
    added = Submission(form, lambda: services.create_driver(session, package, form.details()))
    if added.saved:
        driver = added.result
        flash(f"{'Secondary' if driver.parent_id else 'Primary'} driver added", "success")
        return redirect(_package_url(package, f"driver-{driver.id}"))
    return _package_page("catalogue/edit_driver.html", package, form=form, driver=None)


def _driver_or_404(driver_id: int) -> Driver:
    return queries.driver_detail(get_session(), driver_id) or abort(404)


def _driver_reloaded(driver_id: int) -> Driver:
    """The driver as now committed (the same object, refreshed), or 404 if it has gone."""
    get_session().expire_all()
    return _driver_or_404(driver_id)


@bp.route("/drivers/<int:driver_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_driver(driver_id: int):
    """Edit a driver's title, description and level."""
    session = get_session()
    driver = _driver_or_404(driver_id)
    package = driver.package
    form = DriverForm(obj=driver).offer_parents(package, driver)
    edit = Submission(
        form,
        lambda: services.update_driver(session, driver, form.details(), form.expected_version()),
        reload=lambda current: DriverForm(formdata=None, obj=current).offer_parents(package, driver),
    )
    if edit.saved:
        flash("Driver saved", "success")
        return redirect(_package_url(package, f"driver-{driver.id}"))
    return _package_page("catalogue/edit_driver.html", package, form=edit.form, driver=driver)


@bp.route("/drivers/<int:driver_id>/delete", methods=["GET", "POST"])
@editors_only
def delete_driver(driver_id: int):
    """Confirm, then delete a driver with its secondary drivers; their ideas are kept, unplaced."""
    session = get_session()
    driver = _driver_or_404(driver_id)
    package = driver.package
    form = DeleteDriverForm(obj=driver)
    deletion = Submission(
        form,
        lambda: services.delete_driver(session, driver, form.expected_version()),
        reload=lambda _current: DeleteDriverForm(formdata=None, obj=_driver_reloaded(driver_id)),
    )
    if deletion.saved:
        deleted = deletion.result
        message = f"Driver ‘{deleted.title}’ deleted"
        if deleted.ideas_unplaced:
            message += ". Its change ideas are now listed as not yet placed under a driver"
        flash(message, "success")
        return redirect(_package_url(package, "unplaced" if deleted.ideas_unplaced else "diagram"))
    return _package_page("catalogue/delete_driver.html", package, form=deletion.form, driver=driver)


@bp.post("/drivers/<int:driver_id>/move")
@editors_only
def move_driver(driver_id: int):
    """Move a driver one place up or down among its siblings."""
    session = get_session()
    driver = session.get(Driver, driver_id) or abort(404)
    direction = _direction()
    package = driver.package
    _move(lambda: services.move_driver(session, driver, direction), lambda: f"Moved ‘{driver.title}’ {direction}")
    return redirect(_package_url(package, f"driver-{driver_id}"))


# Change ideas


@bp.route("/packages/<code>/ideas/new", methods=["GET", "POST"])
@editors_only
def new_idea(code: str):
    """Add a change idea to a package, under ?driver=<id> or not yet placed."""
    session = get_session()
    package = queries.package_for_edit(session, code) or abort(404)
    form = IdeaForm().offer_drivers(package)
    if request.method == "GET":
        form.driver_id.data = request.args.get("driver", type=int)
    added = Submission(form, lambda: services.create_idea(session, package, form.details()))
    if added.saved:
        flash(f"Change idea {added.result.code} added", "success")
        return redirect(_package_url(package, f"idea-{added.result.code}"))
    return _package_page(
        "catalogue/edit_idea.html",
        package,
        form=form,
        idea=None,
        suggested_code=services.suggest_idea_code(session, package),
    )


@bp.route("/ideas/<code>/edit", methods=["GET", "POST"])
@editors_only
def edit_idea(code: str):
    """Edit a change idea, including which driver of its package it sits under."""
    session = get_session()
    idea = lookups.idea_detail(session, code) or abort(404)
    package = queries.package_for_edit(session, idea.package.code)
    form = IdeaForm(obj=idea).offer_drivers(package)
    edit = Submission(
        form,
        lambda: services.update_idea(session, idea, form.details(), form.expected_version()),
        reload=lambda current: IdeaForm(formdata=None, obj=current).offer_drivers(package),
    )
    if edit.saved:
        flash(f"Change idea {idea.code} saved", "success")
        return redirect(url_for("catalogue.idea", code=idea.code))
    return _package_page("catalogue/edit_idea.html", package, form=edit.form, idea=idea)


@bp.post("/ideas/<code>/move")
@editors_only
def move_idea(code: str):
    """Move a change idea one place up or down among the ideas under the same driver."""
    session = get_session()
    idea = lookups.idea_detail(session, code) or abort(404)
    direction = _direction()
    package = idea.package
    _move(lambda: services.move_idea(session, idea, direction), lambda: f"Moved {code} {direction}")
    return redirect(_package_url(package, f"idea-{code}"))
