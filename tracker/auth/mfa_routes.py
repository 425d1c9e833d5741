"""Your MFA: what is set up, setting up an authenticator app (the QR code drawn on the server), the recovery
codes shown once, and turning MFA off where your role allows it."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from ..access import password_checked, signed_in
from ..db import get_session
from ..editing import InvalidInput, Submission
from . import mfa, steps, totp
from .forms import CodeForm, ConfirmForm
from .session import safe_next

bp = Blueprint("mfa", __name__, url_prefix="/account/mfa")


@bp.get("")
@signed_in
def manage():
    """Whether MFA is set up, how many recovery codes are left, and what you can do."""
    user = current_user._get_current_object()
    return render_template(
        "auth/mfa.html",
        user=user,
        required=mfa.required(user),
        codes_left=mfa.recovery_codes_left(get_session(), user) if user.mfa_enrolled else 0,
        form=ConfirmForm(),
        breadcrumbs=[("Home", url_for("main.home"))],
    )


def _who_enrols():
    """The account setting up MFA: the signed-in user, or one half-way through signing in who must enrol."""
    if current_user.is_authenticated:
        return current_user._get_current_object(), False
    user, state = steps.pending_user()
    if user is None or state["purpose"] != steps.ENROL or not mfa.must_enrol(user):
        return None, False
    return user, True


@bp.route("/set-up", methods=["GET", "POST"])
@password_checked
def enrol():
    """Scan the QR code (or type the secret), confirm with a code; then the recovery codes, once."""
    user, signing_in = _who_enrols()
    if user is None and (steps.pending() or {}).get("purpose") == steps.CODE:
        return redirect(url_for("auth.second_step"))  # MFA is set up: the code, not a new app
    if user is None:
        session.clear()
        flash("Your sign-in took too long or was interrupted. Sign in again.", "info")
        return redirect(url_for("auth.sign_in"))
    if not signing_in and not steps.proved_recently():
        return steps.reauthenticate_redirect(url_for("mfa.enrol"))
    # The new secret waits in the signed session until a code confirms it: nothing is stored before.
    secret = session.get(steps.NEW_SECRET) or totp.new_secret()
    session[steps.NEW_SECRET] = secret
    form = CodeForm()
    enrolling = Submission(
        form, lambda: mfa.enrol(get_session(), user, secret, form.code.data, completes_sign_in=signing_in)
    )
    if enrolling.saved:
        session.pop(steps.NEW_SECRET, None)
        next_url = ""
        if signing_in:
            next_url = steps.finish()
            login_user(user)
        response = Response(
            render_template(
                "auth/recovery_codes.html",
                codes=enrolling.result,
                next_url=safe_next(next_url) or url_for("main.home"),
                form=ConfirmForm(),
            )
        )
        response.headers["Cache-Control"] = "no-store"  # shown once: never kept by the browser or a proxy
        return response
    uri = totp.provisioning_uri(secret, user.email, current_app.config["SERVICE_NAME"])
    return render_template(
        "auth/enrol.html",
        form=form,
        user=user,
        signing_in=signing_in,
        qr=totp.qr_svg(uri, f"QR code to add {current_app.config['SERVICE_NAME']} to your authenticator app"),
        secret=totp.grouped(secret),
        breadcrumbs=[] if signing_in else [("Home", url_for("main.home")), ("MFA", url_for("mfa.manage"))],
    )


@bp.post("/recovery-codes.txt")
@signed_in
def recovery_codes_file():
    """The recovery codes just shown, sent back as a file to keep: they are not stored in a readable form,
    so the page posts them here (only well-formed codes are echoed)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    codes = [c for c in request.form.getlist("code")[: totp.RECOVERY_CODES] if totp.looks_like_recovery_code(c)]
    if not codes:
        abort(400)
    service = current_app.config["SERVICE_NAME"]
    text = (
        f"{service} recovery codes for {current_user.email}\n"
        "Each code works once, instead of a code from your authenticator app.\n\n" + "\n".join(codes) + "\n"
    )
    response = Response(text, mimetype="text/plain")
    response.headers["Content-Disposition"] = 'attachment; filename="recovery-codes.txt"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/remove")
@signed_in
@steps.recent_sign_in_required
def remove():
    """Turn MFA off (trust staff and faculty only)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        mfa.remove_own(get_session(), current_user._get_current_object())
    except InvalidInput as refusal:
        flash(next(iter(refusal.errors.values())), "message")
    else:
        flash("MFA is off. You will sign in with your password alone.", "success")
    return redirect(url_for("mfa.manage"))
