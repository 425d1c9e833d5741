"""Sign-in limits per client address, per subnet and for the whole service, checked before any password is hashed.

Each password check costs ~0.45 s of CPU. Per-email counts (services.py) cannot stop one address trying
many accounts (password spraying), nor new addresses burning CPU. So before the hash, in one short
transaction, an attempt is counted against its address and its subnet (/24, /64) and refused if either has
too many recent attempts: a few are free, then each must wait twice as long (at most max_wait_seconds),
then the address or subnet is locked. The attempt is counted before the hash, so concurrent requests
cannot all slip through, and forgiven when it succeeds, so a trust's shared address that signs in all day
is not held to account for its successes.

Addresses from which nobody has signed in lately are also held to a service-wide budget of password
checks (a leaky bucket: `new_burst` at once, then `new_per_second`): an attacker with thousands of
addresses (an IPv6 /48 holds 65,536 /64s) gets a few free attempts from each, which per-address limits
cannot bound. The budget keeps the CPU for the people using the service; known addresses skip it.

The counts live in sign_in_throttles, shared by every server process: rows are locked for the
transaction (PostgreSQL: SELECT ... FOR UPDATE, in key order so two sign-ins never wait on each other
in a cycle; SQLite: the request's BEGIN IMMEDIATE). Refusals name no account: they come before the email
is even looked up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..addresses import normal_address, subnet_of
from ..models import SignInThrottle

SERVICE_KEY = "service"


@dataclass(frozen=True)
class Limit:
    """How many failed (or running) attempts one address or subnet may make."""

    free: int
    lock_after: int
    lock_minutes: int
    window_minutes: int
    max_wait_seconds: int = 60

    def wait_after(self, attempts: int) -> timedelta:
        if attempts < self.free:
            return timedelta(0)
        return timedelta(seconds=min(2 ** min(attempts - self.free, 30), self.max_wait_seconds))


@dataclass(frozen=True)
class NetworkPolicy:
    address: Limit
    subnet: Limit
    new_per_second: float  # password checks per second for new addresses, service-wide; 0: no budget
    new_burst: int
    known_days: int  # an address someone signed in from within this many days is not new

    @classmethod
    def from_config(cls, config) -> NetworkPolicy:
        lock, window = config["SIGN_IN_LOCK_MINUTES"], config["SIGN_IN_WINDOW_MINUTES"]
        return cls(
            address=Limit(config["SIGN_IN_ADDRESS_FREE_FAILURES"], config["SIGN_IN_ADDRESS_LOCK_AFTER"], lock, window),
            subnet=Limit(config["SIGN_IN_SUBNET_FREE_FAILURES"], config["SIGN_IN_SUBNET_LOCK_AFTER"], lock, window),
            new_per_second=config["SIGN_IN_NEW_ADDRESS_CHECKS_PER_SECOND"],
            new_burst=config["SIGN_IN_NEW_ADDRESS_BURST"],
            known_days=config["SIGN_IN_KNOWN_ADDRESS_DAYS"],
        )


@dataclass(frozen=True)
class Refusal:
    message: str
    retry_after: int  # seconds, for the Retry-After header
    # The first refusal of a run from this address or subnet is audited; the rest are only counted
    # (sign_in_throttles.refusals), so a flood from a locked address does not flood the audit trail.
    audit: bool = True


def keys_for(address: str | None) -> tuple[str, str]:
    """The throttle keys of a client address: its own and its subnet's."""
    return f"address {normal_address(address)}", f"subnet {subnet_of(address)}"


def _rows(session: Session, keys: list[str], now: datetime) -> dict[str, SignInThrottle]:
    """The rows of these keys, made if missing, locked for the rest of the transaction."""
    values = [{"key": key, "attempts": 0, "refusals": 0, "last_attempt_at": now} for key in keys]
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(SignInThrottle).values(values).on_conflict_do_nothing(index_elements=["key"]))
    query = select(SignInThrottle).where(SignInThrottle.key.in_(keys)).order_by(SignInThrottle.key)
    rows = session.scalars(query.with_for_update().execution_options(populate_existing=True))
    return {row.key: row for row in rows}


