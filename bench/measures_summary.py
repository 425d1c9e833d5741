"""Benchmark: the measures summary matrix (tracker.measures.summary), computed afresh, with its SQL.

    .venv/bin/python bench/measures_summary.py [--runs 15] [--organisations 250] [--measures 6] [--months 60]
                                                [--database-dir /tmp/tracker-bench]

Builds once (kept in --database-dir for later runs) an SQLite file of synthetic data: the organisations
(tracker.synth, every one open), one ambition's measures (rates, lower is better; one with a target)
and a value for every organisation, measure and month (noise, a shift down in a third of the series,
a missing month now and then), and a rebase on a few charts. Then prints the median time of the
summary over every organisation and measure (its four SQL statements and the SPC of every cell) in wall-clock
and CPU time (on a busy machine the CPU time is the fairer figure), and the pure assembly alone on the rows
already read. Target: 250 × 6 × 60 ≤ 250 ms.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import create_app, migrate, synth  # noqa: E402
from tracker.core.measures import months_from  # noqa: E402
from tracker.db import get_engine, write_session  # noqa: E402
from tracker.measures import summary as service  # noqa: E402
from tracker.models import Ambition, Measure, MeasureValue, Organisation, Rebase  # noqa: E402

TARGET_MS = 250.0
DAY = date(2026, 6, 30)


def build(url: str, organisations: int, measures: int, months: int) -> None:
    """The synthetic database: organisations, measures, values and a few rebases."""
    app = create_app({"SECRET_KEY": "b" * 48, "DATABASE_URL": url})
    migrate.upgrade(app)
    rng = random.Random(1)
    dates = months_from(date(2021, 4, 1), _add_months(date(2021, 4, 1), months - 1))
    with write_session(app) as session:
        synth.load(session, synth.SynthSpec(organisations, 0, 0, 1))
        session.execute(update(Organisation).values(closed_on=None, successor_id=None))  # all open
        ambition = session.scalar(select(Ambition.id).where(Ambition.code == "RP"))
        measure_rows = [
            {
                "id": k,
                "code": f"SYN-{k}",
                "ambition_id": ambition,
                "name": f"Synthetic measure {k}",
                "kind": "outcome",
                "unit": "per 1,000 occupied bed days",
                "numerator": "Synthetic incidents",
                "denominator": "Occupied bed days",
                "scale": 1000,
                "direction": "decrease",
                "target": 20.0 if k == 1 else None,
                "definition": "Synthetic benchmark data.",
                "source_note": "Synthetic benchmark data.",
                "source_url": "",
                "position": k,
                "is_demo": True,
                "row_version": 1,
            }
            for k in range(1, measures + 1)
        ]
        session.execute(insert(Measure), measure_rows)
        organisation_ids = list(session.scalars(select(Organisation.id).order_by(Organisation.id)))
        rows, rebases = [], []
        for organisation in organisation_ids:
            for measure in range(1, measures + 1):
                level, shift = rng.uniform(15, 45), rng.random() < 1 / 3
                for i, month in enumerate(dates):
                    if rng.random() < 0.02:
                        continue
                    beds = rng.uniform(6000, 9000)
                    rate = max(0.0, level * (0.7 if shift and i >= len(dates) // 2 else 1) + rng.gauss(0, 3))
                    rows.append(
                        {
                            "measure_id": measure,
                            "organisation_id": organisation,
                            "ward_id": None,
                            "month": month,
                            "numerator": round(rate * beds / 1000),
                            "denominator": round(beds),
                            "note": "",
                            "is_demo": True,
                            "row_version": 1,
                        }
                    )
                if shift and rng.random() < 0.2:
                    rebases.append(
                        {
                            "measure_id": measure,
                            "organisation_id": organisation,
                            "month": dates[len(dates) // 2],
                            "reason": "Synthetic: change idea implemented.",
                            "is_demo": True,
                            "row_version": 1,
                        }
                    )
        for start in range(0, len(rows), 10_000):
            session.execute(insert(MeasureValue), rows[start : start + 10_000])
        session.execute(insert(Rebase), rebases)
        session.commit()
    get_engine(app).dispose()


def _add_months(day: date, n: int) -> date:
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def median_ms(action, runs: int) -> tuple[float, float]:
    """The median wall-clock and CPU time of the action, in ms (CPU time: what a busy machine's other
    processes do not add)."""
    action()  # warm up
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--organisations", type=int, default=250)
    parser.add_argument("--measures", type=int, default=6)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--database-dir", default="/tmp/tracker-bench")
    args = parser.parse_args()
    folder = Path(args.database_dir)
    folder.mkdir(parents=True, exist_ok=True)
    shape = f"{args.organisations}x{args.measures}x{args.months}"
    url = f"sqlite:///{folder / f'measures-summary-{shape}.sqlite3'}"
    app = create_app({"SECRET_KEY": "b" * 48, "DATABASE_URL": url})
    engine = get_engine(app)
    if not inspect(engine).has_table("alembic_version"):
        print(f"Building the {shape} database …", file=sys.stderr)
        build(url, args.organisations, args.measures, args.months)
    gc.freeze()  # as wsgi.py does once the app is made

    statements: list[str] = []

    def count(*args) -> None:
        if not args[2].lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(args[2])

    def afresh() -> service.Summary:
        with Session(bind=engine) as session:  # a read, as a request's session is
            return service.summary(session, DAY)

    event.listen(engine, "before_cursor_execute", count)
    result = afresh()
    event.remove(engine, "before_cursor_execute", count)
    with Session(bind=engine) as session:
        rows = service.read(session, DAY)
    wall_ms, cpu_ms = median_ms(afresh, args.runs)
    assembly_wall, assembly_cpu = median_ms(lambda: service.assemble(*rows), args.runs)
    charts = sum(1 for c in result.cells.values() if not c.empty)
    print(f"\nThe measures summary matrix on SQLite, median of {args.runs} runs, each computed afresh:")
    print(
        f"{'organisations × measures × months':<36}{'charts':>8}{'statements':>12}{'wall clock':>12}{'CPU':>12}"
        f"{'target':>12}"
    )
    target = f"≤ {TARGET_MS:.0f} ms"
    print(
        f"{shape.replace('x', ' × '):<36}{charts:>8,}{len(statements):>12}{wall_ms:>9.1f} ms{cpu_ms:>9.1f} ms{target:>12}"
    )
    print(f"{'  of which the pure assembly':<56}{assembly_wall:>9.1f} ms{assembly_cpu:>9.1f} ms")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs while it ran)")


if __name__ == "__main__":
    main()
