"""Benchmark: the load a region brings. gunicorn on loopback at national scale, under wrk at 20 connections.

    .venv/bin/python bench/load.py [--seconds 10] [--warmup 2] [--connections 20] [--workers N]
                                   [--database-dir /tmp/tracker-bench] [--postgres postgresql+psycopg://…]

Needs wrk (Debian: `apt-get install wrk`). Builds the national-scale database once (250 organisations,
150 change ideas, 100,000 events: the same as bench/coverage.py's "national", kept in --database-dir or, with
--postgres, in a schema bench_national of that database), starts gunicorn with the repository's
gunicorn.conf.py (access log off), signs a faculty member in and issues them an API token, then runs wrk
against each route in turn (after checking it answers 200 itself, not a redirect), each right after a run
against /healthz, the same app's hello-world route, so that every route's throughput is a ratio of what
this machine serves at all just then. Each route first gets --warmup seconds of load that are not
measured (every worker computes and keeps the page once, as on a server that has been up a minute); the first request's own time is printed as "first". Prints requests
per second, that ratio, the median and 99th-percentile latency and errors (non-2xx answers and socket
errors).

Targets (issue 13): 0 errors; dashboard and coverage API ≥ 25% of hello, network API and spread map page
≥ 10%; p99 < 250 ms for every page at 20 connections.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker import create_app, migrate, synth  # noqa: E402
from tracker.admin.services import AccountDetails, create_user  # noqa: E402
from tracker.auth.tokens import issue_token  # noqa: E402
from tracker.db import get_engine, write_session  # noqa: E402
from tracker.models import User  # noqa: E402

EMAIL = "load@example.nhs.uk"
PASSWORD = "orbit-lantern-meadow-quarry-2026"
SECRET_KEY = "load-bench-" + "k" * 40
NATIONAL = synth.SynthSpec(250, 150, 100_000, 1)
HELLO = "/healthz"
# Sent at sign-in and by wrk, as one browser would: Flask-Login marks a session seen from another browser
# (address and User-Agent) as not fresh, and as wrk never keeps the cookie that says so, every request
# would write the session cookie anew, which no browser's requests do.
USER_AGENT = "Spread Tracker load bench"
# (name, path, uses the API token, target share of hello)
ROUTES = [
    ("dashboard", "/", False, 0.25),
    ("coverage API", "/api/v1/coverage?ambition=RP", True, 0.25),
    ("network API", "/api/v1/network?ambition=RP", True, 0.10),
    ("spread map page", "/spread-map?ambition=RP", False, 0.10),
    ("coverage report", "/coverage?ambition=RP", False, None),
    ("forecast page", "/forecast?ambition=RP", False, None),
]
P99_TARGET_MS = 250.0


def database_url(args) -> str:
    if not args.postgres:
        folder = Path(args.database_dir)
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder / 'national.sqlite3'}"
    engine = create_engine(args.postgres)
    with engine.begin() as connection:
        connection.execute(text('CREATE SCHEMA IF NOT EXISTS "bench_national"'))
    engine.dispose()
    url = make_url(args.postgres).update_query_dict({"options": "-csearch_path=bench_national"})
    return url.render_as_string(hide_password=False)


def prepare(url: str) -> str:
    """Build the database if it is missing and give the bench account; returns an API token."""
    app = create_app({"SECRET_KEY": SECRET_KEY, "DATABASE_URL": url, "PASSWORD_HASH_ITERATIONS": 1_000})
    if not inspect(get_engine(app)).has_table("alembic_version"):
        print("Building the national-scale database …", file=sys.stderr)
        migrate.upgrade(app)
        with write_session(app) as session:
            synth.load(session, NATIONAL)
    migrate.upgrade(app)
    with write_session(app) as session:
        user = session.scalar(select(User).filter_by(email=EMAIL))
        if user is None:
            # Faculty: pages as a signed-in member of staff sees them, with no MFA step (managers have one).
            user = create_user(session, AccountDetails(email=EMAIL, role="faculty", name="Load"), PASSWORD, 1_000)
        token = issue_token(session, user)
        session.commit()
    return token


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(url: str, port: int, workers: int | None) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "SESSION_COOKIE_SECURE": "false",
        "TRACKER_BIND": f"127.0.0.1:{port}",
        "TRACKER_ACCESS_LOG": "off",
    }
    if workers:
        env["TRACKER_WORKERS"] = str(workers)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen([gunicorn, "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # a bounded wait for start-up, not a sleep in a measurement
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{HELLO}", timeout=1) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def session_cookie(base: str) -> str:
    """Sign the bench manager in through the form; the session cookie's Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(base + "/sign-in").read().decode()
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": csrf, "email": EMAIL, "password": PASSWORD}).encode()
    opener.open(urllib.request.Request(base + "/sign-in", data=form, headers={"Referer": base + "/sign-in"}))
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "tracker_session" not in cookies:
        raise SystemExit("could not sign in the bench account")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


