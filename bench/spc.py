"""Benchmark: POST /api/v1/spc in-process, by series length, with a bearer token.

    .venv/bin/python bench/spc.py [--runs 20] [--sizes 100,1000,10000] [--database-dir /tmp/tracker-bench]

The calculation is stateless, so the database only holds the account whose token signs the requests
(an SQLite file, made once in --database-dir). Each size is a monthly-dated series with a shift, a
trend and missing values, sent with a target, a rebase and the default screening; the table shows the
median request time and, for comparison, the pure core alone (tracker.core.spc) on the same values.
Target: 1,000 points ≤ 20 ms.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import inspect, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import create_app, migrate  # noqa: E402
from tracker.admin.services import AccountDetails, create_user  # noqa: E402
from tracker.auth.tokens import issue_token  # noqa: E402
from tracker.core import spc as core  # noqa: E402
from tracker.db import get_engine, write_session  # noqa: E402
from tracker.models import User  # noqa: E402

PASSWORD = "bench-mark-lantern-orbit-2026"
BENCH_EMAIL = "bench@example.nhs.uk"
TARGET_MS = {1_000: 20.0}


def build(folder: Path):
    url = f"sqlite:///{folder / 'spc.sqlite3'}"
    app = create_app({"SECRET_KEY": "b" * 48, "DATABASE_URL": url, "PASSWORD_HASH_ITERATIONS": 1_000})
    if not inspect(get_engine(app)).has_table("alembic_version"):
        migrate.upgrade(app)
        with write_session(app) as session:
            create_user(session, AccountDetails(email=BENCH_EMAIL, role="manager", name="Benchmark"), PASSWORD, 1_000)
    with write_session(app) as session:
        token = issue_token(session, session.scalar(select(User).filter_by(email=BENCH_EMAIL)))
    return app, token


def series(n: int) -> dict:
    """n daily points: noise about 50, a step up two thirds of the way, a short trend, a few gaps."""
    values: list[float | None] = []
    for i in range(n):
        noise = ((i * 7919) % 23 - 11) / 2
        step = 12 if i >= 2 * n // 3 else 0
        trend = i - n // 3 if n // 3 <= i < n // 3 + 8 else 0
        values.append(None if i % 97 == 50 else 50 + noise + step + trend)
    days = [(date(2000, 1, 1) + timedelta(days=i)).isoformat() for i in range(n)]
    return {
        "values": values,
        "dates": days,
        "improvement_direction": "increase",
        "target": 55,
        "rebase_dates": [days[2 * n // 3]],
    }


def median_ms(action, runs: int) -> float:
    action()  # warm up
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--database-dir", default="/tmp/tracker-bench")
    args = parser.parse_args()
    folder = Path(args.database_dir)
    folder.mkdir(parents=True, exist_ok=True)
    app, token = build(folder)
    gc.freeze()  # as wsgi.py does once the app is made
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    print(f"\nMedian of {args.runs} requests, POST /api/v1/spc in-process (SQLite holds only the token):")
    print(f"{'points':>10}{'request':>14}{'core alone':>14}{'target':>12}")
    for n in (int(size) for size in args.sizes.split(",")):
        body = series(n)
        rebase = {body["dates"].index(body["rebase_dates"][0])}

        def post(body=body):
            response = client.post("/api/v1/spc", json=body, headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)[:300]

        def calculate(body=body, rebase=rebase):
            core.spc(body["values"], improvement="increase", target=55, rebase_at=rebase)

        request_ms, core_ms = median_ms(post, args.runs), median_ms(calculate, args.runs)
        target = f"≤ {TARGET_MS[n]:.0f} ms" if n in TARGET_MS else ""
        print(f"{n:>10,}{request_ms:>11.1f} ms{core_ms:>11.1f} ms{target:>12}")


if __name__ == "__main__":
    main()
