"""Sign-in limits per client address, per subnet and for new addresses service-wide: refused before any hash.

Whether a password was checked is observed by counting calls of the real verify_password (it still runs).
"""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import FormClient, count_statements
from tracker.auth import services
from tracker.auth.address_throttle import Limit, NetworkPolicy, keys_for
from tracker.models import AuditEvent, SignInThrottle, utcnow
from tracker.seed import DEMO_PASSWORD

TRUST = "trust@demo.invalid"
POLICY = services.ThrottlePolicy(
    free_failures=3, lock_after=10, lock_minutes=15, window_minutes=15, hash_iterations=1_000
)
NETWORK = NetworkPolicy(
    address=Limit(free=3, lock_after=6, lock_minutes=15, window_minutes=15),
    subnet=Limit(free=100, lock_after=200, lock_minutes=15, window_minutes=15),
    new_per_second=0,
    new_burst=1,
    known_days=30,
)
SMALL = {  # the same limits, for the web
    "SIGN_IN_ADDRESS_FREE_FAILURES": 3,
    "SIGN_IN_ADDRESS_LOCK_AFTER": 6,
    "SIGN_IN_SUBNET_FREE_FAILURES": 3,
    "SIGN_IN_SUBNET_LOCK_AFTER": 50,
}


@pytest.fixture
def checks(monkeypatch) -> list[str]:
    """The hashes of every password checked from now on (the real check still runs)."""
    seen: list[str] = []
    real = services.verify_password

    def counting(password_hash: str, password: str) -> bool:
        seen.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(services, "verify_password", counting)
    return seen


def attempt(session, email, password, at, address="203.0.113.5", network=NETWORK):
    return services.sign_in(session, email, password, POLICY, now=at, address=address, network=network)


def test_many_accounts_from_one_address_are_slowed_then_refused(seeded, checks):
    t0 = utcnow()
    for n in range(3):  # free: each a different account, so no per-email count slows them
        assert attempt(seeded, f"person{n}@example.nhs.uk", "Winter2026!", t0).error == services.BAD_CREDENTIALS
    assert len(checks) == 3
    refused = attempt(seeded, "person3@example.nhs.uk", "Winter2026!", t0)
    assert refused.error == "Too many attempts to sign in from your network. Wait 1 second and try again."
    assert refused.retry_after == 1
    assert len(checks) == 3  # refused before any hash
    # Each further attempt must wait twice as long.
    assert attempt(seeded, "person3@example.nhs.uk", "x", t0 + timedelta(seconds=1)).error == services.BAD_CREDENTIALS
    assert "Wait 2 seconds" in attempt(seeded, "person4@example.nhs.uk", "x", t0 + timedelta(seconds=1)).error
    assert attempt(seeded, "person4@example.nhs.uk", "x", t0 + timedelta(seconds=3)).error == services.BAD_CREDENTIALS
    assert attempt(seeded, "person5@example.nhs.uk", "x", t0 + timedelta(seconds=7)).error == services.BAD_CREDENTIALS
    # The sixth failure locked the address: even the right password of a real account is refused, unchecked,
    # with the same answer as for an address no account has.
    checked = len(checks)
    at = t0 + timedelta(minutes=1)
    known, unknown = attempt(seeded, TRUST, DEMO_PASSWORD, at), attempt(seeded, "nobody@example.nhs.uk", "x", at)
    assert known.error == unknown.error == "Too many attempts to sign in from your network. Try again in 15 minutes."
    assert known.retry_after == unknown.retry_after == 15 * 60 - 53
    assert len(checks) == checked
    # Another address is not held to it; and the lock ends.
    assert attempt(seeded, TRUST, DEMO_PASSWORD, at, address="192.0.2.1").user is not None
    assert attempt(seeded, TRUST, DEMO_PASSWORD, t0 + timedelta(seconds=7, minutes=15)).user is not None


def test_a_success_forgives_its_attempt_and_makes_the_address_known(seeded):
    t0 = utcnow()
    for n in range(5):
        assert attempt(seeded, TRUST, DEMO_PASSWORD, t0 + timedelta(minutes=n)).user is not None
    address = seeded.get(SignInThrottle, keys_for("203.0.113.5")[0], populate_existing=True)
    assert address.attempts == 0 and address.last_success_at is not None


def test_new_addresses_in_one_subnet_are_limited(seeded, make_app, checks):
    client = FormClient(make_app(**SMALL).test_client())
    for host in (1, 2, 3):  # a new address each time, one attempt each: only the subnet's count grows
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{host}"
        assert services.BAD_CREDENTIALS in client.sign_in(f"person{host}@example.nhs.uk", "Winter2026!").get_data(True)
    client.environ_base["REMOTE_ADDR"] = "198.51.100.200"
    refused = client.sign_in(TRUST)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert "Too many attempts to sign in from your network. Wait 1 second" in html.unescape(refused.get_data(True))
    assert len(checks) == 3
    client.environ_base["REMOTE_ADDR"] = "198.51.101.1"  # the next /24 is another subnet
    assert client.sign_in(TRUST).status_code == 302


