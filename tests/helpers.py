"""What the tests share besides fixtures and rows: the test configuration, a form-posting client,
statement counting, reading pages and JSON, the access table, and the plain recomputation's pieces.

Rows are made in tests/factories.py; fixtures live in tests/conftest.py. Test modules import from
here and from factories, never from each other (tests/test_suite_layout.py checks it).
"""

from __future__ import annotations

import enum
import hashlib
import html
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tracker import db as tracker_db
from tracker.auth import totp
from tracker.cache import PAGE_CACHE_KEY
from tracker.calendar import today as london_today
from tracker.maps.routes import VIEWS_KEY as SPREAD_MAP_VIEWS_KEY
from tracker.models import Adoption, AdoptionEvent, Network, Organisation, User, utcnow
from tracker.seed import DEMO_PASSWORD

# --- the test configuration ---------------------------------------------------------------------

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
HASH_ITERATIONS = 1_000  # production uses 600,000 (tested in test_auth); tests need speed

BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-that-is-long-enough-1234567890",
    "PASSWORD_HASH_ITERATIONS": HASH_ITERATIONS,
    # Tests see every figure computed afresh; test_coverage_cache turns the cache on.
    "COVERAGE_CACHE_SIZE": 0,
    # Forecasts: fewer Monte Carlo runs than production's 1,000 keep the requests quick.
    "FORECAST_RUNS": 200,
}


# The tables whose BEFORE TRUNCATE trigger refuses (migration b8d3f5a2c417): a test emptying every table
# steps past it on purpose, as an owner restoring a database would.
REFUSE_TRUNCATE = ("adoption_events", "audit_events", "package_versions")


def truncate_all(conn, tables: list[str], restart: bool = True) -> None:
    """TRUNCATE the tables on PostgreSQL, the append-only ones' TRUNCATE guard off for this transaction only."""
    guarded = [name for name in REFUSE_TRUNCATE if name in tables]
    for name in guarded:
        conn.execute(text(f'ALTER TABLE "{name}" DISABLE TRIGGER "{name}_no_truncate"'))
    names = ", ".join(f'"{name}"' for name in tables)
    conn.execute(text(f"TRUNCATE {names}{' RESTART IDENTITY' if restart else ''} CASCADE"))
    for name in guarded:
        conn.execute(text(f'ALTER TABLE "{name}" ENABLE TRIGGER "{name}_no_truncate"'))


def with_search_path(url: str, schema: str) -> str:
    """The PostgreSQL URL with its connections' search path set to one schema."""
    return str(
        make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    )


# --- requests -----------------------------------------------------------------------------------


class FormClient:
    """The Flask test client, plus sign-in and CSRF-carrying form posts as a browser would send them."""

    CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')

    def __init__(self, client):
        self.client = client

    def __getattr__(self, name):
        return getattr(self.client, name)

    def csrf_token(self, page: str = "/sign-in") -> str:
        html = self.client.get(page).get_data(as_text=True)
        match = self.CSRF.search(html)
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def submit(self, url: str, data: dict | None = None, page: str | None = None, **kwargs):
        """POST a form with the CSRF token taken from `page` (default: the form's own URL)."""
        data = dict(data or {})
        data["csrf_token"] = self.csrf_token(page or url)
        return self.client.post(url, data=data, **kwargs)

    def sign_in(self, email: str, password: str = DEMO_PASSWORD):
        return self.submit("/sign-in", {"email": email, "password": password})

    def sign_in_as(self, role: str):
        """Sign in as the demo account of the role, with a security code when the account has MFA."""
        email = f"{role}@demo.invalid"
        response = self.sign_in(email)
        assert response.status_code == 302, response.get_data(as_text=True)
        if response.headers["Location"].startswith("/sign-in/code"):
            response = self.submit("/sign-in/code", {"code": next_code(self.client.application, email)})
            assert response.status_code == 302, response.get_data(as_text=True)
        return response


def next_code(app, email: str) -> str:
    """A security code the account would accept now: from its stored secret, for the current time step or,
    when that step's code was already used (a second sign-in within 30 seconds), the next one."""
    with Session(bind=tracker_db.get_engine(app)) as s:
        secret, last_step = s.execute(select(User.mfa_secret, User.mfa_last_step).where(User.email == email)).one()
    step = totp.step_of(utcnow())
    if last_step is not None and last_step >= step:
        step = last_step + 1
    assert step <= totp.step_of(utcnow()) + totp.WINDOW, "no unused code left in the window"
    return totp.code_at_step(secret, step)


# In a parametrize list: tomorrow's date, worked out as the test runs. A date worked out when the tests are
# collected is today by the time a run that crosses midnight reaches it.
TOMORROW = "TOMORROW"


