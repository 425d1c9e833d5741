"""Fuzz every route with bad input, as every role: whatever arrives, the answer is never a 500.

The targets come from the app's own URL map, so a new route is fuzzed without a change here:
- every GET route, with nasty values in its path segments and query strings (NUL, huge numbers,
  far dates, random unicode, very long strings, bytes that are not UTF-8);
- every form (POST with the session's CSRF token): the fields its page shows, each kept, given a
  nasty value or replaced by a file, and malformed bodies;
- every JSON write of the API: malformed JSON and values of the wrong type.
Each target gets the full treatment (every kind of trouble in every field, then random examples)
from one role allowed to use it, the roles taking turns; every other role sends one request mixing
the kinds. Hypothesis is derandomised and remembers nothing, so CI sends the same requests every
time; TRACKER_FUZZ_EXAMPLES=50 TRACKER_FUZZ_RANDOM=1 runs a longer, random search by hand.
"""

from __future__ import annotations

import io
import json
import os
import re
from datetime import date
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.routing import AnyConverter, IntegerConverter

from tests.helpers import HASH_ITERATIONS, FormClient
from tracker.access import PUBLIC, rule_for
from tracker.admin.services import AccountDetails, create_user
from tracker.auth.tokens import issue_token
from tracker.catalogue.services import DriverDetails, create_driver
from tracker.models import (
    AmbitionTarget,
    ApiToken,
    ChangeIdea,
    ChangePackage,
    Driver,
    LearningLink,
    Measure,
    MeasureValue,
    Network,
    Organisation,
    PackageStatus,
    Role,
    Ward,
    WardService,
)
from tracker.seed.demo_history import load_demo_history

MEASURE = "RP-RESTRAINT"
EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "2"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=not os.environ.get("TRACKER_FUZZ_RANDOM"),
    database=None,  # nothing remembered between runs: CI replays exactly the same requests
    deadline=None,
    phases=(Phase.explicit, Phase.generate),  # report the request as sent; shrinking costs minutes
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)
ROLES = ("anonymous", "trust", "faculty", "manager", "admin")
# Signing out would change who the rest of the run is; the JSON writes have their own fuzz below.
NOT_FORMS = frozenset(
    {
        "auth.sign_out",
        "api.log_adoption",
        "api.create_link",
        "api.delete_link",
        "api.spc",
        "api.record_measure_value",
        "api.simulate",
        "api.create_target",
        "api.update_target",
    }
)
QUERY_NAMES = (
    "organisation",
    "intervention",
    "ambition",
    "network",
    "as_of",
    "start",
    "end",
    "open_on",
    "q",
    "page",
    "min_stage",
    "horizon_months",
    "k",
    "threshold",
    "role",
    "status",
    "since",
    "until",
    "action",
    "entity",
    "actor",
    "next",
    "parent",
    "driver",
    "idea",
    "layout",
    "kind",
    "source",
    "target",
    "measure",
    "ward",
    "limit",
    "cursor",
    "logged_since",
)
NASTY = (
    "\x00",
    "RNU\x00",
    "%00",
    "9" * 400,
    str(2**31),
    str(2**31 - 1),
    str(2**63),
    str(-(2**63) - 1),
    "-1",
    "0",
    "1e309",
    "NaN",
    "inf",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2024-02-30",
    "0000-00-00",
    "31/12/9999",
    "x" * 5000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "\u202eevil",
    "😀",
    " ",
    "",
    "\r\n",
)
# One of each kind of trouble, sent to every route and form as well as the random examples.
# NUL is refused before any view reads the request, so it goes alone; the rest mix in one request.
NUL = "\x00"
KINDS = ("9" * 400, "9999-12-31", str(2**31), "x" * 5000, "0001-01-01", "-1")
SWEPT = KINDS[:4]  # each also sent in every field at once, to the route's main role
FILE = ("file", b"a,b\r\n1,2\r\n")
# Fields of the forms that have no page of their own (buttons on other pages).
EXTRA_FIELDS = ("row_version", "expected_version", "direction", "status", "ticket")
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
VALUE = st.one_of(
    st.sampled_from(NASTY),
    TEXT,
    st.integers().map(str),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.binary(max_size=20).map(lambda b: b.decode("latin-1")),
)
FORM_VALUE = st.one_of(
    VALUE,
    st.binary(max_size=200).map(lambda b: ("file", b)),  # a file where a text field was expected
)
JSON_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(NASTY),
    TEXT,
)
JSON_VALUE = st.one_of(
    JSON_SCALAR,
    st.lists(JSON_SCALAR, max_size=3),
    st.dictionaries(TEXT, JSON_SCALAR | st.lists(JSON_SCALAR, max_size=2), max_size=3),
)
BAD_BODY = st.tuples(
    st.binary(max_size=300) | st.sampled_from([b"\x00", b"a=%00", b"{", b"--x\r\n", b"[" * 5000, b"%FF=%FE"]),
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "multipart/form-data",
            "application/json",
            "text/plain",
        ]
    ),
)
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"[^>]*>')
VALUE_ATTR = re.compile(r'\bvalue="([^"]*)"')


