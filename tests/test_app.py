"""The factory, configuration and the production safety checks."""

import pytest

from tracker import create_app


def test_production_refuses_to_start_without_a_strong_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", "SECRET_KEY": "short"})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", "SECRET_KEY": None})


def test_production_starts_with_a_strong_key_and_secure_cookies(tmp_path):
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", "SECRET_KEY": "k" * 16 + "9f8e7d6c5b4a3210fedcba"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_environment_overrides_instance_config(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/from-env.sqlite3")
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40})
    assert app.config["DATABASE_URL"].endswith("from-env.sqlite3")
