"""Spread Tracker: adoption and spread of mental-health patient-safety change ideas."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as defaults
from .envconfig import ConfigError, from_environment, settings_from

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
WEAK_SECRETS = frozenset({"dev", "secret", "changeme", "change-me"})


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, template_folder=str(TEMPLATES))
    load_config(app, test_config)
    trust_proxies(app)
    register_extensions(app)
    register_templates(app)
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    return app


def load_config(app: Flask, test_config: dict | None) -> None:
    """Defaults, then instance/config.py, then the environment, then the test's own settings.

    A bad value in the environment (a word where a number belongs) stops start-up with ConfigError.
    """
    app.config.from_object(defaults)
    app.config.from_pyfile("config.py", silent=True)
    from_env = from_environment(settings_from(defaults), os.environ)
    app.config.update(from_env)
    test_config = test_config or {}
    app.config.update(test_config)
    explicit = "SESSION_COOKIE_SECURE" in from_env or "SESSION_COOKIE_SECURE" in test_config
    if (app.debug or app.testing) and not explicit:
        app.config["SESSION_COOKIE_SECURE"] = False  # plain http on loopback
    check_secret_key(app)


PROXY_HEADERS = ("for", "proto", "host", "port", "prefix")


def trust_proxies(app: Flask) -> None:
    """Read X-Forwarded-* from as many proxies as TRACKER_PROXY_* say (none by default)."""
    counts = {header: app.config[f"TRACKER_PROXY_{header.upper()}"] for header in PROXY_HEADERS}
    for header, count in counts.items():
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ConfigError(f"TRACKER_PROXY_{header.upper()} must be a whole number of proxies, not {count!r}")
    if any(counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **{f"x_{header}": count for header, count in counts.items()})


def check_secret_key(app: Flask) -> None:
    key = app.config.get("SECRET_KEY") or ""
    if app.debug or app.testing:
        if not key:
            raise RuntimeError("Set SECRET_KEY (make run writes one into instance/config.py)")
        return
    if len(key) < 32 or key.lower() in WEAK_SECRETS:
        raise RuntimeError(
            "Refusing to start: SECRET_KEY must be a random string of at least 32 characters "
            "(set it in the environment or instance/config.py)"
        )


def register_extensions(app: Flask) -> None:
    from . import audit_trail, db
    from .access import register_access
    from .auth.oidc_client import init_oidc
    from .auth.session import init_login
    from .extensions import csrf
    from .request_id import init_request_id
    from .security import register_input_checks

    os.makedirs(app.instance_path, exist_ok=True)
    init_request_id(app)  # first: every later hook, and every error page, has the request's reference
    db.init_app(app)
    audit_trail.init_app(app)
    register_input_checks(app)
    init_login(app)
    init_oidc(app)
    # Access rules run before the CSRF check, so a forbidden POST is a 403 whatever its token.
    register_access(app)
    csrf.init_app(app)


def register_templates(app: Flask) -> None:
    from .templating import init_templating

    init_templating(app)


def register_blueprints(app: Flask) -> None:
    from .admin.routes import bp as admin_bp
    from .admin.token_routes import bp as admin_tokens_bp
    from .adoption.routes import bp as adoption_bp
    from .api.routes import bp as api_bp
    from .audit.routes import bp as audit_bp
    from .auth.mfa_routes import bp as mfa_bp
    from .auth.oidc_routes import bp as oidc_bp
    from .auth.routes import bp as auth_bp
    from .catalogue.routes import bp as catalogue_bp
    from .catalogue.target_routes import bp as targets_bp
    from .catalogue.version_routes import bp as versions_bp
    from .feeds.routes import bp as feeds_bp
    from .forecast.routes import bp as forecast_bp
    from .forecast.what_if_routes import bp as what_if_bp
    from .health import bp as health_bp
    from .leads.routes import bp as leads_bp
    from .limits import DatabaseIntConverter
    from .links.routes import bp as links_bp
    from .main.routes import bp as main_bp
    from .maps.routes import bp as maps_bp
    from .measures.routes import bp as measures_bp
    from .organisations.routes import bp as organisations_bp
    from .reminders.routes import bp as reminders_bp
    from .reports.routes import bp as reports_bp
    from .security import register_security_headers
    from .spreadsheets.routes import bp as spreadsheets_bp

    # Before any route is added: every <int:…> in a URL is bounded to what the database holds.
    app.url_map.converters["int"] = DatabaseIntConverter
    for bp in (
        main_bp,
        auth_bp,
        oidc_bp,
        mfa_bp,
        catalogue_bp,
        targets_bp,
        versions_bp,
        organisations_bp,
        links_bp,
        adoption_bp,
        leads_bp,
        admin_bp,
        admin_tokens_bp,
        audit_bp,
        api_bp,
        spreadsheets_bp,
        feeds_bp,
        reports_bp,
        maps_bp,
        forecast_bp,
        measures_bp,
        what_if_bp,
        reminders_bp,
        health_bp,
    ):
        app.register_blueprint(bp)
    register_security_headers(app)


def register_errors(app: Flask) -> None:
    from .errors import register_errors as register
    from .outage import register_outage

    register(app)
    register_outage(app)  # the database down: 503, not 500


def register_cli(app: Flask) -> None:
    """`flask --app tracker …`: each area that has commands registers them from its own cli module."""
    from . import backup, migrate, prune_cli
    from .admin import cli as users
    from .measures import cli as measures
    from .reminders import cli as reminders
    from .seed import cli as seed
    from .spreadsheets import cli as spreadsheets
    from .synth import cli as synth

    migrate.register(app)  # db …
    backup.register(app)  # backup, restore
    seed.register(app)  # seed
    synth.register(app)  # synth
    users.register(app)  # users …
    spreadsheets.register(app)  # adoption import
    measures.register(app)  # measures import
    prune_cli.register(app)  # prune
    reminders.register(app)  # reminders send
