"""Who may do what: every rule lives here, and anything undeclared is denied.

Two kinds of rule. Endpoints: views declare theirs with one of the decorators below; a
before-request hook finds the rule of the matched endpoint: anonymous users are sent to sign in
(pages) or answered 401 (the API); signed-in users without the role get 403; endpoints with no
declared rule get 403 for everyone. Abilities: what a page shows and a service permits within an
endpoint (an edit button, a draft package, the log link of one organisation) is a named ability,
a function of the user (and where needed the object) in ABILITIES. Views and services call the
function; templates ask `can("edit_catalogue")` or `can("log_adoption", organisation)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask_login import current_user, logout_user

from .models import Organisation, Role

F = TypeVar("F", bound=Callable)

PUBLIC = "public"
# The MFA steps and sign-out: signed-in users, and a browser half-way through signing in (password
# checked, second factor not yet); the view itself checks which it is.
PASSWORD_CHECKED = "password checked"
# The session key of a half-finished sign-in (tracker.auth.steps keeps it).
HALF_SIGNED_IN = "mfa_pending"
ALL_ROLES = frozenset(Role)
EDITORS = frozenset({Role.MANAGER, Role.ADMIN})
LOGGERS = frozenset({Role.FACULTY, Role.MANAGER, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
# Roles that must prove a second factor when they sign in with a password (tracker.auth.mfa).
MFA_REQUIRED = frozenset({Role.MANAGER, Role.ADMIN})
# The session key saying how the browser signed in: "password" (tracker.auth.routes), or what another
# sign-in sets (an identity provider proves its own factors). A session without it predates the key.
SIGNED_IN_WITH = "signed_in_with"
PASSWORD = "password"
WORK_ACCOUNT = "work_account"  # OpenID Connect: the provider asks for its own second factor

# Endpoints that Flask itself adds, which cannot carry an attribute.
_PUBLIC_ENDPOINTS = frozenset({"static"})


def _declare(rule: str | frozenset[Role]) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return decorator


public = _declare(PUBLIC)
password_checked = _declare(PASSWORD_CHECKED)
signed_in = _declare(ALL_ROLES)
editors_only = _declare(EDITORS)
loggers_only = _declare(LOGGERS)
admins_only = _declare(ADMINS)
# Recommendations of whom to engage name organisations to target: for those who engage them (faculty)
# and run the programme (managers, administrators), never for trust staff.
RECOMMENDERS = frozenset({Role.FACULTY, Role.MANAGER, Role.ADMIN})
recommenders_only = _declare(RECOMMENDERS)


def rule_for(app: Flask, endpoint: str | None) -> str | frozenset[Role] | None:
    if endpoint is None:
        return None
    if endpoint in _PUBLIC_ENDPOINTS:
        return PUBLIC
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def _role(user) -> Role | None:
    return user.role if user is not None and user.is_authenticated else None


def viewer_key(user) -> tuple:
    """Everything of a user that the rules and abilities read: two users with the same key may see and do
    the same, so a page rendered for one may be served to the other (tracker.page_cache). Trust staff's
    rules read their organisation, faculty's their networks (may_log_adoption, may_record_values, My work);
    managers' and administrators' read neither, so they share one copy of each page."""
    role = _role(user)
    if role is None:
        return ()
    if role is Role.TRUST:
        return (role, user.organisation_id)
    if role is Role.FACULTY:
        return (role, user.network_ids)
    return (role,)


def may_see_drafts(user) -> bool:
    """Draft packages and their ideas: for everyone else they do not exist."""
    return _role(user) in EDITORS


def may_edit_catalogue(user) -> bool:
    """Add and change ambitions' packages, drivers and change ideas."""
    return _role(user) in EDITORS


def may_edit_targets(user) -> bool:
    """Add and change an ambition's dated targets (not the published ones, which nobody changes in the app)."""
    return _role(user) in EDITORS


def may_edit_organisations(user) -> bool:
    """Add, change, close and reopen organisations and networks."""
    return _role(user) in EDITORS


def may_edit_links(user) -> bool:
    """Add, change, confirm and delete learning links."""
    return _role(user) in EDITORS


def may_import_records(user) -> bool:
    """Import adoption records from a spreadsheet (the page and the command line)."""
    return _role(user) in EDITORS


def may_log_adoption(user, organisation: Organisation | None = None) -> bool:
    """Managers and administrators anywhere; faculty only in the networks assigned to them.

    A faculty member with no networks logs nowhere (deny by default): an administrator ticks every
    network in the account form to let someone log everywhere. Without an organisation: whether
    the user may log for any organisation at all.
    """
    role = _role(user)
    if role in EDITORS:
        return True
    if role is not Role.FACULTY:
        return False
    if organisation is None:
        return bool(user.network_ids)
    return organisation.network_id in user.network_ids


def may_edit_measures(user) -> bool:
    """Add and change measures (name, unit, direction, target...) and mark or remove chart rebases."""
    return _role(user) in EDITORS


def may_record_values(user, organisation: Organisation | None = None) -> bool:
    """Record monthly measure values and list wards: managers and administrators anywhere, faculty
    in their networks (as for logging adoption), trust staff for their own organisation only.
    Without an organisation: whether the user may record for any organisation at all."""
    role = _role(user)
    if role is Role.TRUST:
        return organisation is None or organisation.id == user.organisation_id
    return may_log_adoption(user, organisation)


def may_see_recommendations(user) -> bool:
    """Whom to engage next (the API and the pages): faculty, managers and administrators."""
    return _role(user) in RECOMMENDERS


ABILITIES: dict[str, Callable[..., bool]] = {
    "see_drafts": may_see_drafts,
    "edit_catalogue": may_edit_catalogue,
    "edit_targets": may_edit_targets,
    "edit_organisations": may_edit_organisations,
    "edit_links": may_edit_links,
    "import_records": may_import_records,
    "log_adoption": may_log_adoption,
    "edit_measures": may_edit_measures,
    "record_values": may_record_values,
    "see_recommendations": may_see_recommendations,
}


def can(user, ability: str, subject=None) -> bool:
    """Whether the user has the named ability (on subject, for the abilities that take one).

    An unknown name is a KeyError, never a silent no: a typo in a template fails its tests.
    """
    rule = ABILITIES[ability]
    return rule(user) if subject is None else rule(user, subject)


def sees_drafts() -> bool:
    """Whether the signed-in user may see draft packages (may_see_drafts of the current user)."""
    return may_see_drafts(current_user)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _enforce():
    if request.endpoint is None:
        return None  # no route matched: routing raises 404/405 itself
    rule = rule_for(current_app, request.endpoint)
    if rule == PUBLIC:
        return None
    if rule == PASSWORD_CHECKED and not current_user.is_authenticated and HALF_SIGNED_IN in session:
        return None
    if not current_user.is_authenticated:
        if is_api_request():
            abort(401)
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    if _signed_in_without_required_mfa():
        # A session from before MFA was required of this account (or its role): sign in again, and enrol.
        logout_user()
        session.clear()
        if is_api_request():
            abort(401)
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    if rule == PASSWORD_CHECKED:
        return None
    if rule is None or current_user.role not in rule:
        abort(403)
    return None


def _signed_in_without_required_mfa() -> bool:
    """A browser session of an administrator or manager who signed in with a password and has no MFA
    (an API token is another credential, and an identity provider checks its own factors)."""
    if g.get("signed_in_by_token", False) or session.get(SIGNED_IN_WITH, PASSWORD) != PASSWORD:
        return False
    return current_user.role in MFA_REQUIRED and not current_user.mfa_enrolled


def register_access(app: Flask) -> None:
    app.before_request(_enforce)
