"""A real OpenID Connect provider for the tests, built with Authlib's server side and served on loopback.

It speaks to the app over real HTTP as Microsoft Entra ID would: a multi-tenant discovery document (its
issuer "…/{tenantid}/v2.0"), an RSA key published as a JWKS, the authorisation code flow with PKCE (S256
only) and a nonce, and id_tokens carrying `tid`, `oid`, `email`, `name` and the issuer of the tenant.
Its sign-in page is a form on which a test (or a browser, by keyboard) says who signs in: tenant id,
object id and email address. No password: the provider's own sign-in is not what the tests are about.
Like Entra it remembers, by a cookie of its own, who signed in in that browser and when: a later
authorisation in the same browser is answered at once (single sign-on) with that sign-in's `auth_time`,
unless it asks for a fresh sign-in (`prompt=login`, or a `max_age` older than that sign-in), when the
form is shown again. `age_sign_ins` makes the remembered sign-ins older, as time passing would.

A test can make it misbehave, as an attacker or a broken provider would, through `misbehave`:
"nonce" (the id_token carries this nonce instead of the one asked for, as a replayed token would),
"rogue_key" (the id_token is signed by a key that is not the published one, under the same key id),
"issuer_tenant" (the id_token's issuer names this tenant instead of the token's own),
"ignore_prompt" (single sign-on whatever `prompt` and `max_age` ask: the old sign-in's `auth_time` comes back),
"no_auth_time" (the id_token says nothing of when the person signed in, as Entra's do unless the app
registration adds the optional claim).
"""

from __future__ import annotations

import html
import secrets
import threading
import time
from dataclasses import dataclass, field

import requests
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import grants as oidc_grants
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

KEY_ID = "test-key-1"
COOKIE = "provider_session"
# An NHSmail-like tenant and a second organisation's; the tests allow the first unless they say otherwise.
NHS_TENANT = "37c354b2-85b0-47f5-b222-07b48d774ee3"
OTHER_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"


@dataclass
class Person:
    tenant_id: str
    object_id: str
    email: str
    name: str = ""


@dataclass
class SignedIn:
    """Who signed in at the provider in one browser, and when (the id_token's `auth_time`)."""

    person: Person
    auth_time: int


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str
    code_challenge: str
    code_challenge_method: str
    person: Person
    auth_time: int

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


class OidcProvider:
    """The provider, its keys, clients and codes; `start()` serves it on a free loopback port."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.rogue_key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.misbehave: dict[str, object] = {}
        self.sessions: dict[str, SignedIn] = {}  # by the provider's cookie
        self.app = self._make_app()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- what the tests use -----------------------------------------------------------------------

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/organizations/v2.0/.well-known/openid-configuration"

    def issuer_of(self, tenant_id: str) -> str:
        return f"{self.url}/{tenant_id}/v2.0"

    def register(self, client_id: str, client_secret: str, *redirect_uris: str) -> None:
        self.clients[client_id] = Client(client_id, client_secret, list(redirect_uris))

    def start(self) -> OidcProvider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)

    def reset(self) -> None:
        self.clients.clear()
        self.codes.clear()
        self.misbehave.clear()
        self.sessions.clear()

    def age_sign_ins(self, seconds: int) -> None:
        """As if every sign-in the provider remembers had happened `seconds` earlier."""
        for signed_in in self.sessions.values():
            signed_in.auth_time -= seconds

    def _fresh_sign_in_needed(self, signed_in: SignedIn | None, prompt: str | None) -> bool:
        """Authlib's reading of `prompt` (login: no one signed in, or asked for), then `max_age`."""
        if signed_in is None:
            return True
        if self.misbehave.get("ignore_prompt"):
            return False
        if prompt == "login":
            return True
        max_age = request.args.get("max_age", "")
        return max_age.isdigit() and time.time() - signed_in.auth_time > int(max_age)

    # --- the provider -----------------------------------------------------------------------------

    def _make_app(self) -> Flask:
        app = Flask("oidc_provider")
        server = AuthorizationServer(app, query_client=self.clients.get, save_token=lambda token, request: None)
        server.register_grant(_code_grant(self), [_openid_code(self)(require_nonce=True), CodeChallenge(required=True)])

        @app.get("/organizations/v2.0/.well-known/openid-configuration")
        def discovery():
            return jsonify(
                issuer=f"{self.url}/{{tenantid}}/v2.0",
                authorization_endpoint=f"{self.url}/organizations/oauth2/v2.0/authorize",
                token_endpoint=f"{self.url}/organizations/oauth2/v2.0/token",
                jwks_uri=f"{self.url}/discovery/v2.0/keys",
                response_types_supported=["code"],
                subject_types_supported=["pairwise"],
                id_token_signing_alg_values_supported=["RS256"],
                code_challenge_methods_supported=["S256"],
                scopes_supported=["openid", "email", "profile"],
                token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
                claims_supported=[
                    "sub",
                    "iss",
                    "aud",
                    "exp",
                    "iat",
                    "nonce",
                    "auth_time",
                    "tid",
                    "oid",
                    "email",
                    "name",
                ],
            )

        @app.get("/discovery/v2.0/keys")
        def jwks():
            return jsonify(keys=[self.key.as_dict(private=False)])

        @app.route("/organizations/oauth2/v2.0/authorize", methods=["GET", "POST"])
        def authorize():
            if request.method == "GET":
                signed_in = self.sessions.get(request.cookies.get(COOKIE, ""))
                try:
                    grant = server.get_consent_grant(end_user=signed_in)
                except OAuth2Error as error:
                    return f"<p>Refused: {html.escape(error.error)}</p>", 400
                if not self._fresh_sign_in_needed(signed_in, grant.prompt):
                    return server.create_authorization_response(grant=grant, grant_user=signed_in)
                return _SIGN_IN_PAGE.format(action=html.escape(request.full_path))
            person = Person(
                request.form.get("tid", "").strip(),
                request.form.get("oid", "").strip(),
                request.form.get("email", "").strip(),
                request.form.get("name", "").strip(),
            )
            signed_in = SignedIn(person, int(time.time()))
            grant = server.get_consent_grant(end_user=signed_in)
            response = server.create_authorization_response(grant=grant, grant_user=signed_in)
            cookie = secrets.token_urlsafe(16)
            self.sessions[cookie] = signed_in
            response.set_cookie(COOKIE, cookie, httponly=True)
            return response

        @app.post("/organizations/oauth2/v2.0/token")
        def token():
            return server.create_token_response()

        return app