def on_the_day(values):
    """values (text, or a dict of them) with TOMORROW replaced by tomorrow's date in England, as of now."""
    tomorrow = (london_today() + timedelta(days=1)).isoformat()
    if isinstance(values, dict):
        return {name: tomorrow if value == TOMORROW else value for name, value in values.items()}
    return values.replace(TOMORROW, tomorrow) if isinstance(values, str) else values


def forget_pages(app) -> None:
    """Empty the app's kept pages and API answers (tracker.page_cache), so its next request computes
    its answer again: for tests that count the statements of a computation, not of a kept answer. The spread
    map's kept networks go too (tracker.maps.routes: every answer of the map starts from one)."""
    for key in (PAGE_CACHE_KEY, SPREAD_MAP_VIEWS_KEY):
        kept = app.extensions.get(key)
        if kept is not None:
            kept.clear()


@contextmanager
def count_statements(app) -> Iterator[list[str]]:
    """Collect the SQL statements the app's engine runs inside the block."""
    statements: list[str] = []
    engine = tracker_db.get_engine(app)

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def get_json(client, url: str, status: int = 200):
    """The JSON body of a GET by a signed-in client, which answered `status`."""
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def auth(raw: str) -> dict[str, str]:
    """The header that sends an API token."""
    return {"Authorization": f"Bearer {raw}"}


def move(**changes) -> dict:
    """A body for POST /api/v1/adoptions: RNU's RP-01 at testing on 1 March 2022, with the changes
    given (a field given as ... is left out)."""
    body = {
        "organisation": "RNU",
        "intervention": "RP-01",
        "stage": "testing",
        "effective_date": "2022-03-01",
        "wards_using": 2,
        "wards_in_scope": 5,
        "note": "Started on Ward 3",
        "expected_version": 0,  # RNU has no record of RP-01 until a test logs one
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def assert_error(body, status: int, parameter: str | None = None):
    """The API's JSON error: its status, a title and message, and the parameter it names."""
    error = body["error"]
    assert error["status"] == status
    assert error["title"] and error["message"]
    if parameter is not None:
        assert error["parameter"] == parameter
        assert parameter in error["message"]


EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers[name] == value


# --- who may use each route (test_access_matrix checks every route against it; the tour visits its pages) ---

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, "trust", "faculty", "manager", "admin")
EVERYONE = frozenset(ROLES)
SIGNED_IN = frozenset({"trust", "faculty", "manager", "admin"})
LOGGERS = frozenset({"faculty", "manager", "admin"})
EDITORS = frozenset({"manager", "admin"})
ADMINS = frozenset({"admin"})

