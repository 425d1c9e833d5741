"""Sign in with an NHS work account: off to the organisation's sign-in page, and back.

Both routes are public (nobody is signed in yet) and answer 404 while sign-in with a work account is
not configured. The page a refused person sees says why and whom to ask. Each refusal is audited, except
a callback to a browser that started no sign-in (not a person's sign-in, and free for anyone to send).
The same callback brings back a signed-in person who went to confirm it is them (start_confirming):
the provider's address for it is registered once.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from ..access import WORK_ACCOUNT, public
from ..db import get_session
from . import oidc_client, steps, work_account_reauth, work_accounts
from .session import safe_next
from .work_accounts import Refusal

bp = Blueprint("oidc", __name__, url_prefix="/sign-in/oidc")
log = logging.getLogger(__name__)
NEXT_KEY = "oidc_next"
# A signed-in person gone to confirm it is them: when we sent them, and where they were going.
CONFIRM_KEY = "oidc_confirm"

# What a refused person reads: a title, and what to do about it ({contact} is ADMIN_CONTACT).
REFUSAL_PAGES = {
    Refusal.FLOW: (
        "Sign-in did not complete",
        "We could not complete your sign-in with your work account. Go back to the sign-in page and try "
        "again. If it keeps happening, contact {contact}.",
    ),
    Refusal.TENANT: (
        "Your organisation cannot sign in to {service}",
        "You signed in with a work account from an organisation that is not set up to use {service}. "
        "If you think it should be, contact {contact}.",
    ),
    Refusal.UNINVITED: (
        "You do not have an account yet",
        "Nobody has invited {email} to {service}, so we have not signed you in and have kept no account "
        "for you. Ask {contact} to invite {email}, then sign in again.",
    ),
    Refusal.DISABLED: (
        "Your account is disabled",
        "Your account of {service} has been disabled. If you still need it, contact {contact}.",
    ),
    Refusal.OTHER_IDENTITY: (
        "This email address belongs to another work account",
        "The account of {email} is already linked to a different work account, so we have not signed you "
        "in. If your work account has changed, ask {contact} to check your account.",
    ),
}


# What a person whose confirmation was refused reads: a title, and what to do ({contact}: ADMIN_CONTACT).
CONFIRM_REFUSALS = {
    work_account_reauth.Refusal.FLOW: (
        "Confirming it is you did not complete",
        "We could not complete your sign-in with your work account, so we could not confirm it is you. "
        "Try again. If it keeps happening, contact {contact}.",
    ),
    work_account_reauth.Refusal.TENANT: (
        "Your organisation cannot sign in to {service}",
        "You signed in with a work account from an organisation that is not set up to use {service}. "
        "If you think it should be, contact {contact}.",
    ),
    work_account_reauth.Refusal.OTHER_ACCOUNT: (
        "That was a different work account",
        "You signed in with a work account other than the one linked to {email}, so we could not confirm it "
        "is you. Try again, and sign in with your own work account.",
    ),
    work_account_reauth.Refusal.NO_AUTH_TIME: (
        "We could not confirm it is you",
        "Your organisation's sign-in service did not say when you signed in, so we could not confirm it is "
        "you. Contact {contact}: the service must send the time of sign-in (auth_time).",
    ),
    work_account_reauth.Refusal.STALE: (
        "We could not confirm it is you",
        "Your organisation's sign-in page did not ask you to sign in again, so we could not confirm it is "
        "you. Try again. If it keeps happening, contact {contact}.",
    ),
}


def _enabled_or_404():
    if not oidc_client.settings().enabled:
        abort(404)


def _after_sign_in():
    return redirect(safe_next(session.pop(NEXT_KEY, None)) or url_for("main.home"))


def refused_page(refusal: Refusal, email: str = ""):
    title, text = REFUSAL_PAGES[refusal]
    words = {
        "service": current_app.config["SERVICE_NAME"],
        "contact": current_app.config["ADMIN_CONTACT"],
        "email": email or "your email address",
    }
    status = 400 if refusal is Refusal.FLOW else 403
    page = render_template("auth/work_account_refused.html", title=title.format(**words), message=text.format(**words))
    return page, status


def _redirect_uri() -> str:
    return oidc_client.settings().redirect_uri or url_for("oidc.callback", _external=True)


def _confirm_refused(refusal: work_account_reauth.Refusal, next_url: str):
    title, text = CONFIRM_REFUSALS[refusal]
    words = {
        "service": current_app.config["SERVICE_NAME"],
        "contact": current_app.config["ADMIN_CONTACT"],
        "email": current_user.email,
    }
    page = render_template(
        "auth/reauth_refused.html",
        title=title.format(**words),
        message=text.format(**words),
        retry=url_for("auth.reauthenticate", next=next_url) if next_url else url_for("auth.reauthenticate"),
    )
    return page, 400 if refusal is work_account_reauth.Refusal.FLOW else 403


def start_confirming(next_url: str | None):
    """Send the signed-in person to sign in at their organisation afresh; `callback` brings them back."""
    target = safe_next(next_url) or ""
    session[CONFIRM_KEY] = {"at": time.time(), "next": target}
    try:
        return oidc_client.start(_redirect_uri(), fresh=True)
    except oidc_client.SignInProblem as problem:
        session.pop(CONFIRM_KEY, None)
        log.error("confirming it is them with a work account could not start: %s", problem.reason)
        return _confirm_refused(work_account_reauth.Refusal.FLOW, target)


def _confirmed():
    """Back from confirming it is them: the signed-in account's own work account, signed in just now."""
    asked = session.pop(CONFIRM_KEY)
    user = current_user._get_current_object()
    try:
        identity = oidc_client.finish()
    except oidc_client.SignInProblem as problem:
        refused = work_account_reauth.Refusal.FLOW, problem.reason
    else:
        settings = oidc_client.settings()
        asked_at = float(asked.get("at") or time.time())  # our own signed cookie: always set
        refused = work_account_reauth.check(user, identity, asked_at, settings.allowed_tenants)
    if refused is not None:
        work_account_reauth.refuse(get_session(), user, *refused)
        return _confirm_refused(refused[0], asked.get("next", ""))
    steps.mark_proved()
    return redirect(safe_next(asked.get("next")) or url_for("main.home"))


