"""Benchmark: every page and API at national scale and at ten times national (issue 15).

    .venv/bin/python bench/tenfold.py [--scales 1x,10x] [--database-dir /tmp/tracker-bench]
                                      [--postgres postgresql+psycopg://…] [--only NAME,…] [--runs 3]

Builds each data set once (kept in --database-dir, or with --postgres in a schema bench_1x / bench_10x of
that database): `flask synth` with 250 organisations, 150 change ideas and 100,000 events (1x) or 2,500
organisations and 1,000,000 events (10x), plus about five confirmed learning links per organisation
(bench/network.py's link_rows: ~1,200 and ~12,000). Each scale runs in a process of its own, one app in
it as in one gunicorn worker, and times each route in-process (app.test_client; pages signed in as a
faculty member, the API with a bearer token):

- afresh: every cache of the app emptied (kept pages and API answers, network and coverage figures);
- cached: the same request again (the median of --runs);
- after a write: one adoption event logged through the service the forms use, then the request
  (the median of --runs, a new event each time);
- its size in bytes, and the SQL statements of the afresh request.

Then prints, per route, both scales side by side with the ratio of the afresh times, and each process's
peak memory (VmHWM: what a worker holding every answer in its caches needs). No timing here is a test:
the targets (issue 15) are checked by eye from the table and written in the closing note:
afresh ≤ 2 s at 10x and ≤ 10 × its 1x time; cached ≤ 150 ms at 10x and ≤ 50 ms at 1x; after a write
≤ 300 ms at 1x and ≤ 1 s at 10x; no answer over 2 MB; peak memory ≤ 300 MB at 10x; statements equal.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, event, func, inspect, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from network import link_rows  # noqa: E402  (bench/network.py, beside this file)

from tracker import create_app, migrate, synth  # noqa: E402
from tracker.admin.services import AccountDetails, create_user  # noqa: E402
from tracker.adoption import services  # noqa: E402
from tracker.adoption.rules import EventInput  # noqa: E402
from tracker.auth.tokens import issue_token  # noqa: E402
from tracker.cache import MetricsCache  # noqa: E402
from tracker.db import get_engine, write_session  # noqa: E402
from tracker.models import (  # noqa: E402
    Adoption,
    Ambition,
    ChangeIdea,
    ChangePackage,
    LearningLink,
    Network,
    Organisation,
    Stage,
    User,
)

SCALES = {"1x": synth.SynthSpec(250, 150, 100_000, 1), "10x": synth.SynthSpec(2_500, 150, 1_000_000, 1)}
LINKS_PER_ORGANISATION = 5
READER = "tenfold-reader@example.nhs.uk"
WRITER = "tenfold-writer@example.nhs.uk"
PASSWORD = "tenfold-lantern-orbit-meadow-2026"
SECRET_KEY = "tenfold-bench-" + "k" * 40
MB = 1_000_000

# (name, path; {ods} {idea} {network} {package} are filled from the data; "api" routes use the token)
ROUTES = [
    ("dashboard", "/"),
    ("ambitions", "/ambitions"),
    ("ambition page", "/ambitions/RP"),
    ("change package", "/packages/{package}"),
    ("change idea", "/ideas/{idea}"),
    ("search", "/search?q=ward"),
    ("organisations", "/organisations"),
    ("organisation", "/organisations/{ods}"),
    ("adoption matrix", "/organisations/{ods}/adoption"),
    ("adoption history", "/organisations/{ods}/adoption/{idea}"),
    ("networks", "/networks"),
    ("network page", "/networks/{network}"),
    ("coverage report", "/coverage?ambition=RP"),
    ("spread map", "/spread-map?ambition=RP"),
    ("spread map, page 3", "/spread-map?ambition=RP&page=3"),
    ("spread map, one network", "/spread-map?ambition=RP&network={network}"),
    ("spread map image", "/spread-map/map.svg?ambition=RP"),
    ("spread map timeline", "/spread-map/timeline?ambition=RP"),
    ("spread map timeline by links", "/spread-map/timeline?ambition=RP&layout=force"),
    ("forecast", "/forecast?ambition=RP"),
    ("what if", "/forecast/what-if?ambition=RP"),
    ("links page", "/links"),
    ("links page 5", "/links?page=5"),
    ("needs an update", "/needs-an-update"),
    ("measures", "/measures"),
    ("measures summary", "/measures/summary"),
    ("spreadsheets", "/spreadsheets"),
    ("API ambitions", "/api/v1/ambitions"),
    ("API interventions", "/api/v1/interventions"),
    ("API organisations", "/api/v1/organisations"),
    ("API networks", "/api/v1/networks"),
    ("API adoptions", "/api/v1/adoptions"),
    ("API adoptions history", "/api/v1/adoptions/history"),
    ("API adoptions, 2,000", "/api/v1/adoptions?limit=2000"),
    ("API links", "/api/v1/links"),
    ("API coverage", "/api/v1/coverage?ambition=RP"),
    ("API coverage series", "/api/v1/coverage/series?ambition=RP"),
    ("API network", "/api/v1/network?ambition=RP"),
    ("API network GraphML", "/api/v1/network.graphml?ambition=RP"),
    ("API network nodes", "/api/v1/network/nodes.csv?ambition=RP"),
    ("API network edges", "/api/v1/network/edges.csv?ambition=RP"),
    ("API forecast", "/api/v1/forecast?ambition=RP"),
    ("API engage", "/api/v1/engage?ambition=RP"),
    ("API feed events", "/api/v1/feeds/events"),
    ("API feed records", "/api/v1/feeds/records"),
    ("API feed coverage", "/api/v1/feeds/coverage-monthly?ambition=RP"),
]


def scale_url(args, scale: str) -> str:
    if not args.postgres:
        folder = Path(args.database_dir)
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder / f'tenfold-{scale}.sqlite3'}"
    schema = f"bench_{scale}"
    engine = create_engine(args.postgres)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    engine.dispose()
    url = make_url(args.postgres).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def make_app(url: str):
    return create_app(
        {
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": url,
            "PASSWORD_HASH_ITERATIONS": 1_000,
            "WTF_CSRF_ENABLED": False,  # the bench signs in by posting the form
            "SESSION_COOKIE_SECURE": False,
        }
    )


def prepare(app, spec: synth.SynthSpec) -> None:
    """Build what is missing: the synthetic set, its learning links, the two bench accounts."""
    if not inspect(get_engine(app)).has_table("alembic_version"):
        migrate.upgrade(app)
        print(f"Building {spec} …", file=sys.stderr)
        with write_session(app) as session:
            print(f"  {synth.load(session, spec).summary()}", file=sys.stderr)
    migrate.upgrade(app)
    with write_session(app) as session:
        if not session.scalar(select(func.count()).select_from(LearningLink)):
            organisations = list(session.execute(select(Organisation.id, Organisation.network_id)))
            rows = link_rows(sorted(organisations), LINKS_PER_ORGANISATION, spec.seed)
            session.execute(LearningLink.__table__.insert(), rows)  # Core: fast, no audit trail for bench rows
            print(f"  {len(rows):,} confirmed learning links", file=sys.stderr)
        for email, role in ((READER, "faculty"), (WRITER, "manager")):
            if session.scalar(select(User).filter_by(email=email)) is None:
                create_user(session, AccountDetails(email=email, role=role, name="Bench"), PASSWORD, 1_000)
        session.commit()


def fill(app) -> dict[str, str]:
    """The codes the route templates need: an RP organisation with records, one of its ideas, and so on."""
    with write_session(app) as session:
        ods, idea = session.execute(
            select(Organisation.ods_code, ChangeIdea.code)
            .join(Adoption, Adoption.organisation_id == Organisation.id)
            .join(ChangeIdea, Adoption.change_idea_id == ChangeIdea.id)
            .order_by(Adoption.id)
            .limit(1)
        ).one()
        network = session.scalar(select(Network.code).order_by(Network.code).limit(1))
        package = session.scalar(
            select(ChangePackage.code).join(Ambition).where(Ambition.code == "RP").order_by(ChangePackage.id).limit(1)
        )
    return {"ods": ods, "idea": idea, "network": network, "package": package}


class Writer:
    """Logs one adoption event at a time, as the log form does: a new note on an existing record."""

    def __init__(self, app):
        self.app = app
        self.count = 0
        with write_session(app) as session:
            self.pairs = list(
                session.execute(
                    select(Adoption.id).where(Adoption.stage != Stage.DISCONTINUED).order_by(Adoption.id).limit(500)
                ).scalars()
            )

    def write(self) -> None:
        self.count += 1
        with write_session(self.app) as session:
            adoption = session.get(Adoption, self.pairs[self.count % len(self.pairs)])
            writer = session.scalar(select(User).filter_by(email=WRITER))
            data = EventInput(
                stage=adoption.stage.value,
                effective_date=date.today(),
                wards_using=adoption.wards_using,
                wards_in_scope=adoption.wards_in_scope,
                note=f"Benchmark write {self.count} at {time.time()}",
            )
            services.log_adoption(
                session, writer, adoption.organisation, adoption.change_idea, data,
                expected_version=adoption.row_version, channel="bench",
            )  # fmt: skip


class Refused(Exception):
    """A route that did not answer 200: reported and left out of the table."""


def signed_in_client(app):
    client = app.test_client()
    answer = client.post("/sign-in", data={"email": READER, "password": PASSWORD})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    return client


def forget(app) -> None:
    """Empty every cache the app keeps: kept pages and API answers, network and coverage figures."""
    for value in app.extensions.values():
        if isinstance(value, MetricsCache):
            value.clear()


def run_scale(url: str, scale: str, runs: int, only: set[str]) -> dict:
    app = make_app(url)
    prepare(app, SCALES[scale])
    codes = fill(app)
    with write_session(app) as session:
        token = issue_token(session, session.scalar(select(User).filter_by(email=READER)))
        session.commit()
    browser = signed_in_client(app)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    writer = Writer(app)
    engine = get_engine(app)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def get(path: str) -> tuple[float, int, int]:
        client, extra = (api, headers) if path.startswith("/api/") else (browser, {})
        statements.clear()
        start = time.perf_counter()
        answer = client.get(path, headers=extra)
        size = len(answer.get_data())  # a streamed answer is read to its end inside the timing
        elapsed = (time.perf_counter() - start) * 1000
        if answer.status_code != 200:
            raise Refused(f"{path}: {answer.status_code} {answer.get_data(as_text=True)[:200]}")
        return elapsed, size, len(statements)

    event.listen(engine, "before_cursor_execute", count)
    get("/")  # imports, the connection pool, the database's own page cache
    results = {}
    for name, template in ROUTES:
        if only and name not in only:
            continue
        path = template.format(**codes)
        forget(app)
        try:
            fresh, size, fresh_statements = get(path)
            cached = statistics.median(get(path)[0] for _ in range(runs))
            after = []
            for _ in range(runs):
                writer.write()
                after.append(get(path)[0])
        except Refused as refusal:
            print(f"  {scale} {name}: not measured: {refusal}", file=sys.stderr)
            continue
        results[name] = {
            "path": path,
            "fresh": fresh,
            "cached": cached,
            "after_write": statistics.median(after),
            "bytes": size,
            "statements": fresh_statements,
        }
        print(
            f"  {scale} {name}: {fresh:.0f} ms afresh, {results[name]['cached']:.1f} ms cached, "
            f"{results[name]['after_write']:.0f} ms after a write, {size:,} bytes, {fresh_statements} statements, "
            f"{_memory('VmRSS'):.0f} MB resident",
            file=sys.stderr,
        )
    event.remove(engine, "before_cursor_execute", count)
    results["_memory_mb"] = _memory("VmHWM")
    return results


def _memory(field: str) -> float:
    """This process's memory in MB: VmRSS now, or VmHWM, the most it has held."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1)) / 1000