# endpoint: (who may use it, the URL values to try it with)
EXPECTED = {
    "main.home": (SIGNED_IN, {}),
    "main.about": (SIGNED_IN, {}),
    "main.accessibility": (EVERYONE, {}),
    "health.healthz": (EVERYONE, {}),
    "health.readyz": (EVERYONE, {}),
    "auth.sign_in": (EVERYONE, {}),
    "auth.sign_out": (SIGNED_IN, {}),
    "auth.change_password": (SIGNED_IN, {}),
    # Sign-in with a work account (404 while it is not configured, as in this table's app).
    "oidc.start": (EVERYONE, {}),
    "oidc.callback": (EVERYONE, {}),
    # MFA: the second step and enrolment are also open to a browser half-way through signing in
    # (tests/test_mfa.py checks that state against every route).
    "auth.second_step": (SIGNED_IN, {}),
    "auth.reauthenticate": (SIGNED_IN, {}),
    # Confirming it is you with a work account (404 while it is not configured, as in this table's app).
    "auth.reauthenticate_with_work_account": (SIGNED_IN, {}),
    "mfa.manage": (SIGNED_IN, {}),
    "mfa.enrol": (SIGNED_IN, {}),
    "mfa.recovery_codes_file": (SIGNED_IN, {}),
    "mfa.remove": (SIGNED_IN, {}),
    "catalogue.ambitions": (SIGNED_IN, {}),
    "catalogue.ambition": (SIGNED_IN, {"code": "RP"}),
    "catalogue.package": (SIGNED_IN, {"code": "RRP"}),
    "catalogue.idea": (SIGNED_IN, {"code": "RP-01"}),
    "catalogue.search": (SIGNED_IN, {"q": "care"}),
    "catalogue.new_package": (EDITORS, {"ambition": "RP"}),
    "catalogue.edit_package": (EDITORS, {"code": "RRP"}),
    "catalogue.set_package_status": (EDITORS, {"code": "RRP"}),
    "catalogue.new_driver": (EDITORS, {"code": "RRP"}),
    "catalogue.edit_driver": (EDITORS, {"driver_id": "driver"}),
    "catalogue.delete_driver": (EDITORS, {"driver_id": "driver"}),
    "catalogue.move_driver": (EDITORS, {"driver_id": "driver"}),
    "catalogue.new_idea": (EDITORS, {"code": "RRP"}),
    "catalogue.edit_idea": (EDITORS, {"code": "RP-01"}),
    "catalogue.move_idea": (EDITORS, {"code": "RP-01"}),
    # An ambition's targets: everyone signed in reads one and its history; editors add and change them
    # (a target the programme team set, made by the access matrix's placeholders).
    "targets.target": (SIGNED_IN, {"target_id": "target"}),
    "targets.new_target": (EDITORS, {"code": "RP"}),
    "targets.edit_target": (EDITORS, {"target_id": "target"}),
    "versions.package_versions": (SIGNED_IN, {"code": "RRP"}),
    "versions.package_version": (SIGNED_IN, {"code": "RRP", "number": 1}),
    "versions.publish_version": (EDITORS, {"code": "RRP"}),
    "versions.retire_idea": (EDITORS, {"code": "RP-01"}),
    "organisations.networks": (SIGNED_IN, {}),
    "organisations.network": (SIGNED_IN, {"code": "OXF"}),
    "organisations.organisations": (SIGNED_IN, {}),
    "organisations.organisation": (SIGNED_IN, {"ods": "RNU"}),
    "organisations.new_organisation": (EDITORS, {}),
    "organisations.edit_organisation": (EDITORS, {"ods": "RNU"}),
    "organisations.close_organisation": (EDITORS, {"ods": "RNU"}),
    "organisations.reopen_organisation": (EDITORS, {"ods": "R1C"}),
    "organisations.new_network": (EDITORS, {}),
    "organisations.edit_network": (EDITORS, {"code": "OXF"}),
    "links.links": (SIGNED_IN, {}),
    "links.new_link": (EDITORS, {}),
    "links.edit_link": (EDITORS, {"link_id": 1}),  # the seed's first proposed link
    "links.delete_link": (EDITORS, {"link_id": 1}),
    "links.confirm_link": (EDITORS, {"link_id": 1}),
    "api.links": (SIGNED_IN, {}),
    "api.create_link": (EDITORS, {}),
    "api.delete_link": (EDITORS, {"link_id": 1}),
    "adoption.matrix": (SIGNED_IN, {"ods": "RNU"}),
    "adoption.history": (SIGNED_IN, {"ods": "RNU", "code": "RP-01"}),
    "adoption.log": (LOGGERS, {"ods": "RNU", "code": "RP-01"}),
    "adoption.start": (LOGGERS, {"organisation": "RNU", "idea": "RP-01"}),
    # Whom to ask: naming leads where adoption is logged (the demo faculty member's network holds RNU).
    "leads.record_lead": (LOGGERS, {"ods": "RNU", "code": "RP-01"}),
    "leads.organisation_lead": (LOGGERS, {"ods": "RNU"}),
    "leads.account": (SIGNED_IN, {}),
    "leads.consent": (SIGNED_IN, {}),
    "spreadsheets.export": (SIGNED_IN, {}),
    "spreadsheets.events_file": (SIGNED_IN, {"fmt": "csv"}),
    "spreadsheets.records_file": (SIGNED_IN, {"fmt": "xlsx"}),
    "feeds.dictionary": (SIGNED_IN, {}),
    "api.feed": (SIGNED_IN, {"name": "events", "fmt": "csv"}),  # every feed and role: tests/test_feeds.py
    "spreadsheets.import_upload": (EDITORS, {}),
    "spreadsheets.import_confirm": (EDITORS, {}),
    "spreadsheets.import_template_file": (EDITORS, {"fmt": "xlsx"}),
    "reports.coverage": (SIGNED_IN, {"ambition": "RP", "as_of": "2024-03-31"}),
    "reports.download": (SIGNED_IN, {"table": "not-reached", "fmt": "csv", "ambition": "RP"}),
    "admin.users": (ADMINS, {}),
    "admin.new_user": (ADMINS, {}),
    "admin.edit_user": (ADMINS, {"user_id": "user"}),
    "admin.unlink_work_account": (ADMINS, {"user_id": "user"}),
    "admin.set_password": (ADMINS, {"user_id": "user"}),
    "admin_tokens.api_tokens": (ADMINS, {"user": "user"}),
    "admin_tokens.new_token": (ADMINS, {"user": "user"}),
    "admin_tokens.revoke_token": (ADMINS, {"token_id": "token"}),
    "admin.reset_mfa": (ADMINS, {"user_id": "user"}),
    "audit.events": (ADMINS, {}),
    "api.ambitions": (SIGNED_IN, {}),
    "api.ambition": (SIGNED_IN, {"code": "RP"}),
    "api.create_target": (EDITORS, {"code": "RP"}),
    "api.update_target": (EDITORS, {"target_id": "target"}),
    "api.interventions": (SIGNED_IN, {"ambition": "RP"}),
    "api.intervention": (SIGNED_IN, {"code": "RP-01"}),
    "api.intervention_leads": (SIGNED_IN, {"code": "RP-01"}),
    "api.package_versions_list": (SIGNED_IN, {"code": "RRP"}),
    "api.package_version": (SIGNED_IN, {"code": "RRP", "number": 1}),
    "api.networks": (SIGNED_IN, {}),
    "api.organisations": (SIGNED_IN, {"network": "OXF"}),
    "api.organisation": (SIGNED_IN, {"ods": "RNU"}),
    "api.adoptions": (SIGNED_IN, {}),
    "api.adoption_history": (SIGNED_IN, {}),
    "api.log_adoption": (LOGGERS, {}),
    "api.coverage": (SIGNED_IN, {"ambition": "RP"}),
    "api.coverage_series": (SIGNED_IN, {"ambition": "RP"}),
    "api.network": (SIGNED_IN, {"ambition": "RP"}),
    "api.network_graphml": (SIGNED_IN, {"ambition": "RP"}),
    "api.network_nodes_csv": (SIGNED_IN, {"intervention": "RP-01"}),
    "api.network_edges_csv": (SIGNED_IN, {"ambition": "RP"}),
    "api.spc": (SIGNED_IN, {}),
    "api.forecast": (SIGNED_IN, {"ambition": "RP"}),
    "api.engage": (LOGGERS, {"ambition": "RP"}),  # recommendations name organisations to target: not trust staff
    "api.simulate": (SIGNED_IN, {}),
    "forecast.forecast": (SIGNED_IN, {"ambition": "RP"}),  # whom to engage: only in faculty's, managers' and admins'
    "forecast.download": (SIGNED_IN, {"fmt": "csv", "ambition": "RP"}),
    # The what-if page: a scenario (too little data in the seeded database: said so) and a simulation.
    "what_if.what_if": (
        SIGNED_IN,
        {"ambition": "RP", "codes": "RW1", "scenario": "show", "cascade": "run", "adopters": "RNU", "runs": 50},
    ),
    "maps.spread_map": (SIGNED_IN, {"ambition": "RP"}),
    "maps.spread_map_svg": (SIGNED_IN, {"ambition": "RP"}),
    "maps.spread_map_timeline": (SIGNED_IN, {"ambition": "RP"}),
    "maps.outline_svg": (SIGNED_IN, {}),
    "measures.measures": (SIGNED_IN, {}),
    "measures.measure": (SIGNED_IN, {"code": "RP-RESTRAINT"}),
    "measures.new_measure": (EDITORS, {}),
    "measures.edit_measure": (EDITORS, {"code": "RP-RESTRAINT"}),
    # Wards of RNU: the demo trust user's own trust, in the demo faculty member's network (OXF). Who
    # may not add or change another organisation's wards is in tests/test_measures_wards.py.
    "measures.wards": (SIGNED_IN, {"ods": "RNU"}),
    "measures.new_ward": (SIGNED_IN, {"ods": "RNU"}),
    "measures.edit_ward": (SIGNED_IN, {"ward_id": "ward"}),  # a ward of RNU
    "measures.chart": (SIGNED_IN, {"code": "RP-RESTRAINT", "organisation": "RNU"}),
    "measures.chart_download": (SIGNED_IN, {"code": "RP-RESTRAINT", "network": "OXF", "format": "csv"}),
    "measures.add_rebase": (EDITORS, {"code": "RP-RESTRAINT", "organisation": "RNU"}),
    "measures.remove_rebase": (EDITORS, {"code": "RP-RESTRAINT", "rebase_id": 1, "organisation": "RNU"}),
    # Values: every role reads; writing needs record_values on the organisation (RNU: all four roles;
    # the 403s for other organisations are in test_values*.py).
    "measures.values": (SIGNED_IN, {"ods": "RNU"}),
    "measures.new_value": (SIGNED_IN, {"ods": "RNU", "code": "RP-RESTRAINT"}),
    "measures.edit_value": (SIGNED_IN, {"value_id": "value"}),
    "measures.import_values": (SIGNED_IN, {}),
    "measures.import_template": (SIGNED_IN, {}),
    "api.measures": (SIGNED_IN, {}),
    "api.measure_values": (SIGNED_IN, {"code": "RP-RESTRAINT", "organisation": "RNU"}),
    "api.record_measure_value": (SIGNED_IN, {"code": "RP-RESTRAINT"}),
    "measures.summary": (SIGNED_IN, {"network": "OXF", "ambition": "RP"}),
    "measures.summary_download": (SIGNED_IN, {"fmt": "csv", "ambition": "RP"}),
    # Reminders: faculty see their networks' records that need an update, managers and admins every one.
    "reminders.needs_update": (LOGGERS, {}),
    "reminders.account": (SIGNED_IN, {}),
    "reminders.follow_idea": (SIGNED_IN, {"code": "RP-01"}),
    "reminders.follow_organisation": (SIGNED_IN, {"ods": "RNU"}),
}


