"""The state between the password and the second factor, and how recently the user proved who they are.

Both live in the signed session cookie, so every server process reads them alike. A half-signed-in
browser holds only PENDING (the account's session token, what it still has to do, and when the
password was checked): Flask-Login does not know the user yet, so every page but the MFA steps and
sign-out treats it as not signed in. The session token changes at sign-out, password change and MFA
reset, so those end a half-finished sign-in too.
"""

from __future__ import annotations

import functools
import time
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, request, session, url_for
from sqlalchemy import select

from ..access import HALF_SIGNED_IN, PASSWORD, SIGNED_IN_WITH
from ..db import get_session
from ..models import User
from .session import safe_next

PENDING = HALF_SIGNED_IN
RECENT = "proved_at"
NEW_SECRET = "mfa_new_secret"
CODE, ENROL = "code", "enrol"


def start(user: User, purpose: str, next_url: str | None) -> None:
    """The password was right: remember whom for the second step (a fresh session, as at sign-in)."""
    session.clear()
    session[PENDING] = {"token": user.session_token, "purpose": purpose, "next": next_url or "", "at": time.time()}


def pending() -> dict | None:
    """The half-finished sign-in, if it is still fresh."""
    state = session.get(PENDING)
    if not isinstance(state, dict):
        return None
    if time.time() - state.get("at", 0) > current_app.config["MFA_STEP_MINUTES"] * 60:
        return None
    return state


def pending_user() -> tuple[User | None, dict | None]:
    state = pending()
    if state is None:
        return None, None
    user = get_session().scalar(select(User).where(User.session_token == state["token"], User.active.is_(True)))
    return user, state if user is not None else None


def finish() -> str:
    """Leave the half-signed-in state (the caller signs the user in); where they were going."""
    state = session.get(PENDING) or {}
    session.clear()  # nothing from before full sign-in survives it
    g.pop("csrf_token", None)  # Flask-WTF's token for this request was made from the cleared session
    mark_proved(PASSWORD)
    return state.get("next") or ""


def mark_proved(signed_in_with: str | None = None) -> None:
    """The user just gave their password (and code, if enrolled): sensitive changes are allowed for a while.
    At sign-in, also say how they signed in (tracker.access asks it of administrators and managers)."""
    session[RECENT] = time.time()
    if signed_in_with is not None:
        session[SIGNED_IN_WITH] = signed_in_with


def proved_recently() -> bool:
    at = session.get(RECENT)
    return isinstance(at, int | float) and time.time() - at <= current_app.config["REAUTH_MINUTES"] * 60


def reauthenticate_redirect(next_url: str | None = None):
    flash("For your security, confirm it is you before you continue.", "info")
    return redirect(url_for("auth.reauthenticate", next=next_url or request.full_path.rstrip("?")))


def _form_page() -> str:
    """The page a POST came from (this site's only), for the confirm page to return to."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc and referrer.netloc != request.host:
        return url_for("main.home")
    path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return safe_next(path) or url_for("main.home")


def recent_sign_in_required(view):
    """The view needs the password (and code) given within REAUTH_MINUTES, else the confirm page,
    which returns here. Apply below the access rule's decorator."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not proved_recently():
            # After a POST the confirm page returns to the form, not to the POST's URL with its body lost.
            return reauthenticate_redirect(request.full_path.rstrip("?") if request.method == "GET" else _form_page())
        return view(*args, **kwargs)

    return wrapper