@bp.get("")
@public
def start():
    """Send the person to their organisation's sign-in page (where they come back from to `callback`)."""
    _enabled_or_404()
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    if target := safe_next(request.args.get("next")):
        session[NEXT_KEY] = target
    try:
        return oidc_client.start(_redirect_uri())
    except oidc_client.SignInProblem as problem:
        # An outage, not a person refused: the log has it (an audit row per anonymous request would be noise).
        log.error("work account sign-in could not start: %s", problem.reason)
        return refused_page(Refusal.FLOW)


@bp.get("/callback")
@public
def callback():
    """Back from the provider: check what it says, then sign in the account it names, or refuse."""
    _enabled_or_404()
    if current_user.is_authenticated and isinstance(session.get(CONFIRM_KEY), dict):
        return _confirmed()
    started_here = oidc_client.pending()
    try:
        identity = oidc_client.finish()
    except oidc_client.SignInProblem as problem:
        if started_here:
            work_accounts.refuse(get_session(), Refusal.FLOW, "", problem.reason)
        else:
            # Nobody started a sign-in in this browser: anyone can call this address, and the audit trail
            # is not a log of such noise (each row is kept for ever). The log has it.
            log.warning("work account callback without a sign-in started here: %s", problem.reason)
        return refused_page(Refusal.FLOW)
    result = work_accounts.sign_in(get_session(), identity, oidc_client.settings().allowed_tenants)
    if result.user is None:
        return refused_page(result.refusal, result.email)
    target = session.get(NEXT_KEY)
    session.clear()  # a fresh session: nothing from before sign-in survives it
    session[NEXT_KEY] = target
    login_user(result.user)
    steps.mark_proved(WORK_ACCOUNT)  # the MFA rule is for password sign-ins; the provider has its own
    return _after_sign_in()
