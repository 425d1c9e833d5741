"""Administrators read the audit trail: every write, sign-in and denied request."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from ..access import admins_only
from ..db import get_session
from ..forms import Form
from ..limits import database_int
from . import queries, sentences

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def _requested(paths: set[str]) -> dict[str, tuple[str, dict]]:
    """The endpoint (and its arguments) each refused request asked for, where the app has one."""
    adapter = current_app.url_map.bind("localhost")
    found = {}
    for path in paths:
        method, _, address = path.partition(" ")
        try:
            found[path] = adapter.match(urlsplit(address).path, method=method)
        except (HTTPException, RoutingException):
            continue
    return found


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form changes nothing

    action = SelectField("Action", validate_choice=False)
    entity = SelectField("What", validate_choice=False)
    actor = StringField("Who (part of an email address)", validators=[Optional(), Length(max=254)])
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])


@bp.get("")
@admins_only
def events():
    """The audit trail, newest first, filtered by action, record type, person and dates."""
    session = get_session()
    form = AuditFilterForm(request.args)
    actions, entities = queries.known_values(session)
    form.action.choices = [SelectChoice("", "Any action")] + [
        SelectChoice(a, sentences.action_label(a)) for a in actions
    ]
    form.entity.choices = [SelectChoice("", "Anything")] + [
        SelectChoice(e, sentences.entity_label(e)) for e in entities
    ]
    valid = form.validate()
    filters = queries.AuditFilters(
        action=form.action.data or None,
        actor=form.actor.data or None,
        entity=form.entity.data or None,
        since=form.since.data if valid else None,
        until=form.until.data if valid else None,
    )
    page = max(1, request.args.get("page", 1, type=database_int) or 1)
    result = queries.audit_page(session, filters, page)
    names = queries.names_for(
        session, result.events, _requested({e.path for e in result.events if e.action == "denied"})
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "audit/events.html",
        form=form,
        result=result,
        entries=[sentences.entry(e, names) for e in result.events],
        previous_url=url_for(".events", page=page - 1, **args) if page > 1 else None,
        next_url=url_for(".events", page=page + 1, **args) if page < result.pages else None,
        breadcrumbs=[("Home", url_for("main.home"))],
    )