@dataclass
class Result:
    rate: float
    p50_ms: float
    p99_ms: float
    errors: int


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text_value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text_value).groups()
    return float(number) * UNITS[unit]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def answers_200(url: str, header: str) -> float:
    """The route answers the bench account itself, so wrk measures the page and not a redirect.
    Returns how long that first (computed, not yet kept) answer took, in milliseconds."""
    name, value = header.split(": ", 1)
    opener = urllib.request.build_opener(NoRedirects)
    started = time.perf_counter()
    try:
        request = urllib.request.Request(url, headers={name: value, "User-Agent": USER_AGENT})
        with opener.open(request, timeout=30) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        raise SystemExit(f"{url} answered {status}, not 200: nothing to measure")
    return (time.perf_counter() - started) * 1000


def wrk(url: str, seconds: int, connections: int, header: str | None) -> Result:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s", url]
    command[1:1] = ["-H", f"User-Agent: {USER_AGENT}"]
    if header:
        command[1:1] = ["-H", header]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    return Result(rate, p50, p99, errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load on each route first")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--database-dir", default="/tmp/tracker-bench")
    parser.add_argument("--postgres", help="a PostgreSQL URL to build and serve from, instead of an SQLite file")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench/load.py needs wrk: sudo apt-get install wrk")
    url = database_url(args)
    token = prepare(url)
    port = free_port()
    server = start_gunicorn(url, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        cookie = f"Cookie: {session_cookie(base)}"
        bearer = f"Authorization: Bearer {token}"
        database = "PostgreSQL" if args.postgres else "SQLite"
        print(f"\n{args.connections} connections, {args.seconds} s a run, national scale on {database}.\n")
        print(f"{'route':<18}{'req/s':>9}{'of hello':>10}{'target':>8}{'p50':>10}{'p99':>10}{'errors':>8}{'first':>10}")
        for name, path, api, target in ROUTES:
            header = bearer if api else cookie
            first_ms = answers_200(base + path, header)
            # Warm-up, not measured: each worker computes and keeps the page once, as in a server up for
            # a minute; the "first" column is what the very first request paid.
            wrk(base + path, args.warmup, args.connections, header)
            hello = wrk(base + HELLO, args.seconds, args.connections, None)
            found = wrk(base + path, args.seconds, args.connections, header)
            share = found.rate / hello.rate if hello.rate else 0.0
            aim = f"{target:.0%}" if target else "-"
            print(
                f"{name:<18}{found.rate:>9.1f}{share:>10.1%}{aim:>8}{found.p50_ms:>8.1f}ms"
                f"{found.p99_ms:>8.1f}ms{found.errors:>8}{first_ms:>8.0f}ms"
                f"   (hello {hello.rate:.0f} req/s, {hello.errors} errors)"
            )
        print(f"\nTarget p99 < {P99_TARGET_MS:.0f} ms for every page at {args.connections} connections.")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