def test_ipv6_addresses_are_grouped_by_their_64(seeded, make_app, checks):
    client = FormClient(make_app(**SMALL).test_client())
    for host in range(1, 4):
        client.environ_base["REMOTE_ADDR"] = f"2001:db8:1:2::{host}"
        client.sign_in(f"person{host}@example.nhs.uk", "Winter2026!")
    client.environ_base["REMOTE_ADDR"] = "2001:db8:1:2:ffff::9"
    assert client.sign_in(TRUST).status_code == 429
    client.environ_base["REMOTE_ADDR"] = "2001:db8:1:3::1"
    assert client.sign_in(TRUST).status_code == 302
    assert len(checks) == 4
    assert keys_for("2001:db8:1:2::1") == ("address 2001:db8:1:2::1", "subnet 2001:db8:1:2::/64")
    assert keys_for("::ffff:192.0.2.7") == ("address 192.0.2.7", "subnet 192.0.2.0/24")


def test_new_addresses_share_a_service_wide_budget_known_ones_do_not(seeded, checks):
    network = NetworkPolicy(
        address=NETWORK.address, subnet=NETWORK.subnet, new_per_second=1, new_burst=2, known_days=30
    )
    t0 = utcnow()
    # Someone signs in from the trust's address: it is known from now on.
    assert attempt(seeded, TRUST, DEMO_PASSWORD, t0, address="192.0.2.10", network=network).user is not None
    assert attempt(seeded, "a@example.nhs.uk", "x", t0, address="203.0.113.1", network=network).error
    busy = attempt(seeded, "b@example.nhs.uk", "x", t0, address="198.51.100.1", network=network)
    assert busy.error == "Many people are signing in at the moment. Wait 1 second and try again."
    assert busy.retry_after == 1
    assert len(checks) == 2
    # The known address is not held to the budget; a second later the new one may try.
    assert attempt(seeded, TRUST, DEMO_PASSWORD, t0, address="192.0.2.10", network=network).user is not None
    later = t0 + timedelta(seconds=1)
    assert attempt(seeded, "b@example.nhs.uk", "x", later, address="198.51.100.1", network=network).error == (
        services.BAD_CREDENTIALS
    )
    assert len(checks) == 4


def test_the_limit_is_shared_by_every_server_process(seeded, make_app, checks):
    first, second = (FormClient(make_app(**SMALL).test_client()) for _ in range(2))
    for client in (first, second):
        client.environ_base["REMOTE_ADDR"] = "203.0.113.77"
    for n in range(3):
        first.sign_in(f"person{n}@example.nhs.uk", "Winter2026!")
    assert second.sign_in(TRUST).status_code == 429  # another app, the same database: the same count
    assert len(checks) == 3


def test_the_first_refusal_of_a_run_is_audited_the_rest_counted(seeded, make_app):
    client = FormClient(make_app(**SMALL).test_client())
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for n in range(8):  # three failures, then five refusals
        client.sign_in(f"person{n}@example.nhs.uk", "Winter2026!")
    seeded.rollback()
    [row] = seeded.scalars(select(AuditEvent).filter_by(action="sign_in_refused"))
    assert (row.entity_key, row.remote_addr) == ("person3@example.nhs.uk", "203.0.113.9")
    assert row.detail.startswith("Too many attempts to sign in from your network.")
    address = seeded.get(SignInThrottle, "address 203.0.113.9")
    assert (address.attempts, address.refusals) == (3, 5)


def test_the_audit_page_says_why_a_sign_in_was_refused(seeded, make_app):
    client = FormClient(make_app(**SMALL, SIGN_IN_NEW_ADDRESS_CHECKS_PER_SECOND=0).test_client())
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for n in range(4):
        client.sign_in(f"person{n}@example.nhs.uk", "Winter2026!")
    client.environ_base["REMOTE_ADDR"] = "192.0.2.1"
    client.sign_in_as("admin")
    page = html.unescape(client.get("/admin/audit?action=sign_in_refused").get_data(as_text=True))
    assert (
        "Sign-in refused for person3@example.nhs.uk: too many attempts from the same address or subnet in a row" in page
    )


def test_what_the_throttle_costs_in_statements(seeded, app):
    client = FormClient(app.test_client())
    token = client.csrf_token("/sign-in")

    def statements_of(email: str, password: str, status: int) -> list[str]:
        with count_statements(app) as statements:
            response = client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})
        assert response.status_code == status
        return statements

    # A failure from a new address: the address's and subnet's rows (made if missing, locked), the service's
    # budget, then as before the email's count, the account and the audit entry.
    assert len(statements_of("nobody@example.nhs.uk", "x", 200)) == 10
    # A success adds the forgiving of the attempt (the rows again, locked) and the account's sign-in time.
    assert len(statements_of(TRUST, DEMO_PASSWORD, 302)) == 20
