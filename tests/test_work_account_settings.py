"""The settings of sign-in with a work account: read from the environment, on only when complete."""

from __future__ import annotations

import pytest

from tests.helpers import BASE_CONFIG
from tracker import config, create_app
from tracker.auth.oidc_client import SignInProblem, identity_of
from tracker.auth.oidc_settings import OidcSettings, expected_issuer, passwords_on, tenant_list
from tracker.envconfig import ConfigError, from_environment, settings_from

COMPLETE = {
    "OIDC_DISCOVERY_URL": "https://login.example/organizations/v2.0/.well-known/openid-configuration",
    "OIDC_CLIENT_ID": "client",
    "OIDC_CLIENT_SECRET": "secret",
    "OIDC_ALLOWED_TENANTS": ("t1",),
}


def test_the_environment_sets_each_setting():
    """Read as every setting is (tracker.envconfig); the tenants are put in small letters when used."""
    values = from_environment(
        settings_from(config),
        {
            "OIDC_ISSUER": "https://login.example/t1/v2.0/",
            "OIDC_CLIENT_ID": " client ",
            "OIDC_ALLOWED_TENANTS": "37C354B2-85B0-47F5-B222-07B48D774EE3, t2  t2",
            "PASSWORD_SIGN_IN": "off",
            "ADMIN_CONTACT": "the team",
            "OIDC_BUTTON_LABEL": "",
            "UNRELATED": "x",
        },
    )
    assert values == {
        "OIDC_ISSUER": "https://login.example/t1/v2.0/",
        "OIDC_CLIENT_ID": "client",
        "OIDC_ALLOWED_TENANTS": ("37C354B2-85B0-47F5-B222-07B48D774EE3", "t2", "t2"),
        "PASSWORD_SIGN_IN": False,
        "ADMIN_CONTACT": "the team",
    }
    assert tenant_list(values["OIDC_ALLOWED_TENANTS"]) == ("37c354b2-85b0-47f5-b222-07b48d774ee3", "t2")
    with pytest.raises(ConfigError, match="PASSWORD_SIGN_IN must be true or false"):
        from_environment(settings_from(config), {"PASSWORD_SIGN_IN": "perhaps"})


def test_an_issuer_stands_for_its_discovery_document():
    settings = OidcSettings.from_config({**COMPLETE, "OIDC_DISCOVERY_URL": None, "OIDC_ISSUER": "https://x/t1/v2.0/"})
    assert settings.discovery_url == "https://x/t1/v2.0/.well-known/openid-configuration"


@pytest.mark.parametrize(
    "missing", ["OIDC_DISCOVERY_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_ALLOWED_TENANTS"]
)
def test_a_half_made_configuration_leaves_it_off(missing):
    assert OidcSettings.from_config(COMPLETE).enabled
    assert not OidcSettings.from_config({**COMPLETE, missing: None}).enabled


def test_the_app_reads_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("OIDC_ALLOWED_TENANTS", "a b")
    monkeypatch.setenv("PASSWORD_SIGN_IN", "false")
    app = create_app({**BASE_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert OidcSettings.from_config(app.config).allowed_tenants == ("a", "b") and not passwords_on(app.config)
    assert not app.extensions["oidc_settings"].enabled


def test_the_issuer_of_a_multi_tenant_document_is_the_tenants_own():
    assert expected_issuer("https://login.example/{tenantid}/v2.0", "t1") == "https://login.example/t1/v2.0"
    assert expected_issuer("https://login.example/t1/v2.0", "t2") == "https://login.example/t1/v2.0"


def test_the_identity_takes_the_address_from_email_or_the_sign_in_name():
    assert identity_of({"tid": "T", "oid": "O", "email": "A@nhs.net"}).email == "a@nhs.net"
    assert identity_of({"tid": "t", "oid": "o", "preferred_username": "b@nhs.net"}).email == "b@nhs.net"
    assert identity_of({"tid": "t", "oid": "o", "preferred_username": "not an address"}).email == ""
    with pytest.raises(SignInProblem):
        identity_of({"tid": "t", "email": "a@nhs.net"})
    assert tenant_list(None) == ()
