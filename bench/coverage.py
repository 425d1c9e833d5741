"""Benchmark: the coverage API, the series API and the dashboard, in-process, at three scales.

    .venv/bin/python bench/coverage.py [--runs 15] [--database-dir /tmp/tracker-bench] [--scales regional,national,ten]
                                       [--postgres postgresql+psycopg://user:password@host:port/database]

Scales: regional (the seeded South of England with its demo history), national (250 organisations,
150 change ideas, 100,000 events) and ten times national (2,500 organisations, 150 change ideas,
1,000,000 events). Each builds an SQLite file once (kept in --database-dir for later runs), or
with --postgres a schema bench_<scale> in that database (kept too), and prints the median time and the SQL statement count per request, computed afresh (cache off) and
served from the coverage cache (the figures are cached per state of the data). Targets: national coverage ≤ 50 ms,
series ≤ 150 ms, dashboard ≤ 200 ms; ten times national no more than 3 × national.
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import create_app, migrate, synth  # noqa: E402
from tracker.admin.services import AccountDetails, create_user  # noqa: E402
from tracker.auth.tokens import issue_token  # noqa: E402
from tracker.calendar import today  # noqa: E402
from tracker.db import get_engine, write_session  # noqa: E402
from tracker.models import User  # noqa: E402
from tracker.seed import load_demo, load_reference  # noqa: E402

SCALES = {
    "regional": None,
    "national": synth.SynthSpec(250, 150, 100_000, 1),
    "ten": synth.SynthSpec(2_500, 150, 1_000_000, 1),
}
LABELS = {"regional": "regional (South of England)", "national": "national", "ten": "ten times national"}
PASSWORD = "bench-mark-lantern-orbit-2026"
BENCH_EMAIL = "bench@example.nhs.uk"


def sqlite_url(folder: Path, scale: str) -> str:
    return f"sqlite:///{folder / f'{scale}.sqlite3'}"


def postgres_url(server: str, scale: str) -> str:
    """The server's URL with search_path set to a schema of the scale's own (made if missing)."""
    schema = f"bench_{scale}"
    engine = create_engine(server)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    engine.dispose()
    url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def build(url: str, scale: str, cache_size: int = 128):
    config = {"DATABASE_URL": url, "PASSWORD_HASH_ITERATIONS": 1_000, "COVERAGE_CACHE_SIZE": cache_size}
    app = create_app({"SECRET_KEY": "b" * 48, **config})
    if not inspect(get_engine(app)).has_table("alembic_version"):
        print(f"Building the {LABELS[scale]} database ({make_url(url).get_backend_name()}) …", file=sys.stderr)
        migrate.upgrade(app)
        with write_session(app) as session:
            if SCALES[scale] is None:
                load_reference(session)
                load_demo(session, 1_000, today())
            else:
                synth.load(session, SCALES[scale])
            create_user(session, AccountDetails(email=BENCH_EMAIL, role="manager", name="Benchmark"), PASSWORD, 1_000)
    return app


def measure(app, runs: int, paths: dict[str, str]) -> dict[str, tuple[float, int]]:
    with write_session(app) as session:
        from sqlalchemy import select

        user = session.scalar(select(User).filter_by(email=BENCH_EMAIL))
        token = issue_token(session, user)
    client = app.test_client()
    response = client.get("/sign-in")
    html = response.get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    client.post("/sign-in", data={"csrf_token": csrf, "email": BENCH_EMAIL, "password": PASSWORD})
    statements = []

    def count(*_args):
        statements.append(1)

    engine = get_engine(app)
    results = {}
    for name, path in paths.items():
        headers = {"Authorization": f"Bearer {token}"} if path.startswith("/api/") else {}

        def use(path=path, headers=headers):
            return app.test_client().get(path, headers=headers) if headers else client.get(path)

        first = use()
        assert first.status_code == 200, (path, first.status_code, first.get_data(as_text=True)[:300])
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            use()
            timings.append((time.perf_counter() - start) * 1000)
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        use()
        event.remove(engine, "before_cursor_execute", count)
        results[name] = (statistics.median(timings), len(statements))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-dir", default="/tmp/tracker-bench")
    parser.add_argument("--scales", default="regional,national,ten")
    parser.add_argument("--postgres", help="a PostgreSQL URL to build and measure in, instead of SQLite files")
    args = parser.parse_args()
    folder = Path(args.database_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "coverage API": "/api/v1/coverage?ambition=RP",
        "series API": "/api/v1/coverage/series?ambition=RP",
        "dashboard": "/",
    }
    for mode, cache_size in (("computed afresh (cache off)", 0), ("served from the coverage cache", 128)):
        rows = {}
        for scale in args.scales.split(","):
            url = postgres_url(args.postgres, scale) if args.postgres else sqlite_url(folder, scale)
            app = build(url, scale, cache_size)
            gc.freeze()  # as wsgi.py does once the app is made
            rows[scale] = measure(app, args.runs, paths)
        database = "PostgreSQL" if args.postgres else "SQLite"
        print(f"\nMedian of {args.runs} requests on {database}, {mode}:")
        print(f"{'scale':<30}" + "".join(f"{name:>28}" for name in paths))
        for scale, results in rows.items():
            cells = "".join(f"{f'{ms:8.1f} ms ({n} statements)':>28}" for ms, n in results.values())
            print(f"{LABELS[scale]:<30}{cells}")
        if "national" in rows and "ten" in rows:
            ratios = "".join(f"{rows['ten'][name][0] / rows['national'][name][0]:>27.2f}×" for name in paths)
            print(f"{'ten times ÷ national':<30}{ratios}")


if __name__ == "__main__":
    main()
