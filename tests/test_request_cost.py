"""What every signed-in request pays before its page's own work: who is asking, and the page's frame.

The fixed cost dominates once the heavy pages are cached (issue 13, "The load a region brings"), so it is
counted here in statements: one to know who is asking, by session cookie or by API token. The checks it
makes (an account disabled or signed out elsewhere counts on the very next request) are shown here too.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select, update

from tests.helpers import FormClient, auth
from tracker.models import ApiToken, User, utcnow
from tracker.templating import NAVIGATION

ROLES = ("trust", "faculty", "manager", "admin")
# The statements an API request for the ambitions runs itself: ambitions, their targets, their packages.
AMBITIONS_OWN_STATEMENTS = 3


def reads_of(statements: list[str], table: str) -> list[str]:
    return [s for s in statements if re.search(rf"\bFROM {table}\b|\bJOIN {table}\b", s)]


@pytest.mark.parametrize("role", ROLES)
def test_a_signed_in_page_runs_one_statement_to_know_who_is_asking(seeded, signed_in, statement_counter, role):
    """Trust staff have an organisation and faculty networks: neither is read unless a page needs it."""
    client = signed_in(role)
    with statement_counter() as statements:
        response = client.get("/about")
    assert response.status_code == 200
    assert "About the programme and the data" in response.get_data(as_text=True)
    assert len(statements) == 1, statements
    assert reads_of(statements, "users") == statements


@pytest.mark.parametrize("role", ROLES)
def test_an_api_request_runs_one_statement_to_know_whose_token_it_is(token, client, statement_counter, role):
    client.get("/api/v1/ambitions", headers=auth(token[role]))  # the first use is recorded (below)
    with statement_counter() as statements:
        response = client.get("/api/v1/ambitions", headers=auth(token[role]))
    assert response.status_code == 200 and response.get_json()["ambitions"]
    assert len(statements) == 1 + AMBITIONS_OWN_STATEMENTS, statements
    [lookup] = reads_of(statements, "api_tokens")
    assert reads_of(statements, "users") == [lookup]
    assert reads_of(statements, "user_networks") == [lookup]  # the ids of the user's networks come with it
    assert reads_of(statements, "organisations") == []


def test_recording_a_tokens_use_adds_only_the_write(token, client, seeded, statement_counter):
    seeded.execute(update(ApiToken).values(last_used_at=utcnow() - timedelta(minutes=2)))
    seeded.commit()
    with statement_counter() as statements:
        assert client.get("/api/v1/ambitions", headers=auth(token["faculty"])).status_code == 200
    assert len(statements) == 2 + AMBITIONS_OWN_STATEMENTS, statements
    assert [s for s in statements if s.lstrip().upper().startswith("UPDATE")] == [statements[1]]


def test_a_disabled_account_is_signed_out_on_its_next_request(seeded, signed_in):
    """Nothing about who is signed in is kept between requests: the database says, every time."""
    client = signed_in("faculty")
    assert client.get("/about").status_code == 200
    seeded.execute(update(User).where(User.email == "faculty@demo.invalid").values(active=False))
    seeded.commit()
    response = client.get("/about")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_a_session_ended_elsewhere_is_signed_out_on_its_next_request(seeded, signed_in):
    client = signed_in("trust")
    assert client.get("/about").status_code == 200
    seeded.execute(update(User).where(User.email == "trust@demo.invalid").values(session_token="ended-elsewhere"))
    seeded.commit()
    response = client.get("/about")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_a_token_of_an_account_disabled_since_its_last_request_is_refused(token, client, seeded):
    assert client.get("/api/v1/ambitions", headers=auth(token["trust"])).status_code == 200
    seeded.execute(update(User).where(User.email == "trust@demo.invalid").values(active=False))
    seeded.commit()
    response = client.get("/api/v1/ambitions", headers=auth(token["trust"]))
    assert response.status_code == 401
    assert "disabled" in response.get_json()["error"]["message"]


def test_the_menu_offers_each_role_exactly_the_pages_it_may_open(app, seeded):
    """The menu is worked out once per role: in one app, each role still sees its own."""
    every_entry = {label for _endpoint, label in NAVIGATION}
    seen: dict[str, set[str]] = {}
    for role in ("admin", "trust", "manager", "faculty"):
        client = FormClient(app.test_client())
        client.sign_in_as(role)
        page = client.get("/about").get_data(as_text=True)
        menu = dict(re.findall(r'class="nhsuk-header__navigation-link" href="([^"]+)"[^>]*>([^<]+)</a>', page))
        seen[role] = set(menu.values())
        for path in menu:
            assert client.get(path).status_code != 403, (role, path)
        for endpoint, label in NAVIGATION:
            if label not in seen[role]:
                with app.test_request_context():
                    path = url_for(endpoint)
                assert client.get(path).status_code == 403, (role, path)
    assert seen["admin"] == every_entry
    assert seen["faculty"] == seen["manager"] == every_entry - {"Accounts", "Audit log"}
    assert seen["trust"] == every_entry - {"Accounts", "Audit log", "Needs an update"}  # no records to keep up


def test_the_current_page_is_marked_in_the_menu(signed_in):
    page = signed_in("faculty").get("/measures").get_data(as_text=True)
    current = re.findall(
        r'<li class="nhsuk-header__navigation-item nhsuk-header__navigation-item--current">\s*<a[^>]*>', page
    )
    assert len(current) == 1
    assert 'href="/measures" aria-current="page"' in current[0]


def test_remembered_addresses_follow_the_prefix_a_proxy_gives(make_app, seeded):
    """Addresses are remembered per path the app is mounted at: behind a proxy, each prefix gets its own."""
    client = make_app(TRACKER_PROXY_PREFIX=1).test_client()
    for prefix in ("/tracker", "", "/other", "/tracker"):
        page = client.get("/accessibility", headers={"X-Forwarded-Prefix": prefix} if prefix else {})
        html = page.get_data(as_text=True)
        assert f'href="{prefix}/static/app.css"' in html
        assert f'href="{prefix}/accessibility"' in html
        others = {"/tracker", "/other"} - {prefix}
        assert not any(f'href="{other}/' in html for other in others)


def test_a_users_organisation_is_read_when_a_page_shows_it(seeded, signed_in, statement_counter):
    """Loaded when first used: the account page names the trust's organisation."""
    client = signed_in("trust")
    organisation = seeded.scalar(select(User).where(User.email == "trust@demo.invalid")).organisation.name
    with statement_counter() as statements:
        page = client.get("/account/password").get_data(as_text=True)
    assert organisation in page
    assert len(reads_of(statements, "organisations")) == 1


@pytest.mark.parametrize(
    ("endpoint", "values"),
    [
        ("static", {"filename": "app.css"}),
        ("catalogue.idea", {"code": "RP-01"}),
        ("reports.coverage", {"ambition": "RP", "network": ["A", "B"]}),  # a list: not a key, built each time
        ("catalogue.idea", {"code": "RP-01", "_anchor": "log"}),
        ("catalogue.idea", {"code": "RP-01", "_external": True}),
        (".idea", {"code": "RP-01"}),  # relative to the request's blueprint
    ],
)
def test_templates_build_the_addresses_flask_builds(app, endpoint, values):
    remembered = app.jinja_env.globals["url_for"]
    with app.test_request_context("/ideas/RP-02"):
        assert remembered(endpoint, **values) == remembered(endpoint, **values) == url_for(endpoint, **values)
