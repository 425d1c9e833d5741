"""Administrators manage accounts: list them, create them, change roles and scope, set passwords."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user

from ..access import admins_only
from ..auth import mfa, steps, tokens
from ..auth.forms import ConfirmForm
from ..auth.oidc_client import settings as work_account_settings
from ..auth.oidc_settings import passwords_on
from ..db import get_session
from ..editing import Submission
from ..models import Role, User, utcnow
from ..organisations.queries import network_choices, organisation_choices
from . import services
from .forms import EditAccountForm, InviteForm, InviteOrPasswordForm, NewAccountForm, SetPasswordForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _breadcrumbs(*more: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Home", url_for("main.home")), *more]


def _accounts_crumbs() -> list[tuple[str, str]]:
    return _breadcrumbs(("Accounts", url_for("admin.users")))


def _user_or_404(user_id: int) -> User:
    user = services.get_user(get_session(), user_id)
    if user is None:
        abort(404)
    return user


def _with_choices(form):
    session = get_session()
    form.set_choices(organisation_choices(session), network_choices(session))
    return form


def _edit_form_data(user: User) -> dict:
    return {
        "name": user.name,
        "role": user.role.value,
        "organisation": user.organisation.ods_code if user.organisation else "",
        "networks": [n.code for n in user.networks],
        "active": user.active,
        "row_version": user.row_version,
    }


@bp.get("/users")
@admins_only
def users():
    """Every account, or those of the role chosen in ?role=."""
    try:
        role = Role(request.args.get("role", ""))
    except ValueError:
        role = None  # no filter, or one we do not know: show everyone
    accounts = services.list_users(get_session(), role)
    return render_template("admin/users.html", users=accounts, role=role, breadcrumbs=_breadcrumbs())


def _new_account_form() -> NewAccountForm:
    """A first password when only passwords sign in; optional beside work accounts; none without passwords."""
    if not passwords_on(current_app.config):
        return InviteForm()
    return InviteOrPasswordForm() if work_account_settings().enabled else NewAccountForm()


@bp.route("/users/new", methods=["GET", "POST"])
@admins_only
def new_user():
    """Create an account (or invite a work account) with a role, its organisation or networks, and a first
    password where people sign in with one."""
    form = _with_choices(_new_account_form())
    password = (form.password.data or None) if form.password else None
    added = Submission(
        form,
        lambda: services.create_user(
            get_session(), form.details(), password, current_app.config["PASSWORD_HASH_ITERATIONS"]
        ),
    )
    if added.saved:
        email = added.result.email
        if password is None:
            flash(f"{email} is invited: they can sign in with the NHS work account of this address.", "success")
        else:
            flash(
                f"Account created for {email}. Give them their password in person or by phone, not by email.", "success"
            )
        return redirect(url_for("admin.users"))
    return render_template(
        "admin/new_user.html",
        form=form,
        work_accounts=work_account_settings().enabled,
        breadcrumbs=_accounts_crumbs(),
    )


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admins_only
def edit_user(user_id: int):
    """Change an account's name, role, organisation, networks and whether it can sign in."""
    user = _user_or_404(user_id)
    form = _with_choices(EditAccountForm(data=_edit_form_data(user) if request.method == "GET" else None))
    if request.method == "POST" and form.role.data != user.role.value and not steps.proved_recently():
        # A role change needs the password (and code) again; the form is shown afresh on return.
        return steps.reauthenticate_redirect(url_for("admin.edit_user", user_id=user_id))
    edit = Submission(
        form,
        lambda: services.update_user(
            get_session(),
            user,
            form.details(user.email, active=form.active.data),
            expected_version=form.expected_version(),
            acting_user_id=current_user.id,
        ),
        # Their version, with the version number that a new save will be checked against.
        reload=lambda _current: _with_choices(
            EditAccountForm(formdata=None, data=_edit_form_data(_user_or_404(user_id)))
        ),
    )
    if edit.saved:
        flash(f"Account of {user.email} saved.", "success")
        return redirect(url_for("admin.users"))
    return _edit_page(edit.form, user), 409 if edit.conflict else 200


def _edit_page(form, user: User) -> str:
    return render_template(
        "admin/edit_user.html",
        form=form,
        user=user,
        api_tokens=[(token, tokens.status(token, utcnow())) for token in tokens.tokens_of(get_session(), user)],
        breadcrumbs=_accounts_crumbs(),
    )


@bp.post("/users/<int:user_id>/work-account/unlink")
@admins_only
def unlink_work_account(user_id: int):
    """Forget the account's work account: the next sign-in with its email address binds one afresh."""
    user = _user_or_404(user_id)
    if services.unlink_work_account(get_session(), user):
        flash(f"The work account of {user.email} is unlinked. Their next sign-in with it links it again.", "success")
    else:
        flash(f"{user.email} has no work account linked.", "info")
    return redirect(url_for("admin.edit_user", user_id=user_id))


@bp.post("/users/<int:user_id>/mfa/reset")
@admins_only
@steps.recent_sign_in_required
def reset_mfa(user_id: int):
    """Forget an account's authenticator app and recovery codes (lost phone): its sessions end, and it sets
    MFA up again at its next sign-in (managers and administrators) or when it chooses to."""
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(
            "You cannot reset your own MFA here: set up a new authenticator app from your account instead.", "message"
        )
    else:
        mfa.reset(get_session(), user)
        flash(f"MFA reset for {user.email}. They have been signed out everywhere.", "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@admins_only
@steps.recent_sign_in_required
def set_password(user_id: int):
    """Set a new password for an account; every session of that account ends (not while passwords are off)."""
    if not passwords_on(current_app.config):
        abort(404)
    user = _user_or_404(user_id)
    form = SetPasswordForm(email=user.email, name=user.name)
    yourself = user.id == current_user.id
    setting = Submission(
        form,
        lambda: services.reset_password(
            get_session(), user, form.password.data, current_app.config["PASSWORD_HASH_ITERATIONS"]
        ),
    )
    if setting.saved:
        if yourself:
            login_user(user)  # your other sessions end; this one carries on with the new token
            flash("Your password has been set. You have been signed out everywhere else.", "success")
        else:
            flash(f"Password set for {user.email}. They have been signed out everywhere.", "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/set_password.html", form=form, user=user, breadcrumbs=_accounts_crumbs())