@pytest.fixture
def world(seeded, app):
    """Demo data (a short history), a draft package, a spare account with a token; a real value per path part."""
    session = seeded
    load_demo_history(session, date(2021, 9, 30))
    draft, package = session.scalars(select(ChangePackage).order_by(ChangePackage.id).limit(2))
    draft.status = PackageStatus.DRAFT  # in the lists and spreadsheets; the routes use a published one
    spare = create_user(
        session,
        AccountDetails(email="spare@example.nhs.uk", name="Spare", role="faculty"),
        "correct horse battery staple 42",
        HASH_ITERATIONS,
    )
    issue_token(session, spare)
    create_driver(session, package, DriverDetails(title="Safer observation"))
    first = session.scalar(select(Organisation).order_by(Organisation.id))
    session.add(Ward(organisation=first, name="Fuzz Ward", service=WardService.OTHER))
    session.commit()
    return {
        "ods": session.scalar(select(Organisation.ods_code).order_by(Organisation.id)),
        "code": session.scalar(select(ChangeIdea.code).where(ChangeIdea.package_id == package.id)),
        "package": package.code,
        "network": session.scalar(select(Network.code).order_by(Network.id)),
        "driver_id": session.scalar(select(Driver.id).order_by(Driver.id)),
        "user_id": spare.id,
        "token_id": session.scalar(select(ApiToken.id).where(ApiToken.user_id == spare.id)),
        "link_id": session.scalar(select(LearningLink.id).order_by(LearningLink.id)),
        "ward_id": session.scalar(select(Ward.id)),
        "value_id": _a_value(session),
        "target_id": session.scalar(select(AmbitionTarget.id).order_by(AmbitionTarget.id)),
    }


def _a_value(session) -> int:
    """A measure value at the first organisation, for the values pages to open."""
    value = MeasureValue(
        measure_id=session.scalar(select(Measure.id).filter_by(code=MEASURE)),
        organisation_id=session.scalar(select(Organisation.id).order_by(Organisation.id)),
        month=date(2021, 6, 1),
        numerator=3,
        denominator=900,
    )
    session.add(value)
    session.commit()
    return value.id


def _clients(app) -> dict[str, FormClient]:
    clients = {}
    for role in ROLES:
        client = FormClient(app.test_client())
        if role != "anonymous":
            client.sign_in_as(role)
        clients[role] = client
    return clients


def _csrf(html: str) -> str | None:
    tag = CSRF.search(html)
    value = VALUE_ATTR.search(tag.group(0)) if tag else None
    return value.group(1) if value else None


def _real_value(rule, name: str, world: dict) -> str:
    converter = rule._converters[name]
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    if name == "code":
        if "/values" in rule.rule:  # a measure's values
            return MEASURE
        return world["package"] if rule.rule.startswith("/packages") else world["code"]
    if name in ("ods", "network"):
        return world[name]
    if rule.rule.startswith(("/ambitions", "/api/v1/ambitions")):
        return "A1"
    if rule.rule.startswith("/networks"):
        return world["network"]
    return str(world.get(name, 1))


