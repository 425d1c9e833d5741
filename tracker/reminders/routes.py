"""Reminders' pages: records that need an update, following ideas and organisations, the account page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import EDITORS, loggers_only, sees_drafts, signed_in
from ..adoption.stale import stale_by_network, stale_records
from ..calendar import today
from ..db import get_session
from ..lookups import idea_detail, organisation_by_ods
from ..organisations.queries import network_rows
from ..paged import requested_page
from . import follows
from .forms import EmailRemindersForm

bp = Blueprint("reminders", __name__)


def _home():
    return ("Home", url_for("main.home"))


@bp.get("/needs-an-update")
@loggers_only
def needs_update():
    """The records not confirmed for STALE_AFTER_DAYS, oldest first, a page at a time, with how many each
    network has: faculty's networks, or every one for managers and admins; ?network=CODE for one of them."""
    session, user = get_session(), current_user
    days = current_app.config["STALE_AFTER_DAYS"]
    everywhere = user.role in EDITORS
    networks = user.networks
    known = network_rows(session) if everywhere else networks
    day = today()
    visible = None if everywhere else [n.id for n in networks]
    counts = stale_by_network(session, day, days, visible)
    chosen = None
    if code := request.args.get("network"):
        chosen = next((n for n in known if n.code == code), None)
        if chosen is None:
            abort(404, f"You look after no network with the code “{code[:20]}”.")
    by_id = {n.id: n for n in known}
    summary = sorted(
        ((by_id.get(c.network_id), c) for c in counts),
        key=lambda pair: (pair[0] is None, pair[0].name if pair[0] else ""),
    )
    total = sum(c.records for c in counts if chosen is None or c.network_id == chosen.id)
    page = requested_page(total)
    rows = stale_records(session, day, days, [chosen.id] if chosen else visible, page.offset, page.size)
    return render_template(
        "reminders/needs_update.html",
        rows=rows,
        page=page,
        summary=summary,
        everywhere_total=sum(c.records for c in counts),
        chosen=chosen,
        days=days,
        everywhere=everywhere,
        networks=networks,
        breadcrumbs=[_home()],
    )


def _back(default: str) -> str:
    """Back to the page the button was on: a path on this site only, else the followed thing's page."""
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


@bp.post("/ideas/<code>/follow")
@signed_in
def follow_idea(code: str):
    """Follow, or stop following, a change idea (CSRFProtect has checked the token)."""
    idea = idea_detail(get_session(), code.upper())
    if idea is None or (not idea.package.is_published and not sees_drafts()):
        abort(404)
    _toggle(idea=idea, name=f"{idea.code} {idea.title}")
    return redirect(_back(url_for("catalogue.idea", code=idea.code)))


@bp.post("/organisations/<ods>/follow")
@signed_in
def follow_organisation(ods: str):
    """Follow, or stop following, an organisation."""
    organisation = organisation_by_ods(get_session(), ods.upper())
    if organisation is None:
        abort(404)
    _toggle(organisation=organisation, name=organisation.name)
    return redirect(_back(url_for("organisations.organisation", ods=organisation.ods_code)))


def _toggle(name: str, **subject) -> None:
    session, user = get_session(), current_user._get_current_object()
    action = request.form.get("action")
    if action == "follow":
        follows.follow(session, user, **subject)
        flash(f"You follow {name}: its changes come in your weekly email digest.", "success")
    elif action == "unfollow":
        follows.unfollow(session, user, **subject)
        flash(f"You no longer follow {name}.", "success")
    else:
        flash("Nothing was changed: say whether to follow or stop following.", "error")


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account():
    """Your account: the weekly email digest on or off, what you follow, and links to password and MFA."""
    session, user = get_session(), current_user._get_current_object()
    form = EmailRemindersForm(data={"email_reminders": "on" if user.email_reminders else "off"})
    if form.validate_on_submit():
        user.email_reminders = form.email_reminders.data == "on"
        session.commit()
        flash(
            "You will get the weekly email digest."
            if user.email_reminders
            else "You will not get the weekly email digest.",
            "success",
        )
        return redirect(url_for(".account"))
    return render_template(
        "reminders/account.html",
        form=form,
        followed=follows.followed_by(session, user.id),
        breadcrumbs=[_home()],
    )


@bp.app_template_global("following")
def following(idea=None, organisation=None) -> bool:
    """Whether the signed-in person follows the idea or organisation: for the follow button on their pages
    (asked here, one statement, so the idea's and organisation's views need not know about follows)."""
    if not current_user.is_authenticated:
        return False
    return follows.is_following(
        get_session(),
        current_user.id,
        idea_id=idea.id if idea is not None else None,
        organisation_id=organisation.id if organisation is not None else None,
    )
