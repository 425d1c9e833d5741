"""Benchmark: the what-if page's computations on a first (uncached) request, at regional and national scale.

    .venv/bin/python bench/what_if.py [--sizes 250,2500] [--runs 1000] [--repeats 3]

For each size, the generated learning graph and 36-month history of bench/forecast_service.py, and an
ambition with one target 24 months ahead. Times, median of the repeats, once the panel is read (the page's
reads are a fixed handful of statements, counted by tests/test_what_if_page.py):
- scenario: tracker.forecast.scenario.scenario_of engaging 5 organisations: the fit, one simulation made
  ready and run twice (baseline and scenario, 48 months);
- cascade and threshold: tracker.forecast.whatif.simulate from today's adopters, 500 runs (the page's default),
  independent cascade (p = 0.1) and weighted linear threshold.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.core import engage  # noqa: E402
from tracker.core.coverage import month_end  # noqa: E402
from tracker.core.diffusion_synth import generate_graph, simulate_history  # noqa: E402
from tracker.forecast import scenario, service, whatif  # noqa: E402
from tracker.forecast.queries import FIRST_MONTH  # noqa: E402
from tracker.reports.service import AmbitionInfo, TargetInfo  # noqa: E402

B, T, MONTHS, LINKS, AHEAD, SIMULATION_RUNS = 0.004, 0.06, 36, 5, 24, 500


def median_s(action, repeats: int) -> float:
    action()  # warm up
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="250,2500")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"\nScenario forecasts of {args.runs:,} runs; simulations of {SIMULATION_RUNS} runs.\n")
    print(f"{'orgs':>6}{'scenario':>11}{'cascade':>10}{'threshold':>11}")
    for n in (int(s) for s in args.sizes.split(",")):
        organisations, links = generate_graph(n, LINKS, seed=1)
        panel = simulate_history(organisations, links, B, T, MONTHS, seed=2)
        due = month_end(FIRST_MONTH + panel.months - 1 + AHEAD)
        ambition = AmbitionInfo(0, "BENCH", "Bench", "", (TargetInfo("Target", "Every trust engaged", due),))
        horizon = service.default_horizon(ambition, panel.months)
        picks = engage.candidates(panel)[:5]
        adopters = sorted(panel.adopters_before(panel.months))

        def forecast(panel=panel, ambition=ambition, picks=picks, horizon=horizon):
            return scenario.scenario_of(panel, ambition, picks, horizon, args.runs, 0)

        def spread(process, panel=panel, adopters=adopters):
            return lambda: whatif.simulate(panel, process, adopters, runs=SIMULATION_RUNS, seed=0)

        times = [
            median_s(forecast, args.repeats),
            median_s(spread("independent_cascade"), args.repeats),
            median_s(spread("linear_threshold"), args.repeats),
        ]
        print(f"{n:>6}{times[0]:>10.3f}s{times[1]:>9.3f}s{times[2]:>10.3f}s")


if __name__ == "__main__":
    main()
