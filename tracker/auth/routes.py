"""Sign in, sign out, change password."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from ..access import public, signed_in
from ..db import get_session
from ..editing import Submission
from . import oidc_client, services
from .address_throttle import NetworkPolicy
from .forms import ChangePasswordForm, SignInForm
from .oidc_settings import passwords_on
from .session import safe_next

bp = Blueprint("auth", __name__)


def _after_sign_in():
    return redirect(safe_next(request.args.get("next")) or url_for("main.home"))


PASSWORDS_OFF = "Signing in with a password is switched off on this service."
NO_PASSWORDS = (
    "Passwords are switched off on this service: you sign in with your NHS work account, whose password "
    "your organisation looks after."
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
            services.ThrottlePolicy.from_config(current_app.config),
            address=request.remote_addr,
            network=NetworkPolicy.from_config(current_app.config),
        )
        if result.user is not None:
            session.clear()  # a fresh session: nothing from before sign-in survives it
            login_user(result.user)
            return _after_sign_in()
        form.form_errors.append(result.error)
        if result.retry_after is not None:
            # Refused before the password was checked: 429, and when to come back.
            return _sign_in_page(form), 429, {"Retry-After": str(result.retry_after)}
    return _sign_in_page(form)


@bp.post("/sign-out")
@signed_in
def sign_out():
    """End every session of this user: the token the cookie holds is replaced."""
    services.sign_out(get_session(), current_user._get_current_object())
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    """Change your own password; your other sessions end, this one carries on."""
    if not passwords_on(current_app.config):
        page = render_template("errors/error.html", title="You sign in with your work account", message=NO_PASSWORDS)
        return page, 200 if request.method == "GET" else 403
    user = current_user._get_current_object()
    form = ChangePasswordForm(email=user.email, name=user.name)
    change = Submission(
        form,
        lambda: services.change_own_password(
            get_session(),
            user,
            form.current_password.data,
            form.new_password.data,
            services.ThrottlePolicy.from_config(current_app.config),
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