def _code_grant(provider: OidcProvider):
    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code, request):
            payload = request.payload.data
            provider.codes[code] = Code(
                code=code,
                client_id=request.client.client_id,
                redirect_uri=request.payload.redirect_uri,
                scope=request.scope,
                nonce=payload.get("nonce", ""),
                code_challenge=payload.get("code_challenge", ""),
                code_challenge_method=payload.get("code_challenge_method", ""),
                person=request.user.person,
                auth_time=request.user.auth_time,
            )

        def query_authorization_code(self, code, client):
            found = provider.codes.get(code)
            return found if found and found.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code):
            provider.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code):
            return authorization_code.person

    return CodeGrant


def _openid_code(provider: OidcProvider):
    class OpenIDCode(oidc_grants.OpenIDCode):
        def exists_nonce(self, nonce, request):
            return any(code.nonce == nonce for code in provider.codes.values())

        def resolve_client_private_key(self, client):
            return provider.rogue_key if provider.misbehave.get("rogue_key") else provider.key

        def get_client_algorithm(self, client):
            return "RS256"

        def get_encode_header(self, client):
            return {"alg": "RS256", "kid": KEY_ID, "typ": "JWT"}

        def get_client_claims(self, client):
            return {"aud": [client.get_client_id()]}

        def get_compatible_claims(self, request):
            claims = super().get_compatible_claims(request)
            if provider.misbehave.get("no_auth_time"):
                claims.pop("auth_time", None)  # Authlib's default for it: the time of the token
            return claims

        def get_authorization_code_claims(self, authorization_code):
            claims = super().get_authorization_code_claims(authorization_code)
            if "nonce" in provider.misbehave:
                claims["nonce"] = provider.misbehave["nonce"]
            if provider.misbehave.get("no_auth_time"):
                claims.pop("auth_time", None)
            return claims

        def generate_user_info(self, user: Person, scope):
            issuer_tenant = str(provider.misbehave.get("issuer_tenant") or user.tenant_id)
            return {
                "iss": provider.issuer_of(issuer_tenant),
                "sub": f"pairwise-{user.object_id}",
                "tid": user.tenant_id,
                "oid": user.object_id,
                "email": user.email,
                "preferred_username": user.email,
                "name": user.name,
            }

    return OpenIDCode


_SIGN_IN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider: sign in</title></head>
<body><main>
<h1>Test identity provider</h1>
<form method="post" action="{action}">
<p><label for="tid">Tenant id</label> <input id="tid" name="tid" autocomplete="off"></p>
<p><label for="oid">Object id</label> <input id="oid" name="oid" autocomplete="off"></p>
<p><label for="email">Email address</label> <input id="email" name="email" type="email" autocomplete="off"></p>
<p><label for="name">Name</label> <input id="name" name="name" autocomplete="off"></p>
<p><button type="submit">Sign in</button></p>
</form>
</main></body></html>
"""


def authorise_as(session, authorize_url: str, person: Person) -> str:
    """Fill in the provider's sign-in page over HTTP (a requests.Session) as `person`: the redirect back."""
    page = session.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text
    answer = session.post(
        authorize_url,
        data={"tid": person.tenant_id, "oid": person.object_id, "email": person.email, "name": person.name},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


CLIENT_ID = "spread-tracker-tests"
CLIENT_SECRET = "a-client-secret-only-the-tests-know"
CALLBACK = "/sign-in/oidc/callback"


def app_settings(provider: OidcProvider, *tenants: str) -> dict:
    """The app's configuration for signing in through this provider (tenants allowed: NHS_TENANT by default)."""
    return {
        "OIDC_DISCOVERY_URL": provider.discovery_url,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_ALLOWED_TENANTS": tenants or (NHS_TENANT,),
        "ADMIN_CONTACT": "the Spread Tracker team (spread.tracker@nhs.net)",
    }


def sign_in_through(client, person: Person, start: str = "/sign-in/oidc"):
    """Sign the Flask test client in as `person`: our start, the provider's page over HTTP, our callback."""
    started = client.get(start)
    assert started.status_code == 302, started.get_data(as_text=True)
    with requests.Session() as browser:
        back = authorise_as(browser, started.headers["Location"], person)
    return client.get(back)
