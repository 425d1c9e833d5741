"""Jinja set-up: extensions, filters and the navigation for the user's role."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user

from . import access
from .access import rule_for
from .adoption.stale import ago
from .calendar import people_date, people_dates_in, people_datetime, today
from .catalogue.queries import driver_diagram
from .models import Role

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


def navigation_items(app: Flask) -> list[tuple[str, str]]:
    """The menu entries the signed-in user may open."""
    if not current_user.is_authenticated:
        return []
    items = []
    for endpoint, label in NAVIGATION:
        rule = rule_for(app, endpoint)
        if rule is not None and (rule == "public" or current_user.role in rule):
            items.append((endpoint, label))
    return items


def init_templating(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["date"] = people_date
    app.jinja_env.filters["datetime"] = people_datetime
    app.jinja_env.filters["dates_in"] = people_dates_in
    app.jinja_env.filters["ago"] = lambda then: ago(then, today())
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.globals["driver_diagram"] = driver_diagram

    @app.context_processor
    def _navigation():
        return {"navigation_items": lambda: navigation_items(app)}

    # Every "may they?" in a template asks this: `can("edit_catalogue")`, `can("log_adoption", organisation)`.
    app.jinja_env.globals["can"] = lambda ability, subject=None: access.can(current_user, ability, subject)
