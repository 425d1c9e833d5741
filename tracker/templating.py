"""Jinja set-up: extensions, filters and the navigation for the user's role."""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

from . import access
from .access import rule_for
from .adoption.stale import ago
from .calendar import people_date, people_dates_in, people_datetime, today
from .catalogue.queries import driver_diagram
from .models import Role
from .paged import page_url

NAVIGATION = [
    ("main.home", "Home"),
    ("reports.coverage", "Coverage"),
    ("forecast.forecast", "Forecast"),
    ("maps.spread_map", "Spread map"),
    ("catalogue.ambitions", "Change packages"),
    ("measures.measures", "Measures"),
    ("organisations.networks", "Networks"),
    ("organisations.organisations", "Organisations"),
    ("links.links", "Learning links"),
    ("reminders.needs_update", "Needs an update"),
    ("spreadsheets.export", "Spreadsheets"),
    ("admin.users", "Accounts"),
    ("audit.events", "Audit log"),
]
_MENUS_KEY = "tracker.navigation"


def navigation_items(app: Flask) -> tuple[tuple[str, str], ...]:
    """The menu entries the signed-in user may open: worked out once per role (the rules are fixed when the
    app is made), as every signed-in page draws the menu."""
    if not current_user.is_authenticated:
        return ()
    menus = app.extensions.setdefault(_MENUS_KEY, {})
    role = current_user.role
    if role not in menus:
        menus[role] = tuple(
            (endpoint, label)
            for endpoint, label in NAVIGATION
            if (rule := rule_for(app, endpoint)) is not None and (rule == "public" or role in rule)
        )
    return menus[role]


# How many addresses an app remembers (each is a few dozen bytes; pages link to a bounded set of them).
URLS_REMEMBERED = 4096


def remembering_url_for(app: Flask):
    """Templates' url_for, remembering the addresses it builds from an endpoint and text values.

    Every page links the same dozens of addresses (the menu, the assets, the footer), and Werkzeug builds
    each afresh. Within a request a built address depends only on the endpoint, the values and the path the
    app is mounted at (a proxy's prefix): those are the key. Anything else (no request, a relative or
    "_external" endpoint, values that are not text, a SERVER_NAME that makes addresses absolute) is built
    as Flask builds it.
    """
    built: dict[tuple, str] = {}
    build = app.url_for

    def rememberable(endpoint: str, values: dict) -> bool:
        return (
            endpoint[:1] != "."
            and not app.config["SERVER_NAME"]
            and all(key[:1] != "_" and type(value) is str for key, value in values.items())
            and len(built) < URLS_REMEMBERED
        )

    def url_for(endpoint: str, **values) -> str:
        try:
            key = (request.script_root, endpoint, *values.items())
            url = built.get(key)  # only rememberable keys are ever kept
        except (RuntimeError, TypeError):  # outside a request, or a value that cannot be a key (a list)
            return build(endpoint, **values)
        if url is None:
            url = build(endpoint, **values)
            if rememberable(endpoint, values):
                built[key] = url
        return url

    return url_for


def init_templating(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["date"] = people_date
    app.jinja_env.filters["datetime"] = people_datetime
    app.jinja_env.filters["dates_in"] = people_dates_in
    app.jinja_env.filters["ago"] = lambda then: ago(then, today())
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.globals["driver_diagram"] = driver_diagram
    app.jinja_env.globals["url_for"] = remembering_url_for(app)
    app.jinja_env.globals["page_url"] = page_url

    @app.context_processor
    def _navigation():
        return {"navigation_items": lambda: navigation_items(app)}

    # Every "may they?" in a template asks this: `can("edit_catalogue")`, `can("log_adoption", organisation)`.
    app.jinja_env.globals["can"] = lambda ability, subject=None: access.can(current_user, ability, subject)
