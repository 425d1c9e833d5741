"""Refused requests: a signed-in user's go in the audit trail; anyone else's are only counted, per hour,
route and subnet, and the count stops at a cap so a flood costs no more writes."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.helpers import FormClient, count_statements
from tracker.models import AnonymousDenial, AuditEvent


def counts(session) -> dict[tuple[str, str, int], int]:
    session.rollback()
    found = {(d.route, d.subnet, d.status): d.count for d in session.scalars(select(AnonymousDenial))}
    session.rollback()
    return found


def audit_count(session, **filters) -> int:
    session.rollback()
    n = session.scalar(select(func.count()).select_from(AuditEvent).filter_by(**filters))
    session.rollback()
    return n


def test_anonymous_401s_add_no_audit_rows_but_are_counted(seeded, client):
    before = audit_count(seeded)
    for _ in range(5):
        assert client.get("/api/v1/ambitions").status_code == 401
    assert (
        client.get("/api/v1/organisations/RNU", headers={"Authorization": "Bearer st_" + "C" * 43}).status_code == 401
    )
    client.environ_base["REMOTE_ADDR"] = "2001:db8:5:6::1"
    client.get("/api/v1/ambitions")
    assert audit_count(seeded) == before
    assert counts(seeded) == {
        ("GET /api/v1/ambitions", "127.0.0.0/24", 401): 5,
        ("GET /api/v1/organisations/<ods>", "127.0.0.0/24", 401): 1,  # the route, not each path
        ("GET /api/v1/ambitions", "2001:db8:5:6::/64", 401): 1,
    }


def test_a_signed_in_users_refusal_is_still_audited(seeded, signed_in):
    client = signed_in("trust")
    assert client.get("/admin/audit").status_code == 403
    seeded.rollback()
    [row] = seeded.scalars(select(AuditEvent).filter_by(action="denied"))
    assert (row.actor_email, row.detail) == ("trust@demo.invalid", "Answered 403")
    assert counts(seeded) == {}


def test_the_count_stops_at_its_cap_and_writes_nothing_more(seeded, make_app):
    app = make_app(ANONYMOUS_DENIALS_PER_HOUR=3)
    client = FormClient(app.test_client())
    for _ in range(3):
        client.get("/api/v1/ambitions")
    with count_statements(app) as statements:
        for _ in range(5):
            assert client.get("/api/v1/ambitions").status_code == 401  # still refused, only not counted
    assert not [s for s in statements if "anonymous_denials" in s]
    assert counts(seeded) == {("GET /api/v1/ambitions", "127.0.0.0/24", 401): 3}
    # Another process has not seen it full: one upsert that changes nothing, then it too stops.
    other = FormClient(make_app(ANONYMOUS_DENIALS_PER_HOUR=3).test_client())
    other.get("/api/v1/ambitions")
    assert counts(seeded) == {("GET /api/v1/ambitions", "127.0.0.0/24", 401): 3}


def test_a_counted_refusal_costs_one_statement(seeded, app, client):
    client.get("/api/v1/ambitions")
    with count_statements(app) as statements:
        client.get("/api/v1/ambitions")
    assert len([s for s in statements if "anonymous_denials" in s]) == 1


def test_counts_are_kept_by_route_never_by_a_path_the_client_chose():
    from tracker.denials import route_of

    assert route_of("GET", "/api/v1/ideas/<code>") == "GET /api/v1/ideas/<code>"
    assert route_of("GET", None) == "GET (an address the service does not have)"
    assert route_of("BREW", None) == "OTHER (an address the service does not have)"
