"""Security baseline: headers on every response, error pages without traces, JSON errors, limits."""

import pytest

from tests.helpers import assert_security_headers
from tracker.access import public


@pytest.fixture
def broken_app(make_app):
    """An app with a route that fails, as an unexpected bug would."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @public
    def explode():
        raise RuntimeError("secret internals: table users column password_hash")

    app.add_url_rule("/explode", "explode", explode)
    app.add_url_rule("/api/v1/explode", "api_explode", explode)
    return app


@pytest.mark.parametrize(
    "path, status",
    [
        ("/sign-in", 200),
        ("/static/app.css", 200),
        ("/no-such-page", 404),
        ("/", 302),
        ("/api/v1/no-such-thing", 404),
    ],
)
def test_every_response_carries_the_security_headers(client, path, status):
    response = client.get(path)
    response.close()  # static files are streamed from disk
    assert response.status_code == status
    assert_security_headers(response)


def test_the_content_security_policy_names_no_other_host(client):
    csp = client.get("/sign-in").headers["Content-Security-Policy"]
    sources = {source for directive in csp.split(";") for source in directive.split()[1:]}
    assert sources <= {"'self'", "'none'", "data:"}, sources


def test_hsts_only_outside_debug(make_app):
    production_like = make_app(TESTING=False, SECRET_KEY="s" * 48)
    assert "max-age=" in production_like.test_client().get("/sign-in").headers["Strict-Transport-Security"]


def test_unexpected_error_shows_a_plain_page_without_the_trace(broken_app):
    response = broken_app.test_client().get("/explode")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in body
    assert "secret internals" not in body and "Traceback" not in body
    assert_security_headers(response)


def test_unexpected_api_error_is_json_without_the_trace(broken_app):
    response = broken_app.test_client().get("/api/v1/explode")
    assert response.status_code == 500
    assert response.is_json
    assert response.json["error"]["status"] == 500
    assert "secret internals" not in response.get_data(as_text=True)


def test_unknown_page_is_an_nhs_style_404(client):
    response = client.get("/no-such-page")
    assert "Page not found" in response.get_data(as_text=True)
    assert 'class="nhsuk-header"' in response.get_data(as_text=True)


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json["error"]["title"] == "Not found" or response.json["error"]["status"] == 404


def test_wrong_method_is_405_with_allow_header(client):
    response = client.put("/sign-in")
    assert response.status_code == 405
    assert "Method not allowed" in response.get_data(as_text=True)
    assert "POST" in response.headers["Allow"]


def test_body_over_the_limit_is_refused_with_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/sign-in", data={"email": "x" * 4096, "password": "y"})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused_and_signs_nobody_in(seeded, client):
    response = client.post("/sign-in", data={"email": "admin@demo.invalid", "password": "spread-tracker-demo-2021"})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_pages_redirect_anonymous_users_to_sign_in_with_next(client):
    response = client.get("/about?x=1")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=/about")


def test_api_answers_anonymous_users_with_401_json(client):
    response = client.get("/api/v1/ambitions")
    assert response.status_code == 401
    assert response.json["error"]["status"] == 401


def test_undeclared_endpoint_is_denied_to_everyone(make_app, seeded):
    from tests.helpers import FormClient

    app = make_app()
    app.add_url_rule("/forgotten", "forgotten", lambda: "should never be served")
    client = FormClient(app.test_client())
    assert client.get("/forgotten").status_code == 302  # anonymous: sign in first
    client.sign_in_as("admin")
    assert client.get("/forgotten").status_code == 403
