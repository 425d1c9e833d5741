"""Who may use which endpoint: every rule lives here, and anything undeclared is denied.

Views declare their rule with one of the decorators below. A before-request hook finds the rule
of the matched endpoint: anonymous users are sent to sign in (pages) or answered 401 (the API);
signed-in users without the role get 403; endpoints with no declared rule get 403 for everyone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from .models import Role

F = TypeVar("F", bound=Callable)

PUBLIC = "public"
ALL_ROLES = frozenset(Role)
EDITORS = frozenset({Role.MANAGER, Role.ADMIN})
LOGGERS = frozenset({Role.FACULTY, Role.MANAGER, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})

# Endpoints that Flask itself adds, which cannot carry an attribute.
_PUBLIC_ENDPOINTS = frozenset({"static"})


def _declare(rule: str | frozenset[Role]) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return decorator


public = _declare(PUBLIC)
signed_in = _declare(ALL_ROLES)
editors_only = _declare(EDITORS)
loggers_only = _declare(LOGGERS)
admins_only = _declare(ADMINS)


def roles(*allowed: Role) -> Callable[[F], F]:
    return _declare(frozenset(allowed))


def rule_for(app: Flask, endpoint: str | None) -> str | frozenset[Role] | None:
    if endpoint is None:
        return None
    if endpoint in _PUBLIC_ENDPOINTS:
        return PUBLIC
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def sees_drafts() -> bool:
    """Whether the user may see draft packages and their ideas; for everyone else they do not exist."""
    return current_user.is_authenticated and current_user.role in EDITORS


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _enforce():
    if request.endpoint is None:
        return None  # no route matched: routing raises 404/405 itself
    rule = rule_for(current_app, request.endpoint)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        if is_api_request():
            abort(401)
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    if rule is None or current_user.role not in rule:
        abort(403)
    return None


def register_access(app: Flask) -> None:
    app.before_request(_enforce)
