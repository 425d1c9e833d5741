"""Learning links: everyone signed in reads the list, project managers record and maintain links."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..access import editors_only, signed_in
from ..db import get_session
from ..editing import Submission, press
from ..lookups import organisation_by_ods
from ..models import LearningLink, LinkKind, LinkStatus
from ..organisations.queries import find_network, network_choices, organisation_choices
from ..paged import requested_page
from . import queries, services
from .forms import STATUS_LABELS, EditLinkForm, LinkFilterForm, LinkForm, LinkVersionForm

bp = Blueprint("links", __name__)

ODS_CODE = re.compile(r"^[A-Z][A-Z0-9]{2,5}$")
NETWORK_CODE = re.compile(r"^[A-Z]{2,8}$")


def _crumbs():
    return [("Home", url_for("main.home")), ("Learning links", url_for(".links"))]


def _link_or_404(link_id: int) -> LearningLink:
    link = queries.link(get_session(), link_id)
    if link is None:
        abort(404)
    return link


def _link_reloaded(link_id: int) -> LearningLink:
    """The link as now committed (the same object, refreshed), or 404 if it has gone."""
    get_session().expire_all()
    return _link_or_404(link_id)


def _pair(link: LearningLink) -> str:
    return f"{link.source.name} ({link.source.ods_code}) and {link.target.name} ({link.target.ods_code})"


def _list_url(
    organisation: str | None = None,
    status: str | None = None,
    network: str | None = None,
    kind: str | None = None,
    page: str | None = None,
) -> str:
    """The list, keeping the filters and page the editor had (only values that could be filters)."""
    organisation = (organisation or "").strip().upper()
    network = (network or "").strip().upper()
    status, kind, page = (status or "").strip(), (kind or "").strip(), (page or "").strip()
    return url_for(
        ".links",
        network=network if NETWORK_CODE.match(network) else None,
        organisation=organisation if ODS_CODE.match(organisation) else None,
        kind=kind if kind in {k.value for k in LinkKind} else None,
        status=status if status in {s.value for s in LinkStatus} else None,
        page=page if page.isascii() and page.isdigit() and page != "1" else None,
    )


def _list_url_from_form() -> str:
    form = request.form
    return _list_url(
        form.get("organisation"), form.get("status"), form.get("network"), form.get("kind"), form.get("page")
    )


@bp.get("/links")
@signed_in
def links():
    """The learning links, a page at a time, optionally of one network, organisation, kind and status."""
    session = get_session()
    form = LinkFilterForm(request.args, organisations=organisation_choices(session), networks=network_choices(session))
    organisation = network = status = kind = None
    if form.organisation.data:
        organisation = organisation_by_ods(session, form.organisation.data)
        if organisation is None:
            abort(404)
    if form.network.data:
        network = find_network(session, form.network.data)
        if network is None:
            abort(404)
    if form.status.data:
        try:
            status = LinkStatus(form.status.data)
        except ValueError:
            abort(400, "Choose proposed or confirmed links, or both")
    if form.kind.data:
        try:
            kind = LinkKind(form.kind.data)
        except ValueError:
            abort(400, "Choose a kind of link from the list, or every kind")
    chosen = queries.LinkFilter(
        organisation_id=organisation.id if organisation else None,
        network_id=network.id if network else None,
        status=status,
        kind=kind,
    )
    page = requested_page(queries.count(session, chosen))
    rows = queries.links(session, chosen=chosen, offset=page.offset, limit=page.size)
    return render_template(
        "links/links.html",
        form=form,
        links=rows,
        page=page,
        organisation=organisation,
        network=network,
        status=status,
        kind=kind,
        status_labels=STATUS_LABELS,
        LinkStatus=LinkStatus,
        breadcrumbs=[("Home", url_for("main.home"))],
    )


@bp.route("/links/new", methods=["GET", "POST"])
@editors_only
def new_link():
    """Record a learning link between two organisations (?organisation=ODS fills in the first)."""
    session = get_session()
    organisations = organisation_choices(session)
    form = LinkForm(organisations=organisations)
    if request.method == "GET" and request.args.get("organisation"):
        form.source.data = request.args["organisation"].strip().upper()
    added = Submission(form, lambda: services.create_link(session, **form.details()))
    if added.saved:
        link = added.result
        flash(f"The {link.kind.label.lower()} link between {_pair(link)} has been added.", "success")
        return redirect(_list_url(form.source.data))
    return render_template("links/new_link.html", form=form, breadcrumbs=_crumbs())


@bp.route("/links/<int:link_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_link(link_id: int):
    """Change a link's organisations, kind, weight, note and dates."""
    session = get_session()
    link = _link_or_404(link_id)
    organisations = organisation_choices(session)
    if request.method == "GET":
        form = EditLinkForm.from_link(link, organisations)
    else:
        form = EditLinkForm(organisations=organisations)
    edit = Submission(
        form,
        lambda: services.update_link(session, link, **form.details(), expected_version=form.expected_version()),
        reload=lambda current: EditLinkForm.from_link(
            _link_reloaded(link_id) if current else abort(404), organisations
        ),
    )
    if edit.saved:
        flash(f"The {link.kind.label.lower()} link between {_pair(link)} has been saved.", "success")
        return redirect(_list_url(link.source.ods_code))
    return render_template("links/edit_link.html", form=edit.form, link=link, breadcrumbs=_crumbs())


@bp.route("/links/<int:link_id>/delete", methods=["GET", "POST"])
@editors_only
def delete_link(link_id: int):
    """Confirm, then delete a link."""
    session = get_session()
    link = _link_or_404(link_id)
    form = LinkVersionForm(obj=link) if request.method == "GET" else LinkVersionForm()
    kind, pair = link.kind.label.lower(), _pair(link)  # read now: once deleted, the row has no attributes
    deletion = Submission(
        form,
        lambda: services.delete_link(session, link, form.expected_version()),
        reload=lambda current: LinkVersionForm(formdata=None, obj=current and _link_reloaded(link_id)),
    )
    if deletion.saved:
        flash(f"The {kind} link between {pair} has been deleted.", "success")
        return redirect(url_for(".links"))
    if deletion.conflict and deletion.conflict.current is None:
        flash(f"The {kind} link between {pair} had already been deleted.")
        return redirect(url_for(".links"))
    return render_template(
        "links/delete_link.html", form=deletion.form, link=link, status_labels=STATUS_LABELS, breadcrumbs=_crumbs()
    )


@bp.post("/links/<int:link_id>/confirm")
@editors_only
def confirm_link(link_id: int):
    """Confirm a proposed link, so that it counts."""
    link = _link_or_404(link_id)
    form = LinkVersionForm()  # CSRFProtect has checked its token before the view runs
    flash(
        *press(
            lambda: services.confirm_link(get_session(), link, form.expected_version()),
            done=lambda: f"The {link.kind.label.lower()} link between {_pair(link)} is confirmed.",
            conflict="Nothing was changed: someone else changed or deleted this link since you opened the list. "
            "Check it and try again.",
        )
    )
    return redirect(_list_url_from_form())