# --- reading pages ------------------------------------------------------------------------------


def page_text(markup: str) -> str:
    """What a reader sees: tags removed, entities decoded, white space collapsed."""
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()
    return re.sub(r"\(\s+", "(", re.sub(r"\s+([,.:;)])", r"\1", text))


def figure(markup: str, name: str) -> str:
    """The text of the element marked data-figure=name (a headline figure)."""
    match = re.search(rf'data-figure="{name}">([^<]+)<', markup)
    assert match, f"no {name} figure"
    return match.group(1).strip()


def pct(value: float) -> str:
    """A share as the pages show it: 0.125 → "12.5%"."""
    return f"{value * 100:.1f}%"


def region(markup: str, element_id: str) -> str:
    """The markup from the heading with this id to the next h2."""
    start = markup.index(f'id="{element_id}"')
    end = markup.find("<h2", start + 1)
    return markup[start : end if end > 0 else len(markup)]


def rows_of(markup: str) -> list[list[str]]:
    """Each body row of the first table in the markup, cell by cell, as text."""
    body = markup[markup.index("<tbody") : markup.index("</tbody>")]
    return [
        [page_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


# --- importing adoption events from CSV ---------------------------------------------------------

HEADER = (
    "ods_code,intervention_code,stage,effective_date,wards_using,wards_in_scope,note,evidence_url,discontinued_reason"
)
GOOD = "RNU,SS-01,implementing,2024-05-01,2,10,Started on Ward 3,https://example.org/report,"
IMPORT_URL = "/spreadsheets/import"


def csv_bytes(*lines: str, bom: bool = False, newline: str = "\r\n") -> bytes:
    text = newline.join(lines) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def counts(app) -> tuple[int, int]:
    """Events and current records in the database, read in a short transaction of its own."""
    with Session(bind=tracker_db.get_engine(app)) as s:
        return (
            s.scalar(select(func.count()).select_from(AdoptionEvent)),
            s.scalar(select(func.count()).select_from(Adoption)),
        )


def upload(client, content: bytes, name: str = "adoption.csv"):
    """Send a file to the import page, as its form does."""
    return client.submit(IMPORT_URL, {"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def run(app, *args):
    """`flask adoption import ARGS` on the app."""
    return app.test_cli_runner().invoke(args=["adoption", "import", *map(str, args)])


# --- the plain recomputation: written from DOMAIN.md, sharing no code with the app ----------------

RANK = {"considering": 1, "testing": 2, "implementing": 3, "spreading": 4, "sustained": 5}


@dataclass(frozen=True)
class Org:
    ods: str
    network: str | None
    opened_on: date | None
    closed_on: date | None

    def open_on(self, day: date) -> bool:
        return (self.opened_on is None or self.opened_on <= day) and (self.closed_on is None or day < self.closed_on)


def every_organisation(session) -> list[Org]:
    """Every organisation in the database, as the recomputation sees it; ends the read transaction."""
    rows = session.execute(
        select(Organisation.ods_code, Network.code, Organisation.opened_on, Organisation.closed_on).outerjoin(
            Organisation.network
        )
    )
    orgs = [Org(*row) for row in rows]
    session.commit()
    return orgs


def month_ends(start: date, end: date) -> list[date]:
    """The last day of each month from start's to end's."""
    days, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        days.append(date(year, month, 1) - timedelta(days=1))
    return days


def digest(rows) -> str:
    """One hash of the rows' values (enums as their stored values, as the generator gives them)."""
    h = hashlib.sha256()
    for row in rows:
        h.update(repr(sorted((k, v.value if isinstance(v, enum.Enum) else v) for k, v in row.items())).encode())
    return h.hexdigest()
