"""Benchmark: the network API and its files, in-process, at national scale.

    .venv/bin/python bench/network.py [--runs 15] [--database-dir /tmp/tracker-bench-network] [--links 5]

Builds (once, kept in --database-dir) an SQLite file with the synthetic national data set that
`flask --app tracker synth --organisations 250 --interventions 150 --events 100000 --seed 1` makes,
plus about --links confirmed learning links per organisation (deterministic: within the network
mostly, some across), then times each request through app.test_client with a bearer token:
cold (the network cache emptied before every request), new day (as_of a day earlier each time:
the adoption figures computed afresh, the graph's measures mostly cached) and warm (the same
request again). Prints the median, the slowest and the SQL statement count of each, and what the costly
parts take on their own. Target: national median ≤ 300 ms including every measure.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import event, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import create_app, migrate, synth  # noqa: E402
from tracker.admin.services import AccountDetails, create_user  # noqa: E402
from tracker.auth.tokens import issue_token  # noqa: E402
from tracker.cache import CACHE_KEY  # noqa: E402
from tracker.core import graph as measures  # noqa: E402
from tracker.db import get_engine, write_session  # noqa: E402
from tracker.maps import drawing, export, queries, service  # noqa: E402
from tracker.maps.outline import load_outline  # noqa: E402
from tracker.models import AdoptionEvent, ChangeIdea, LearningLink, LinkKind, LinkStatus, Organisation, Stage, User  # noqa: E402
from tracker.tabular import to_csv  # noqa: E402

SPEC = synth.SynthSpec(250, 150, 100_000, 1)
AS_OF = date(2025, 6, 30)
PASSWORD = "bench-mark-lantern-orbit-2026"
BENCH_EMAIL = "bench@example.nhs.uk"
KINDS = (
    LinkKind.BUDDY_PAIR,
    LinkKind.SHARED_FACULTY,
    LinkKind.LEARNING_SET,
    LinkKind.GEOGRAPHIC_NEIGHBOUR,
    LinkKind.OTHER,
)


def link_rows(organisations: list[tuple[int, int | None]], per_organisation: int, seed: int) -> list[dict]:
    """About per_organisation confirmed links from each organisation: four in five to its own network."""
    rng = random.Random(f"bench-network-links:{seed}")
    by_network: dict[int | None, list[int]] = {}
    for org_id, network_id in organisations:
        by_network.setdefault(network_id, []).append(org_id)
    everyone = [org_id for org_id, _network in organisations]
    seen: set[tuple[int, int, LinkKind]] = set()
    rows = []
    for org_id, network_id in organisations:
        for n in range(per_organisation):
            pool = by_network[network_id] if rng.random() < 0.8 and len(by_network[network_id]) > 1 else everyone
            other = rng.choice(pool)
            kind = KINDS[n % len(KINDS)]
            source, target = min(org_id, other), max(org_id, other)
            if source == target or (source, target, kind) in seen:
                continue
            seen.add((source, target, kind))
            rows.append(
                {
                    "source_id": source,
                    "target_id": target,
                    "kind": kind.value,
                    "weight": rng.randint(1, 5),
                    "note": "Benchmark link.",
                    "start_date": None,
                    "end_date": None,
                    "status": LinkStatus.CONFIRMED.value,
                    "is_demo": True,
                    "row_version": 1,
                }
            )
    return rows


def build(path: Path, links: int):
    app = create_app({"SECRET_KEY": "b" * 48, "DATABASE_URL": f"sqlite:///{path}", "PASSWORD_HASH_ITERATIONS": 1_000})
    if not path.exists():
        print(f"Building the national database in {path} …", file=sys.stderr)
        migrate.upgrade(app)
        with write_session(app) as session:
            print(f"  {synth.load(session, SPEC).summary()}", file=sys.stderr)
            organisations = list(
                session.execute(select(Organisation.id, Organisation.network_id).order_by(Organisation.id))
            )
            rows = link_rows(organisations, links, SPEC.seed)
            session.execute(LearningLink.__table__.insert(), rows)  # Core: fast, and no audit trail for bench rows
            create_user(session, AccountDetails(email=BENCH_EMAIL, role="manager", name="Benchmark"), PASSWORD, 1_000)
            session.commit()
            print(f"  {len(rows):,} confirmed learning links", file=sys.stderr)
    return app


MODES = ("cold", "new day", "warm")


def measure(app, runs: int, paths: dict[str, str]) -> dict[tuple[str, str], tuple[float, float, int]]:
    """(median ms, slowest ms, statements) per request and mode.

    cold: the network cache emptied before each request; new day: as_of one day earlier each time,
    so the adoption figures are never cached but the graph's measures mostly are (the graph changes
    only when a link starts or ends or an organisation closes); warm: the same request again.
    """
    with write_session(app) as session:
        token = issue_token(session, session.scalar(select(User).filter_by(email=BENCH_EMAIL)))
    headers = {"Authorization": f"Bearer {token}"}
    engine = get_engine(app)
    statements: list[str] = []
    fixed_day = f"as_of={AS_OF.isoformat()}"

    def count(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    def get(path: str):
        response = app.test_client().get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
        return response

    def cache_clear():
        if CACHE_KEY in app.extensions:
            app.extensions[CACHE_KEY].clear()

    def path_for(path: str, mode: str, run: int) -> str:
        if mode != "new day":
            return path
        return path.replace(fixed_day, f"as_of={date.fromordinal(AS_OF.toordinal() - 1 - run).isoformat()}")

    results = {}
    get(next(iter(paths.values())))  # first request: imports, connection pool, SQLite page cache
    for name, path in paths.items():
        for mode in MODES:
            if mode == "new day" and fixed_day not in path:
                continue
            get(path)  # so that "new day" starts with the graph's measures for AS_OF cached
            timings = []
            for run in range(runs):
                if mode == "cold":
                    cache_clear()
                wanted = path_for(path, mode, run)
                start = time.perf_counter()
                get(wanted)
                timings.append((time.perf_counter() - start) * 1000)
            if mode == "cold":
                cache_clear()
            statements.clear()
            event.listen(engine, "before_cursor_execute", count)
            get(path_for(path, mode, runs))
            event.remove(engine, "before_cursor_execute", count)
            results[(name, mode)] = (statistics.median(timings), max(timings), len(statements))
    return results


def parts(app, runs: int) -> dict[str, float]:
    """Medians (ms) of the costly parts on their own: the adoption query and the graph measures."""
    from sqlalchemy.orm import Session

    timings: dict[str, list[float]] = {}
    with Session(bind=get_engine(app)) as session:
        scope = queries.find_scope(session, "RP", None)
        organisations = queries.open_organisations(session, AS_OF)
        links = queries.active_links(session, AS_OF)
        graph = measures.learning_graph([r for _id, r in organisations], links)
        for _ in range(runs):
            for label, work in (
                (
                    f"adoption query (ambition RP, {len(scope.idea_ids)} ideas)",
                    lambda: queries.adoption_states(session, scope.idea_ids, AS_OF, Stage.IMPLEMENTING),
                ),
                (
                    "adoption query (one idea)",
                    lambda: queries.adoption_states(session, scope.idea_ids[:1], AS_OF, Stage.IMPLEMENTING),
                ),
                (
                    f"betweenness ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)",
                    lambda: measures.betweenness(graph),
                ),
                ("communities (Louvain)", lambda: measures.communities(graph)),
            ):
                start = time.perf_counter()
                work()
                timings.setdefault(label, []).append((time.perf_counter() - start) * 1000)
        view = service.build(session, scope, AS_OF, Stage.IMPLEMENTING)
        for _ in range(runs):
            for label, work in (
                ("GraphML writing (ambition RP)", lambda: export.to_graphml(view)),
                ("the map drawn on the outline (page and SVG)", lambda: drawing.draw(view, load_outline())),
                ("the map laid out by links (uncached)", lambda: drawing.draw(view, load_outline(), drawing.BY_LINKS)),
                (
                    "node and edge CSV writing",
                    lambda: (
                        to_csv(export.NODE_COLUMNS, export.node_rows(view)),
                        to_csv(export.EDGE_COLUMNS, export.edge_rows(view)),
                    ),
                ),
            ):
                start = time.perf_counter()
                work()
                timings.setdefault(label, []).append((time.perf_counter() - start) * 1000)
        events = session.scalar(select(func.count()).select_from(AdoptionEvent))
    result = {label: statistics.median(values) for label, values in timings.items()}
    result[f"(events in the ledger: {events:,})"] = float("nan")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-dir", default="/tmp/tracker-bench-network")
    parser.add_argument("--links", type=int, default=5, help="learning links made per organisation")
    args = parser.parse_args()
    folder = Path(args.database_dir)
    folder.mkdir(parents=True, exist_ok=True)
    app = build(folder / f"national-{args.links}-links.sqlite3", args.links)
    with app.app_context():
        from tracker.db import get_session

        idea = get_session().scalar(
            select(ChangeIdea.code).where(ChangeIdea.code.like("RP-%")).order_by(ChangeIdea.code)
        )
    day = AS_OF.isoformat()
    paths = {
        "network JSON, ambition RP": f"/api/v1/network?ambition=RP&as_of={day}",
        f"network JSON, intervention {idea}": f"/api/v1/network?intervention={idea}&as_of={day}",
        "network JSON, ambition RP, as_of today": "/api/v1/network?ambition=RP",
        "network.graphml, ambition RP": f"/api/v1/network.graphml?ambition=RP&as_of={day}",
        "nodes.csv, ambition RP": f"/api/v1/network/nodes.csv?ambition=RP&as_of={day}",
        "edges.csv, ambition RP": f"/api/v1/network/edges.csv?ambition=RP&as_of={day}",
    }
    results = measure(app, args.runs, paths)
    print(
        f"National scale: {SPEC.organisations} organisations, {SPEC.interventions} change ideas, {SPEC.events:,} events, ~{args.links} links per organisation; {args.runs} runs each."
    )
    print(f"{'request':<44}" + "".join(f"{mode + ' median':>15}{'max':>9}{'stmts':>6}" for mode in MODES))
    for name in paths:
        cells = []
        for mode in MODES:
            if (name, mode) not in results:
                cells.append(f"{'—':>15}{'':>15}")
                continue
            median, slowest, count = results[(name, mode)]
            cells.append(f"{median:>12.1f} ms{slowest:>6.0f} ms{count:>6}")
        print(f"{name:<44}" + "".join(cells))
    print()
    print(f"{'part, on its own':<58}{'median':>12}")
    for label, ms in parts(app, args.runs).items():
        print(f"{label:<58}{'' if ms != ms else f'{ms:9.1f} ms':>12}")


if __name__ == "__main__":
    main()
