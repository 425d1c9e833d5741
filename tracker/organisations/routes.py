"""Networks and organisations: everyone signed in browses them, project managers maintain them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from .. import lookups
from ..access import editors_only, signed_in
from ..adoption import queries as adoption_queries
from ..calendar import today
from ..db import get_session
from ..editing import Submission, press
from ..leads import queries as lead_queries
from ..models import Stage
from ..paged import requested_page
from . import dates, queries, services
from .forms import (
    CloseOrganisationForm,
    EditNetworkForm,
    EditOrganisationForm,
    NetworkForm,
    OrganisationFilterForm,
    OrganisationForm,
    ReopenOrganisationForm,
)

bp = Blueprint("organisations", __name__)

# The networks page lists a network's organisations up to this many; a larger network's are on its own page.
LISTED_UP_TO = 30


def _home():
    return ("Home", url_for("main.home"))


def _networks_crumbs():
    return [_home(), ("Networks", url_for(".networks"))]


def _organisations_crumbs():
    return [_home(), ("Organisations", url_for(".organisations"))]


def _organisation_crumbs(organisation):
    return [
        *_organisations_crumbs(),
        (organisation.name, url_for(".organisation", ods=organisation.ods_code)),
    ]


def _in_capitals(endpoint: str, name: str, code: str):
    """The permanent redirect to a code's address in capitals (its one address); None if already there."""
    if code != code.upper():
        return redirect(url_for(endpoint, **{name: code.upper()}), code=301)
    return None


def _network_or_404(code: str):
    network = queries.network_by_code(get_session(), code.upper())
    if network is None:
        abort(404)
    return network


def _organisation_or_404(ods: str):
    organisation = lookups.organisation_by_ods(get_session(), ods.upper(), related=True)
    if organisation is None:
        abort(404)
    return organisation


def _still_there(current):
    """The row as now committed (the one the view holds, refreshed), or 404 if it was deleted."""
    if current is None:
        abort(404)  # deleted while the editor had it open
    return current


# Browsing --------------------------------------------------------------------------------------


@bp.get("/networks")
@signed_in
def networks():
    """The networks, each with its organisations (listed when a network has few, else counted)."""
    return render_template(
        "organisations/networks.html",
        networks=queries.networks_overview(get_session()),
        listed_up_to=LISTED_UP_TO,
        today=today(),
        breadcrumbs=[_home()],
    )


@bp.get("/networks/<code>")
@signed_in
def network(code: str):
    """One network: its names, region and organisations."""
    if moved := _in_capitals(".network", "code", code):
        return moved
    network = _network_or_404(code)
    page = requested_page(len(network.organisations))
    return render_template(
        "organisations/network.html",
        network=network,
        organisations=page.rows(network.organisations),
        page=page,
        today=today(),
        breadcrumbs=_networks_crumbs(),
    )


@bp.get("/organisations")
@signed_in
def organisations():
    """Every organisation, a page at a time, optionally of one network; closed ones only when asked for."""
    session = get_session()
    form = OrganisationFilterForm(request.args, networks=queries.network_choices(session))
    network = queries.find_network(session, form.network.data) if form.network.data else None
    if form.network.data and network is None:
        abort(404)
    day = today()
    rows = queries.organisations_list(session, network)
    shown = [o for o in rows if form.closed.data or not dates.has_closed(o, day)]
    page = requested_page(len(shown))
    return render_template(
        "organisations/organisations.html",
        form=form,
        network=network,
        organisations=page.rows(shown),
        page=page,
        hidden_closed=len(rows) - len(shown),
        today=day,
        breadcrumbs=[_home()],
    )


@bp.get("/organisations/<ods>")
@signed_in
def organisation(ods: str):
    """One organisation: what it is, where, when it was open, and what came before and after it."""
    if moved := _in_capitals(".organisation", "ods", ods):
        return moved
    organisation = _organisation_or_404(ods)
    return render_template(
        "organisations/organisation.html",
        organisation=organisation,
        stage_counts=adoption_queries.stage_counts(get_session(), organisation),
        qi_lead=lead_queries.organisation_contact(get_session(), organisation),
        Stage=Stage,
        today=today(),
        breadcrumbs=_organisations_crumbs(),
    )


# Maintaining organisations ---------------------------------------------------------------------


@bp.route("/organisations/new", methods=["GET", "POST"])
@editors_only
def new_organisation():
    """Add an organisation by its ODS code."""
    session = get_session()
    form = OrganisationForm(networks=queries.network_choices(session))
    added = Submission(form, lambda: services.create_organisation(session, form.ods_code.data, form.details()))
    if added.saved:
        organisation = added.result
        flash(f"{organisation.name} ({organisation.ods_code}) has been added.", "success")
        return redirect(url_for(".organisation", ods=organisation.ods_code))
    return render_template("organisations/new_organisation.html", form=form, breadcrumbs=_organisations_crumbs())