def _path(rule, values: dict[str, str]) -> str:
    def part(match):
        return quote(values[match.group(1)], safe="")

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", part, rule.rule)


def _segment(rule, name: str, world: dict):
    """A path segment: mostly nasty, sometimes the real value (so the query string reaches the view)."""
    converter = rule._converters[name]
    real = _real_value(rule, name, world)
    if isinstance(converter, AnyConverter):
        return st.just(real)
    if isinstance(converter, IntegerConverter):
        return st.sampled_from([real, str(2**31), str(2**31 - 1), "9" * 40, "0", real + "0" * 12])
    return st.one_of(st.just(real), VALUE.filter(lambda v: "/" not in v and v not in ("", ".", "..")))


def _query(names=QUERY_NAMES):
    raw = st.dictionaries(st.sampled_from(names) | TEXT, VALUE, max_size=3).map(lambda d: urlencode(d, quote_via=quote))
    # Bytes as a client may send them (WSGI carries the query string as latin-1 text).
    odd = st.binary(max_size=40).map(lambda b: "as_of=" + b.decode("latin-1") + "&organisation=%00&page=" + "9" * 30)
    return raw | odd


def _nasty_segments(rule, value: str) -> dict[str, str]:
    """The rule's path parts that can carry `value` (an int part only a number, an any-part nothing)."""
    parts = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            continue
        if isinstance(converter, IntegerConverter) and not value.isdigit():
            continue
        parts[name] = value
    return parts


def _get_rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" in rule.methods and rule.endpoint != "static":
            yield rule


def _fuzz(failures: list[str], role: str, strategy, send, explicit=(), examples: int = 0) -> None:
    """Send the explicit examples, then `examples` drawn from `strategy`; record the first 500.

    `send(example)` returns a description of the request and a function that sends it.
    """

    failed: list[str] = []

    @settings(
        FUZZ, max_examples=max(examples, 1), phases=(Phase.explicit, Phase.generate) if examples else (Phase.explicit,)
    )
    @given(case=strategy)
    def check(case):
        if failed:
            return  # one failing request per target is enough to show
        description, request = send(case)
        try:
            response = request()
        except Exception as error:  # noqa: BLE001 - the app raised instead of answering
            failed.append(f"{role} {description[:300]}: raised {error!r}"[:500])
            return
        if response.status_code >= 500:
            failed.append(f"{role} {description[:300]}: {response.status_code}")

    for value in explicit:
        check = example(case=value)(check)
    check()
    failures.extend(failed)


def _allowed(app, endpoint: str) -> list[str]:
    rule = rule_for(app, endpoint)
    if rule == PUBLIC:
        return list(ROLES)
    return [role for role in ROLES[1:] if rule is not None and Role(role) in rule]


def _plan(app, rules):
    """Each (rule, role, share): the full fuzz for one allowed role per rule (taking turns), one mixed
    request for the others: every role meets every route, and the run stays short."""
    for index, rule in enumerate(rules):
        allowed = _allowed(app, rule.endpoint)
        primary = allowed[index % len(allowed)] if allowed else "anonymous"
        for role in ROLES:
            yield rule, role, "full" if role == primary else "mixed"


def _mixed(names) -> dict[str, str]:
    """One value of each nasty kind, spread over the names."""
    return {name: KINDS[i % len(KINDS)] for i, name in enumerate(names)}


def test_no_get_route_answers_500(app, world):
    clients = _clients(app)
    failures: list[str] = []
    for rule, role, share in _plan(app, list(_get_rules(app))):
        real = {name: _real_value(rule, name, world) for name in rule.arguments}
        segments = st.fixed_dictionaries({name: _segment(rule, name, world) for name in rule.arguments})
        explicit = [(real, urlencode(_mixed(QUERY_NAMES), quote_via=quote))]
        if share == "full":
            explicit += [(real, urlencode(dict.fromkeys(QUERY_NAMES, v), quote_via=quote)) for v in (NUL, *SWEPT)]
            explicit += [
                ({**real, **_nasty_segments(rule, v)}, "")
                for v in (NUL, "9" * 400, str(2**31), "x" * 5000)
                if _nasty_segments(rule, v)
            ]

        def send(example, client=clients[role], rule=rule):
            values, query = example
            url = _path(rule, values)
            return f"GET {url}?{query}", lambda: client.get(url, query_string=query)

        _fuzz(failures, role, st.tuples(segments, _query()), send, explicit, EXAMPLES if share == "full" else 0)
    assert not failures, "\n".join(failures)


