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
from ..db import get_session
from ..editing import Submission
from ..models import ApiToken, Role, User
from ..organisations.queries import network_choices, organisation_choices
from . import services
from .forms import EditAccountForm, NewAccountForm, SetPasswordForm

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


@bp.route("/users/new", methods=["GET", "POST"])
@admins_only
def new_user():
    """Create an account with a role, its organisation or networks, and a first password."""
    form = _with_choices(NewAccountForm())
    added = Submission(
        form,
        lambda: services.create_user(
            get_session(), form.details(), form.password.data, current_app.config["PASSWORD_HASH_ITERATIONS"]
        ),
    )
    if added.saved:
        flash(
            f"Account created for {added.result.email}. Give them their password in person or by phone, not by email.",
            "success",
        )
        return redirect(url_for("admin.users"))
    return render_template("admin/new_user.html", form=form, breadcrumbs=_accounts_crumbs())


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
        api_tokens=tokens.tokens_of(get_session(), user),
        breadcrumbs=_accounts_crumbs(),
    )


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
@admins_only
def revoke_token(user_id: int, token_id: int):
    """Revoke one of an account's API tokens: programs using it are refused from now on."""
    session = get_session()
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        abort(404)
    prefix = token.prefix
    if tokens.revoke(session, token):
        flash(f"API token {prefix} revoked. Programs using it can no longer use the service.", "success")
    else:
        flash(f"API token {prefix} was already revoked.", "info")
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
    """Set a new password for an account; every session of that account ends."""
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
