"""Benchmark: fitting the network hazard model and forecasting reach, at regional and national scale.

    .venv/bin/python bench/forecast.py [--sizes 250,2500] [--runs 1000] [--horizon 36] [--repeats 5]

For each size, a random geometric learning graph with about 5 links per organisation and a 36-month
history drawn from the model with known b and t (tracker.core.diffusion_synth); then the median time of
the fit (estimates, profile-likelihood intervals, likelihood-ratio test), of a forecast (runs × horizon
months, with parameter draws), of one more run of a prepared forecast with 5 organisations engaged (the
call an engagement search repeats), and of the 12-month backtest. Pure cores only: no database.
With --recovery N, also the share of N histories (250 organisations, seeds 0..N−1) whose 95% intervals
cover the true b, t and ratio: the parameter-recovery check of tests/test_diffusion_fit.py, at length.
Target: the forecast for an ambition at national scale (2,500 organisations, 1,000 runs, 36 months) ≤ 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.core.backtest import backtest  # noqa: E402
from tracker.core.diffusion import hazard_ratio  # noqa: E402
from tracker.core.diffusion_fit import fit  # noqa: E402
from tracker.core.diffusion_synth import generate_graph, simulate_history  # noqa: E402
from tracker.core.forecast import forecast, prepare  # noqa: E402

B, T, MONTHS, LINKS = 0.004, 0.06, 36, 5
TARGET_S = {2_500: 1.0}


def median_s(action, repeats: int) -> tuple[float, object]:
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
    parser.add_argument("--horizon", type=int, default=36)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--recovery", type=int, default=0, help="histories for the interval coverage check")
    args = parser.parse_args()
    print(f"\nHistories of {MONTHS} months drawn with b = {B}, t = {T}; about {LINKS} links per organisation.")
    print(f"Median of {args.repeats} repeats; forecasts of {args.runs:,} runs over {args.horizon} months.\n")
    header = f"{'orgs':>6}{'adopted':>9}{'fit':>9}{'forecast':>10}{'engaged run':>13}{'backtest':>10}{'target':>10}"
    rows, fits = [header], []
    for n in (int(size) for size in args.sizes.split(",")):
        organisations, links = generate_graph(n, LINKS, seed=1)
        panel = simulate_history(organisations, links, B, T, MONTHS, seed=2)
        fit_s, model = median_s(lambda panel=panel: fit(panel), args.repeats)
        forecast_s, _ = median_s(
            lambda panel=panel, model=model: forecast(panel, model, args.horizon, runs=args.runs, seed=1),
            args.repeats,
        )
        simulation = prepare(panel, model, args.horizon, runs=args.runs, seed=1)
        engaged = [ods for ods in organisations if ods not in panel.adopted][:5]
        run_s, _ = median_s(lambda simulation=simulation, engaged=engaged: simulation.run(engaged), args.repeats)
        backtest_s, checked = median_s(lambda panel=panel: backtest(panel, runs=args.runs, seed=1), 1)
        target = f"≤ {TARGET_S[n]:.1f} s" if n in TARGET_S else ""
        rows.append(
            f"{n:>6,}{len(panel.adopted):>9,}{fit_s:>8.3f}s{forecast_s:>9.3f}s{run_s:>12.3f}s{backtest_s:>9.3f}s{target:>10}"
        )
        fits.append((n, model, checked))
    print("\n".join(rows))
    for n, model, checked in fits:
        b, t, ratio = model.background, model.transmission, model.ratio
        print(f"\n{n:,} organisations, {model.observations:,} organisation-months at risk:")
        print(f"  b = {b.estimate:.4f} (95% CI {b.low:.4f} to {b.high:.4f}; truth {B})")
        print(f"  t = {t.estimate:.4f} (95% CI {t.low:.4f} to {t.high:.4f}; truth {T})")
        print(
            f"  ratio {ratio.estimate:.2f}× ({ratio.low:.2f}× to {ratio.high:.2f}×), p = {model.network_effect_p_value:.2g}"
        )
        print(
            f"  backtest MAE: model {checked.model_mae:.4f}, straight line {checked.straight_line_mae:.4f}, "
            f"Bass {checked.bass_mae:.4f}; truth in the 80% band {checked.coverage_of_band:.0%} of months"
        )

    if args.recovery:
        recovery(args.recovery)


def recovery(histories: int, b: float = 0.01, t: float = 0.12) -> None:
    organisations, links = generate_graph(250, LINKS, seed=7)
    covered = {"b": 0, "t": 0, "ratio": 0}
    for seed in range(histories):
        model = fit(simulate_history(organisations, links, b, t, MONTHS, seed=seed))
        truth = {"b": b, "t": t, "ratio": hazard_ratio(b, t, model.typical_weight)}
        for name, estimate in (("b", model.background), ("t", model.transmission), ("ratio", model.ratio)):
            covered[name] += estimate.low <= truth[name] <= estimate.high
    shares = ", ".join(f"{name} {count / histories:.0%}" for name, count in covered.items())
    print(f"\nParameter recovery (b = {b}, t = {t}, 250 organisations, {histories} histories): 95% CI covers {shares}")


if __name__ == "__main__":
    main()