def _form_targets(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "POST" in rule.methods and rule.endpoint not in NOT_FORMS:
            yield rule


def _fields(client, url: str) -> dict[str, str]:
    """The fields of the form on the page (its first value each); none if the page is not a form."""
    response = client.get(url)
    if response.status_code != 200 or response.mimetype != "text/html":
        return {}
    fields: dict[str, str] = {}
    for tag in FIELD.finditer(response.get_data(as_text=True)):
        name = tag.group(1)
        if name in fields or name == "csrf_token" or name == "q":
            continue
        value = VALUE_ATTR.search(tag.group(0))
        fields[name] = value.group(1) if value else ""
    return fields


def _form_data(fields: dict[str, str], csrf: str | None):
    names = list(fields) or list(EXTRA_FIELDS)
    changes = st.dictionaries(st.sampled_from(names) | TEXT.filter(bool), FORM_VALUE, max_size=4)
    token = st.just(csrf or "") | st.sampled_from(["", "\x00", "x" * 300])
    weights = st.sampled_from([True, True, True, False])

    def build(changes, token, good_token):
        return {**fields, **changes, "csrf_token": token if not good_token else (csrf or "")}

    return st.builds(build, changes, token, weights)


def test_no_form_answers_500(app, world):
    clients = _clients(app)
    csrf = {
        role: _csrf(c.get("/sign-in" if role == "anonymous" else "/").get_data(as_text=True))
        for role, c in clients.items()
    }
    failures: list[str] = []
    fields: dict[str, dict[str, str]] = {}
    for rule, role, share in _plan(app, list(_form_targets(app))):
        url = _path(rule, {name: _real_value(rule, name, world) for name in rule.arguments})
        if rule.endpoint not in fields:  # the form as the most able role sees it
            fields[rule.endpoint] = _fields(clients["admin"], url) if "GET" in rule.methods else {}
        names = fields[rule.endpoint]
        token = {"csrf_token": csrf[role] or ""}
        explicit = [("form", {**names, **_mixed(names or EXTRA_FIELDS), **token})]
        if share == "full":
            every = names or EXTRA_FIELDS
            explicit += [("form", {**dict.fromkeys(every, v), **token}) for v in (NUL, *SWEPT, FILE)]
            explicit += [("raw", (b"a=%00&" + b"%FF" * 10 + b"&=", "multipart/form-data"))]
        body = st.one_of(_form_data(names, csrf[role]).map(lambda d: ("form", d)), BAD_BODY.map(lambda b: ("raw", b)))

        def send(body, client=clients[role], url=url):
            kind, value = body
            if kind == "form":
                shown = {k: (v if isinstance(v, str) else "<file>") for k, v in value.items()}
                data = {k: (io.BytesIO(v[1]), "x.csv") if isinstance(v, tuple) else v for k, v in value.items()}
                return f"POST {url} {shown!r}", lambda: client.post(url, data=data)
            return f"POST {url} {value!r}", lambda: client.post(url, data=value[0], content_type=value[1])

        _fuzz(failures, role, body, send, explicit, EXAMPLES if share == "full" else 0)
    assert not failures, "\n".join(failures)


API_WRITES = {
    "/api/v1/adoptions": (
        "organisation",
        "intervention",
        "stage",
        "effective_date",
        "wards_using",
        "wards_in_scope",
        "note",
        "evidence_url",
        "discontinued_reason",
        "corrects",
        "expected_version",
    ),
    "/api/v1/links": ("source", "target", "kind", "weight", "start_date", "end_date", "note"),
    "/api/v1/measures/RP-RESTRAINT/values": (
        "organisation",
        "ward",
        "month",
        "numerator",
        "denominator",
        "note",
        "expected_version",
    ),
    "/api/v1/simulate": ("ambition", "process", "adopters", "runs", "seed", "p"),
    "/api/v1/ambitions/RP/targets": ("label", "text", "target_date", "measure", "value", "network", "source_url"),
    # Another method than POST is named before the address; {…} from the world fixture.
    "PUT /api/v1/targets/{target_id}": (
        "label",
        "text",
        "target_date",
        "measure",
        "value",
        "network",
        "source_url",
        "row_version",
    ),
    "/api/v1/spc": (
        "values",
        "dates",
        "improvement_direction",
        "target",
        "fix_after_n_points",
        "rebase_dates",
        "screen_outliers",
    ),
}


def test_no_api_write_answers_500(app, world):
    clients = _clients(app)
    failures: list[str] = []
    good = {
        "organisation": world["ods"],
        "intervention": world["code"],
        "stage": "testing",
        "effective_date": "2024-05-01",
        "source": world["ods"],
        "target": "RNU",
        "kind": "other",
        "weight": 3,
        "values": [1, 2.5, None, 4],
        "dates": ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"],
        "improvement_direction": "increase",
        "rebase_dates": ["2024-03-01"],
        "month": "2021-07",
        "numerator": 4,
        "denominator": 1000,
        "ambition": "RP",
        "process": "independent_cascade",
        "adopters": [world["ods"]],
        "runs": 50,
        "label": "Fuzzed target",
        "text": "Every trust reached",
        "target_date": "2030-03-31",
        "measure": "reach",
        "value": 80,
        "row_version": 1,
    }
    wrong = ("\x00", 10**400, -(2**63), 2**31, 1e308, True, None, [], {"a": [1]}, "9999-12-31", "x" * 5000)
    for role, client in clients.items():
        csrf = _csrf(client.get("/sign-in" if role == "anonymous" else "/").get_data(as_text=True)) or ""
        for address, names in API_WRITES.items():
            method, _, url = address.rpartition(" ")
            method, url = method or "POST", url.format(**world)
            valid = {k: good[k] for k in names if k in good}
            body = st.one_of(
                st.dictionaries(st.sampled_from(names) | TEXT, JSON_VALUE, max_size=5).map(
                    lambda d, valid=valid: json.dumps({**valid, **d}).encode()
                ),
                JSON_VALUE.map(lambda v: json.dumps(v).encode()),
                BAD_BODY.map(lambda b: b[0]),
            )
            explicit = [json.dumps({**valid, **dict.fromkeys(names, v)}).encode() for v in wrong]
            if role == "manager":  # the role that may use them all: each field wrong alone as well
                explicit += [json.dumps({**valid, name: v}).encode() for name in names for v in wrong[:4]]
            else:
                explicit = explicit[:3]

            def send(body, client=client, url=url, method=method, csrf=csrf):
                headers = {"X-CSRFToken": csrf}
                return f"{method} {url} {body[:200]!r}", lambda: client.open(
                    url, method=method, data=body, content_type="application/json", headers=headers
                )

            _fuzz(failures, role, body, send, explicit, EXAMPLES if role == "manager" else 0)

        def delete(link, client=client, csrf=csrf):
            return f"DELETE /api/v1/links/{link}", lambda: client.delete(
                f"/api/v1/links/{link}", headers={"X-CSRFToken": csrf}
            )

        ids = [str(2**31), "9" * 40, "0", str(world["link_id"])]
        _fuzz(failures, role, st.sampled_from(ids), delete, ids)
    assert not failures, "\n".join(failures)


def test_the_fuzz_reaches_every_route(app):
    """A guard on the fuzz itself: every GET route and every form is among its targets."""
    gets = {r.endpoint for r in _get_rules(app)}
    forms = {r.endpoint for r in _form_targets(app)}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint in NOT_FORMS:
            continue
        assert rule.endpoint in gets | forms, rule
    assert len(forms) > 20
