"""Administrators issue and revoke API tokens: the list, the form that shows a new token once, and revoking."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for

from ..access import admins_only
from ..auth import tokens
from ..db import get_session
from ..editing import Submission
from ..limits import LARGEST_INT
from ..models import ApiToken, utcnow
from .forms import NewTokenForm
from .services import active_user_choices, get_user

bp = Blueprint("admin_tokens", __name__, url_prefix="/admin/tokens")


def _crumbs(*more: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Home", url_for("main.home")), ("Accounts", url_for("admin.users")), *more]


def _tokens_crumbs() -> list[tuple[str, str]]:
    return _crumbs(("API tokens", url_for("admin_tokens.api_tokens")))


def _user_filter() -> int | None:
    """The account chosen in ?user= (an unknown or garbled one: none)."""
    value = request.args.get("user", "")
    return int(value) if value.isdigit() and int(value) <= LARGEST_INT else None


@bp.get("")
@admins_only
def api_tokens():
    """Every API token (or one account's): name, account, scope, created, expiry, last use and status."""
    session = get_session()
    user_id = _user_filter()
    account = get_user(session, user_id) if user_id is not None else None
    listed = tokens.all_tokens(session, account.id if account else None)
    now = utcnow()
    return render_template(
        "admin/tokens.html",
        tokens=[(token, tokens.status(token, now)) for token in listed],
        account=account,
        breadcrumbs=_crumbs(),
    )


def _max_days() -> int:
    return current_app.config["API_TOKEN_MAX_DAYS"]


@bp.route("/new", methods=["GET", "POST"])
@admins_only
def new_token():
    """Issue a token for an account; the page that answers shows it, once."""
    session = get_session()
    form = NewTokenForm()
    if request.method == "GET" and _user_filter() is not None:
        form.user.data = str(_user_filter())
    form.set_choices(active_user_choices(session))

    def issue() -> tuple[str, ApiToken]:
        user = get_user(session, int(form.user.data)) if str(form.user.data).isdigit() else None
        wanted = tokens.check_request(user, form.name.data, form.scope.data, form.expires.data, _max_days())
        raw = tokens.issue_token(session, user, wanted)
        return raw, tokens.find_tokens(session, raw)[0]

    issued = Submission(form, issue)
    if issued.saved:
        raw, token = issued.result
        page = render_template("admin/token_issued.html", raw=raw, token=token, breadcrumbs=_tokens_crumbs())
        response = make_response(page)
        response.headers["Cache-Control"] = "no-store"  # the token must not be kept by the browser or a proxy
        return response
    return render_template("admin/new_token.html", form=form, max_days=_max_days(), breadcrumbs=_tokens_crumbs())


@bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
@admins_only
def revoke_token(token_id: int):
    """Ask, then revoke: programs using the token are refused from the next request."""
    session = get_session()
    token = session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    if request.method == "GET":
        return render_template(
            "admin/revoke_token.html", token=token, status=tokens.status(token, utcnow()), breadcrumbs=_tokens_crumbs()
        )
    label = f"API token “{token.name or token.prefix}” ({token.prefix}) of {token.user.email}"
    if tokens.revoke(session, token):
        flash(f"{label} revoked. Programs using it can no longer use the service.", "success")
    else:
        flash(f"{label} was already revoked.", "info")
    return redirect(url_for("admin_tokens.api_tokens"))