@bp.route("/organisations/<ods>/edit", methods=["GET", "POST"])
@editors_only
def edit_organisation(ods: str):
    """Change an organisation's details (not its ODS code, nor its closure)."""
    session = get_session()
    organisation = _organisation_or_404(ods)
    networks = queries.network_choices(session)
    return _change_dates(
        organisation,
        "organisations/edit_organisation.html",
        filled=lambda row: EditOrganisationForm.from_organisation(row, networks),
        blank=lambda: EditOrganisationForm(networks=networks),
        save=lambda form: services.update_organisation(
            session, organisation, form.details(), form.expected_version(), form.confirmed_leave_out()
        ),
        done=lambda: f"The details of {organisation.name} ({organisation.ods_code}) have been saved.",
    )


@bp.route("/organisations/<ods>/close", methods=["GET", "POST"])
@editors_only
def close_organisation(ods: str):
    """Record the date an organisation closed and which organisation took over its services."""
    session = get_session()
    organisation = _organisation_or_404(ods)
    successors = queries.organisation_choices(session, excluding=organisation)
    return _change_dates(
        organisation,
        "organisations/close_organisation.html",
        filled=lambda row: CloseOrganisationForm.from_organisation(row, successors),
        blank=lambda: CloseOrganisationForm(successors=successors),
        save=lambda form: services.close_organisation(
            session,
            organisation,
            form.closed_on.data,
            form.successor.data,
            form.expected_version(),
            leave_out=form.confirmed_leave_out(),
        ),
        done=lambda: f"{organisation.name} ({organisation.ods_code}) is recorded as closed.",
    )


def _change_dates(organisation, template: str, filled, blank, save, done):
    """An edit that may move an organisation's dates: a page that asks before leaving out events they drop.

    filled(row) is the form showing the row, blank() the form to read a post into, save(form) the
    service, done() the message once saved.
    """
    form = filled(organisation) if request.method == "GET" else blank()
    edit = Submission(form, lambda: save(form), reload=lambda current: filled(_still_there(current)))
    if edit.saved:
        flash(done(), "success")
        return redirect(url_for(".organisation", ods=organisation.ods_code))
    left_out = None
    if isinstance(edit.refusal, services.LeavesOutEvents):
        edit.form.ask_to_leave_out(left_out := edit.refusal.left_out)
    return render_template(
        template,
        form=edit.form,
        organisation=organisation,
        left_out=left_out,
        breadcrumbs=_organisation_crumbs(organisation),
    )


@bp.post("/organisations/<ods>/reopen")
@editors_only
def reopen_organisation(ods: str):
    """Record a closed organisation as open again (undoing a closure recorded by mistake)."""
    organisation = _organisation_or_404(ods)
    form = ReopenOrganisationForm()  # CSRFProtect has checked its token before the view runs
    flash(
        *press(
            lambda: services.reopen_organisation(get_session(), organisation, form.expected_version()),
            done=lambda: f"{organisation.name} ({organisation.ods_code}) is recorded as open.",
            conflict="Nothing was changed: someone else changed this organisation since you opened it. "
            "Check it and try again.",
        )
    )
    return redirect(url_for(".organisation", ods=organisation.ods_code))


# Maintaining networks --------------------------------------------------------------------------


@bp.route("/networks/new", methods=["GET", "POST"])
@editors_only
def new_network():
    """Add a network."""
    form = NetworkForm()
    added = Submission(form, lambda: services.create_network(get_session(), form.code.data, form.details()))
    if added.saved:
        network = added.result
        flash(f"{network.name} ({network.code}) has been added.", "success")
        return redirect(url_for(".network", code=network.code))
    return render_template("organisations/new_network.html", form=form, breadcrumbs=_networks_crumbs())


@bp.route("/networks/<code>/edit", methods=["GET", "POST"])
@editors_only
def edit_network(code: str):
    """Change a network's names, region and links (not its code)."""
    network = _network_or_404(code)
    form = EditNetworkForm.from_network(network) if request.method == "GET" else EditNetworkForm()
    edit = Submission(
        form,
        lambda: services.update_network(get_session(), network, form.details(), form.expected_version()),
        reload=lambda current: EditNetworkForm.from_network(_still_there(current)),
    )
    if edit.saved:
        flash(f"The details of {network.name} ({network.code}) have been saved.", "success")
        return redirect(url_for(".network", code=network.code))
    crumbs = [*_networks_crumbs(), (network.name, url_for(".network", code=network.code))]
    return render_template("organisations/edit_network.html", form=edit.form, network=network, breadcrumbs=crumbs)