def verdicts(name: str, one: dict | None, ten: dict | None) -> list[str]:
    """The targets a route misses (empty when it meets them all)."""
    missed = []
    if ten:
        if ten["fresh"] > 2000:
            missed.append("afresh > 2 s at 10x")
        if one and ten["fresh"] > 10 * max(one["fresh"], 1):
            missed.append("afresh > 10 × 1x")
        if ten["cached"] > 150:
            missed.append("cached > 150 ms at 10x")
        if ten["after_write"] > 1000:
            missed.append("after write > 1 s at 10x")
    if one:
        if one["cached"] > 50:
            missed.append("cached > 50 ms at 1x")
        if one["after_write"] > 300:
            missed.append("after write > 300 ms at 1x")
    if any(found and found["bytes"] > 2 * MB for found in (one, ten)):
        missed.append("over 2 MB")
    if one and ten and one["statements"] != ten["statements"]:
        missed.append("statements differ")
    return missed


def report(found: dict[str, dict]) -> None:
    one, ten = found.get("1x", {}), found.get("10x", {})
    print(
        "| request | afresh 1x | afresh 10x | ratio | cached 1x | cached 10x | after write 1x | after write 10x "
        "| size 10x | statements | misses |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, _template in ROUTES:
        a, b = one.get(name), ten.get(name)
        if not a and not b:
            continue

        def cell(row, key, fmt="{:.0f}"):
            return fmt.format(row[key]) if row else "–"

        ratio = f"{b['fresh'] / max(a['fresh'], 0.1):.1f}" if a and b else "–"
        size = (b or a)["bytes"]
        counts = "/".join(str(row["statements"]) for row in (a, b) if row)
        print(
            f"| {name} | {cell(a, 'fresh')} | {cell(b, 'fresh')} | {ratio} | {cell(a, 'cached', '{:.1f}')} "
            f"| {cell(b, 'cached', '{:.1f}')} | {cell(a, 'after_write')} | {cell(b, 'after_write')} "
            f"| {size / 1000:,.0f} kB | {counts} | {', '.join(verdicts(name, a, b)) or 'none'} |"
        )
    for scale in ("1x", "10x"):
        if scale in found:
            print(f"\nPeak memory of the {scale} process: {found[scale]['_memory_mb']:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1x,10x")
    parser.add_argument("--database-dir", default="/tmp/tracker-bench")
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--only", default="", help="Comma-separated route names (as printed) to measure alone.")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    if args.child:  # one scale, in a process of its own: its memory is its own
        print(json.dumps(run_scale(scale_url(args, args.child), args.child, args.runs, only)))
        return
    found = {}
    for scale in args.scales.split(","):
        command = [sys.executable, __file__, "--child", scale, "--runs", str(args.runs), "--only", args.only]
        command += ["--database-dir", args.database_dir] + (["--postgres", args.postgres] if args.postgres else [])
        output = subprocess.run(command, check=True, capture_output=False, stdout=subprocess.PIPE, text=True)
        found[scale] = json.loads(output.stdout.strip().splitlines()[-1])
    report(found)


if __name__ == "__main__":
    main()
