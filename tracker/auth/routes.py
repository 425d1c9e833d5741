"""Sign in (the password, then the second factor where there is one), sign out, change password, confirm it is you."""

import functools

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from ..access import password_checked, public, signed_in
from ..db import get_session
from ..editing import Submission
from ..models.accounts import NO_PASSWORD
from . import mfa, oidc_client, oidc_routes, reauth, services, steps, work_account_reauth
from .address_throttle import NetworkPolicy
from .forms import ChangePasswordForm, CodeForm, ConfirmItIsYouForm, SignInForm
from .oidc_settings import passwords_on
from .session import safe_next

bp = Blueprint("auth", __name__)


def _after_sign_in(next_url: str | None = None):
    return redirect(safe_next(next_url or request.args.get("next")) or url_for("main.home"))


def _policy() -> services.ThrottlePolicy:
    return services.ThrottlePolicy.from_config(current_app.config)


PASSWORDS_OFF = "Signing in with a password is switched off on this service."
NO_PASSWORDS = (
    "Passwords are switched off on this service: you sign in with your NHS work account, whose password "
    "your organisation looks after."
)
NO_PASSWORD_OF_YOUR_OWN = (
    "You sign in with your NHS work account and have no password on this service, so there is none to change: "
    "your work account's password is looked after by your organisation."
)


def _sign_in_page(form: SignInForm | None, refusal: str = ""):
    settings = oidc_client.settings()
    return render_template(
        "auth/sign_in.html",
        form=form,
        refusal=refusal,
        work_account=settings if settings.enabled else None,
        next_page=safe_next(request.args.get("next")),
    )


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    """Sign in with a work account (when configured) or by email and password; password attempts are counted
    and slowed per email, client address and subnet. With passwords switched off the form is gone and its
    POST refused."""
    if current_user.is_authenticated:
        return _after_sign_in()
    if not passwords_on(current_app.config):
        if request.method == "POST":
            return _sign_in_page(None, PASSWORDS_OFF), 403
        return _sign_in_page(None)
    form = SignInForm()
    if form.validate_on_submit():
        result = services.sign_in(
            get_session(),
            form.email.data,
            form.password.data,
            _policy(),
            address=request.remote_addr,
            network=NetworkPolicy.from_config(current_app.config),
            needs_second_step=mfa.needs_second_step,
        )
        user = result.user
        if user is not None:
            next_url = safe_next(request.args.get("next"))
            if result.pending and user.mfa_enrolled:
                steps.start(user, steps.CODE, next_url)
                return redirect(url_for("auth.second_step"))
            if result.pending:
                steps.start(user, steps.ENROL, next_url)
                return redirect(url_for("mfa.enrol"))
            session.clear()  # a fresh session: nothing from before sign-in survives it
            login_user(user)
            steps.mark_proved(steps.PASSWORD)
            return _after_sign_in()
        form.form_errors.append(result.error)
        if result.retry_after is not None:
            # Refused before the password was checked: 429, and when to come back.
            return _sign_in_page(form), 429, {"Retry-After": str(result.retry_after)}
    return _sign_in_page(form)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@password_checked
def second_step():
    """The second factor: a code from the authenticator app, or a recovery code."""
    if current_user.is_authenticated:
        return _after_sign_in()
    user, state = steps.pending_user()
    if user is None or not user.mfa_enrolled:
        session.clear()
        flash("Your sign-in took too long or was interrupted. Sign in again.", "info")
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        check = mfa.check_code(get_session(), user, form.code.data, _policy(), completes_sign_in=True)
        if check.ok:
            next_url = steps.finish()
            login_user(user)
            return _after_sign_in(next_url)
        form.code.errors.append(check.error)
    return render_template("auth/second_step.html", form=form, user=user)


@bp.post("/sign-out")
@password_checked
def sign_out():
    """End every session of this user: the token the cookie holds is replaced. Half-way through
    signing in, only this browser's half-finished sign-in ends."""
    if current_user.is_authenticated:
        services.sign_out(get_session(), current_user._get_current_object())
        logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


def _uses_a_password(user) -> bool:
    return passwords_on(current_app.config) and user.password_hash != NO_PASSWORD


@bp.route("/account/confirm", methods=["GET", "POST"])
@signed_in
def reauthenticate():
    """Before a sensitive change: your password again (and a code, with MFA), or a fresh sign-in with your
    work account (the only way for an account without a password); then back where you were."""
    user = current_user._get_current_object()
    with_password = _uses_a_password(user)
    form = ConfirmItIsYouForm() if with_password else None
    if form is not None:
        confirming = Submission(
            form,
            lambda: reauth.confirm_identity(get_session(), user, form.password.data, form.code.data or "", _policy()),
        )
        if confirming.saved:
            steps.mark_proved()
            return _after_sign_in()
    elif request.method == "POST":
        abort(403)  # no password to give: the page offers only the work account
    return render_template(
        "auth/reauthenticate.html",
        form=form,
        user=user,
        work_account=work_account_reauth.possible(oidc_client.settings(), user),
        next_page=safe_next(request.args.get("next")),
        minutes=current_app.config["REAUTH_MINUTES"],
        breadcrumbs=[("Home", url_for("main.home"))],
    )


@bp.get("/account/confirm/work-account")
@signed_in
def reauthenticate_with_work_account():
    """Confirm it is you by signing in at your organisation again (prompt=login, max_age=0); the work
    account's callback checks it is your own, signed in just now, and brings you back to `next`."""
    if not work_account_reauth.possible(oidc_client.settings(), current_user):
        abort(404)
    return oidc_routes.start_confirming(request.args.get("next"))


def _only_with_a_password(view):
    """Explain, before asking anyone to confirm it is them, that an account without a password has none
    to change (passwords switched off, or an account that signs in only with its work account)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if _uses_a_password(current_user):
            return view(*args, **kwargs)
        message = NO_PASSWORDS if not passwords_on(current_app.config) else NO_PASSWORD_OF_YOUR_OWN
        page = render_template("errors/error.html", title="You sign in with your work account", message=message)
        return page, 200 if request.method == "GET" else 403

    return wrapper


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
@_only_with_a_password
@steps.recent_sign_in_required
def change_password():
    """Change your own password; your other sessions end, this one carries on."""
    user = current_user._get_current_object()
    form = ChangePasswordForm(email=user.email, name=user.name)
    change = Submission(
        form,
        lambda: services.change_own_password(
            get_session(), user, form.current_password.data, form.new_password.data, _policy()
        ),
    )
    if change.saved:
        login_user(user)  # this session carries on with the new token
        flash("Your password has been changed. You have been signed out everywhere else.", "success")
        return redirect(url_for("main.home"))
    return render_template(
        "auth/change_password.html",
        form=form,
        breadcrumbs=[("Home", url_for("main.home"))],
    )