def _forget_old(row: SignInThrottle, limit: Limit, now: datetime) -> None:
    if row.locked_until is not None and row.locked_until <= now:
        row.attempts, row.locked_until, row.refusals = 0, None, 0
    elif row.locked_until is None and now - row.last_attempt_at > timedelta(minutes=limit.window_minutes):
        row.attempts, row.refusals = 0, 0


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _limit_refusal(row: SignInThrottle, limit: Limit, now: datetime) -> Refusal | None:
    if row.locked_until is not None and row.locked_until > now:
        seconds = _seconds(row.locked_until - now)
        minutes = math.ceil(seconds / 60)
        return Refusal(
            "Too many attempts to sign in from your network. "
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
            seconds,
        )
    ready_at = row.last_attempt_at + limit.wait_after(row.attempts)
    if row.attempts and now < ready_at:
        seconds = _seconds(ready_at - now)
        return Refusal(
            "Too many attempts to sign in from your network. "
            f"Wait {seconds} second{'s' if seconds != 1 else ''} and try again.",
            seconds,
        )
    return None


def _count(row: SignInThrottle, limit: Limit, now: datetime) -> None:
    row.attempts += 1
    row.refusals = 0
    row.last_attempt_at = now
    if row.attempts >= limit.lock_after:
        row.locked_until = now + timedelta(minutes=limit.lock_minutes)


def _service_refusal(session: Session, policy: NetworkPolicy, now: datetime) -> Refusal | None:
    """Spend one password check of the service-wide budget for new addresses (a leaky bucket), or refuse."""
    row = _rows(session, [SERVICE_KEY], now)[SERVICE_KEY]
    drained = int((now - row.last_attempt_at).total_seconds() * policy.new_per_second)
    level = max(0, row.attempts - drained)
    if level >= policy.new_burst:
        seconds = _seconds(timedelta(seconds=(level - policy.new_burst + 1) / policy.new_per_second))
        # Not about this address: counted on the service's row, never audited one by one.
        row.refusals += 1
        return Refusal(
            f"Many people are signing in at the moment. Wait {seconds} second{'s' if seconds != 1 else ''} "
            "and try again.",
            seconds,
            audit=False,
        )
    if drained or not row.attempts:
        row.last_attempt_at = now
    row.attempts = level + 1
    return None


def reserve(session: Session, address: str | None, policy: NetworkPolicy, now: datetime) -> Refusal | None:
    """Count one sign-in attempt from this address before its password is checked; a Refusal if it may not be.

    The caller commits either way (the count, or nothing changed) before hashing anything.
    """
    address_key, subnet_key = keys_for(address)
    rows = _rows(session, sorted((address_key, subnet_key)), now)
    checks = ((rows[address_key], policy.address), (rows[subnet_key], policy.subnet))
    for row, limit in checks:
        _forget_old(row, limit, now)
    for row, limit in checks:
        if refusal := _limit_refusal(row, limit, now):
            row.refusals += 1
            return replace(refusal, audit=row.refusals == 1)
    known_since = now - timedelta(days=policy.known_days)
    last_success = rows[address_key].last_success_at
    new_address = last_success is None or last_success < known_since
    if new_address and policy.new_per_second > 0 and (refusal := _service_refusal(session, policy, now)):
        return refusal
    for row, limit in checks:
        _count(row, limit, now)
    return None


def succeeded(session: Session, address: str | None, now: datetime) -> None:
    """Forgive the attempt counted by reserve(): the right password was given. The address is now known."""
    address_key, subnet_key = keys_for(address)
    rows = _rows(session, sorted((address_key, subnet_key)), now)
    for row in rows.values():
        row.attempts = max(0, row.attempts - 1)
    rows[address_key].last_success_at = now
