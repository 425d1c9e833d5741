"""Flask-Login wiring: the session cookie holds a per-user token, never the user's id."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..db import get_session
from ..extensions import login_manager
from ..models import User


def load_user(token: str) -> User | None:
    return get_session().scalar(
        select(User)
        .where(User.session_token == token, User.active.is_(True))
        .options(selectinload(User.organisation), selectinload(User.networks))
    )


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"


def safe_next(target: str | None) -> str | None:
    """The target if it is a path on this site, else None.

    Browsers read a backslash as a slash and drop tabs and line breaks inside a URL, so
    "/\\evil.example" or "/\\t/evil.example" would leave the site: anything holding those is refused.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(
        ch == "\\" or ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target
    ):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
