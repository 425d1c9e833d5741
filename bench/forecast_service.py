"""Benchmark: the forecast service's first (uncached) answers, at regional and national scale.

    .venv/bin/python bench/forecast_service.py [--sizes 250,2500] [--runs 1000] [--repeats 3]

For each size, a random geometric learning graph with about 5 links per organisation and a 36-month
history drawn from the model with known b and t (as bench/forecast.py), and an ambition with one target
24 months ahead. Times, median of the repeats, of what a first request after a write computes once its
panel is read (the reads are a fixed handful of statements, timed by the API's tests, not here):
- outlook: tracker.forecast.service.outlook_of: the fit, the forecast to the target and 24 months
  beyond (48 months) and the 12-month backtest (a second fit and forecast, and the Bass curve);
- choose 5: the shortlist (independent-cascade gains on kept draws) and the greedy CELF choice of 5
  among its best 10, scored by forecast reach at the target on ENGAGE_RUNS (200) runs
  (tracker.forecast.service.choose_for), with the fit it needs; and the objective evaluations that took.
Targets (issue 12): the forecast at national scale ≤ 1 s; choosing 5 ≤ 0.2 s at 250 and ≤ 1.5 s at 2,500.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.core import engage  # noqa: E402
from tracker.core.coverage import month_end  # noqa: E402
from tracker.core.diffusion_fit import fit  # noqa: E402
from tracker.core.diffusion_synth import generate_graph, simulate_history  # noqa: E402
from tracker.core.stages import DEFAULT_THRESHOLD  # noqa: E402
from tracker.forecast import service  # noqa: E402
from tracker.forecast.queries import FIRST_MONTH  # noqa: E402
from tracker.reports.service import AmbitionInfo, TargetInfo  # noqa: E402

B, T, MONTHS, LINKS = 0.004, 0.06, 36, 5
AHEAD = 24
TARGETS = {"outlook": {2_500: 1.0}, "choose 5": {250: 0.2, 2_500: 1.5}}


def median_s(action, repeats: int):
    result = action()  # warm up
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="250,2500")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(
        f"\nHistories of {MONTHS} months, b = {B}, t = {T}, about {LINKS} links each; outlook of {args.runs:,} runs.\n"
    )
    print(f"{'orgs':>6}{'outlook':>10}{'target':>8}{'choose 5':>10}{'target':>8}{'evaluations':>13}")
    for n in (int(s) for s in args.sizes.split(",")):
        organisations, links = generate_graph(n, LINKS, seed=1)
        panel = simulate_history(organisations, links, B, T, MONTHS, seed=2)
        month = panel.months - 1 + AHEAD
        due = month_end(FIRST_MONTH + month)
        ambition = AmbitionInfo(0, "BENCH", "Bench", "", (TargetInfo("Target", "Every trust engaged", due),))

        def outlook(panel=panel, ambition=ambition):
            return service.outlook_of(panel, ambition, None, DEFAULT_THRESHOLD, date.today(), None, args.runs, 0)

        def choose(panel=panel, month=month):
            model = fit(panel)
            pool = engage.candidates(panel)
            return service.choose_for(panel, model, month, pool, 5, runs=service.ENGAGE_RUNS, seed=0)

        seen, _ = median_s(outlook, args.repeats)
        chose, (_short, result) = median_s(choose, args.repeats)
        aim_o, aim_c = TARGETS["outlook"].get(n), TARGETS["choose 5"].get(n)
        print(
            f"{n:>6}{seen:>9.3f}s{(f'{aim_o:.1f}s' if aim_o else '-'):>8}"
            f"{chose:>9.3f}s{(f'{aim_c:.1f}s' if aim_c else '-'):>8}{result.evaluations:>13}"
        )


if __name__ == "__main__":
    main()
