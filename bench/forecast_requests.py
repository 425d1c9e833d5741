"""Benchmark: the forecast and engage API requests end to end, first after a write and served from the cache.

    .venv/bin/python bench/forecast_requests.py [--sizes 250,2500] [--repeats 5] [--database-dir /tmp/tracker-bench]
                                               [--postgres postgresql+psycopg://user:password@host:port/database]

For each size, a database loaded once by `flask synth --model hazard` (tracker.synth.hazard: a learning graph
of about 5 links per organisation and an adoption history drawn from the network hazard model over the
programme's months to today; kept in --database-dir, or in a schema bench_hazard_<size> with --postgres).
Then, in-process with the production run count (FORECAST_RUNS) and the coverage cache on:
- first after a write: an organisation is renamed (any watched write draws a new data version, so nothing
  cached is served), then GET /api/v1/forecast?ambition=RP or /api/v1/engage?ambition=RP is timed: the
  panel's reads, the fit, the forecast and backtest, or the engagement search;
- cached: the same request again.
Targets (issue 12, item 4): a first request after a write within the service's own targets: the forecast
at national scale (250 organisations here, as in bench/coverage.py) ≤ 1 s; choosing 5 ≤ 0.2 s at 250
organisations and ≤ 1.5 s at 2,500 (their pure parts: bench/forecast_service.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, select, text, update
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import create_app, migrate, synth  # noqa: E402
from tracker.admin.services import AccountDetails, create_user  # noqa: E402
from tracker.auth.tokens import issue_token  # noqa: E402
from tracker.db import get_engine, write_session  # noqa: E402
from tracker.models import Organisation, User  # noqa: E402
from tracker.synth.hazard import MAX_MONTHS  # noqa: E402

EMAIL = "bench@example.nhs.uk"
PASSWORD = "benchmark forecast lantern quietly"
B, T = 0.004, 0.06
PATHS = {"forecast": "/api/v1/forecast?ambition=RP", "engage 5": "/api/v1/engage?ambition=RP"}
TARGETS = {"forecast": {250: 1.0}, "engage 5": {250: 0.2, 2_500: 1.5}}


def database_url(args, size: int) -> str:
    if not args.postgres:
        return f"sqlite:///{Path(args.database_dir) / f'hazard_{size}.sqlite3'}"
    schema = f"bench_hazard_{size}"
    engine = create_engine(args.postgres)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    engine.dispose()
    return make_url(args.postgres).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)


def build(url: str, size: int):
    app = create_app({"SECRET_KEY": "b" * 48, "DATABASE_URL": url, "PASSWORD_HASH_ITERATIONS": 1_000})
    if not inspect(get_engine(app)).has_table("alembic_version"):
        print(f"Building the hazard history of {size:,} organisations …", file=sys.stderr)
        migrate.upgrade(app)
        spec = synth.HazardSpec(organisations=size, background=B, transmission=T, months=MAX_MONTHS, seed=1)
        with write_session(app) as session:
            synth.load_hazard(session, synth.make_history(spec))
            create_user(session, AccountDetails(email=EMAIL, role="manager", name="Benchmark"), PASSWORD, 1_000)
    return app


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(app, repeats: int) -> dict[str, tuple[float, float, int]]:
    """Per path: the median seconds of a first request after a write, of a cached one, and the cached statements."""
    with write_session(app) as session:
        token = issue_token(session, session.scalar(select(User).filter_by(email=EMAIL)))
    headers = {"Authorization": f"Bearer {token}"}
    engine = get_engine(app)

    def write():
        with write_session(app) as session:
            session.execute(update(Organisation).where(Organisation.id == 1).values(name=Organisation.name + "."))
            session.commit()

    results = {}
    for name, path in PATHS.items():

        def get(path=path):
            response = app.test_client().get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])

        get()  # warm up: imports, the first connection
        first, cached = [], []
        for _ in range(repeats):
            write()
            first.append(timed(get))
            cached.append(timed(get))
        statements = []

        def count(*_args, statements=statements):
            statements.append(1)

        event.listen(engine, "before_cursor_execute", count)
        get()
        event.remove(engine, "before_cursor_execute", count)
        results[name] = (statistics.median(first), statistics.median(cached), len(statements))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="250,2500")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--database-dir", default="/tmp/tracker-bench")
    parser.add_argument("--postgres", help="a PostgreSQL URL to build and measure in, instead of SQLite files")
    args = parser.parse_args()
    Path(args.database_dir).mkdir(parents=True, exist_ok=True)
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\nHazard histories (b = {B}, t = {T}, {MAX_MONTHS} months) on {database}; median of {args.repeats}.\n")
    print(f"{'orgs':>6}  {'request':<10}{'after a write':>15}{'target':>8}{'cached':>10}{'statements':>12}")
    for size in (int(s) for s in args.sizes.split(",")):
        app = build(database_url(args, size), size)
        for name, (first, cached, statements) in measure(app, args.repeats).items():
            aim = TARGETS[name].get(size)
            print(
                f"{size:>6}  {name:<10}{first:>14.3f}s{f'{aim}s' if aim else '-':>8}{cached * 1000:>8.1f}ms"
                f"{statements:>12}"
            )


if __name__ == "__main__":
    main()
