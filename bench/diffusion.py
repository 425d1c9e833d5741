"""Benchmark: independent cascade against NDlib and cynetdiff, and the engagement search.

    .venv/bin/pip install -e '.[bench]'     # NDlib and cynetdiff: for this benchmark only
    .venv/bin/python bench/diffusion.py [--runs 10000] [--repeat 5] [--ndlib-runs 20]

The graphs: 250 and 2,500 organisations, about 5 links each (a G(n, m) random graph with m = 5n/2,
networkx seed 1), every link of strength 5 so that each transmits with exactly p (0.1 and 0.3) in all
three libraries, and the same 5 seed organisations. Per-run time, measured the same way for each:
the graph is built once beforehand (our arrays, cynetdiff's model, NDlib's configured model); then a
batch of runs is timed with time.perf_counter and divided by the number of runs. After one warm-up
batch each, the libraries' batches take turns (ours, cynetdiff, NDlib, ours, ...) --repeat times,
so that all see the same load on a shared machine, and each one's fastest batch is reported (the
least disturbed by other work; the median is printed too). Ours simulates a batch with one call
(tracker.core.cascades.independent_cascade: all runs at once); cynetdiff resets its model and
advances it to completion once per run; NDlib resets and iterates until nobody is infected, per run
(far fewer runs: it is slow). The mean spread of each is printed too, as a check that they simulate
the same process.

Then the engagement search: 5 organisations chosen among the open, not-yet-adopting ones (10% have
adopted; link strengths 1 to 5), by expected spread under independent cascade on 1,000 kept runs:
drawing the runs (tracker.core.cascades.Draws) and choosing (tracker.core.engage.choose), together.
Targets: ≥ 100× NDlib, ≥ 1× cynetdiff per run; choosing 5 ≤ 0.2 s at 250 and ≤ 1.5 s at 2,500.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.core import cascades, engage  # noqa: E402

SIZES = (250, 2500)
PROBABILITIES = (0.1, 0.3)
SEEDS = 5


def timed(call, repeat: int) -> float:
    """The median of `repeat` timings after a warm-up (for the search, which has no peer to take turns with)."""
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def race(batches: dict[str, tuple[object, int]], repeat: int) -> dict[str, tuple[float, float]]:
    """Per-run (fastest, median) seconds of each batch, the batches taking turns `repeat` times."""
    times: dict[str, list[float]] = {name: [] for name in batches}
    for call, _runs in batches.values():
        call()  # warm-up: first-touch memory and imports are not the simulation
    for _ in range(repeat):
        for name, (call, runs) in batches.items():
            start = time.perf_counter()
            call()
            times[name].append((time.perf_counter() - start) / runs)
    return {name: (min(t), statistics.median(t)) for name, t in times.items()}


def learning_graph(size: int) -> nx.Graph:
    return nx.gnm_random_graph(size, 5 * size // 2, seed=1)


def names(size: int) -> list[str]:
    return [f"R{i:05d}" for i in range(size)]


def ours(graph: nx.Graph, p: float, runs: int):
    """A batch of `runs` runs in one call, and the mean spread of the last batch."""
    label = names(graph.number_of_nodes())
    net = cascades.network(label, [(label[a], label[b], 5) for a, b in graph.edges])
    last = []

    def batch():
        last[:] = [cascades.independent_cascade(net, label[:SEEDS], p=p, runs=runs, seed=1).expected_spread]

    return batch, lambda: last[0]


def cynetdiff_batch(graph: nx.Graph, p: float, runs: int):
    try:
        from cynetdiff.utils import networkx_to_ic_model
    except ImportError:
        return None
    model, mapping = networkx_to_ic_model(graph, activation_prob=p, rng=1)
    model.set_seeds([mapping[node] for node in range(SEEDS)])
    sizes = []

    def batch():
        sizes.clear()
        for _ in range(runs):
            model.reset_model()
            model.advance_until_completion()
            sizes.append(model.get_num_activated_nodes())

    return batch, lambda: float(np.mean(sizes))


def ndlib_batch(graph: nx.Graph, p: float, runs: int):
    try:
        import ndlib.models.epidemics as ep
        import ndlib.models.ModelConfig as mc
    except ImportError:
        return None
    model = ep.IndependentCascadesModel(graph, seed=1)
    config = mc.Configuration()
    config.add_model_initial_configuration("Infected", list(range(SEEDS)))
    for a, b in graph.edges:
        config.add_edge_configuration("threshold", (a, b), p)
    model.set_initial_status(config)
    sizes = []

    def batch():
        sizes.clear()
        for _ in range(runs):
            model.reset()
            while True:
                counts = model.iteration(node_status=False)["node_count"]
                if counts[1] == 0:
                    break
            sizes.append(counts[2])

    return batch, lambda: float(np.mean(sizes))


def choosing(size: int, p: float, repeat: int) -> tuple[float, tuple[str, ...]]:
    graph = learning_graph(size)
    label = names(size)
    strength = np.random.default_rng(2).integers(1, 6, graph.number_of_edges())
    net = cascades.network(label, [(label[a], label[b], s) for (a, b), s in zip(graph.edges, strength, strict=True)])
    adopters = set(label[::10])
    open_ones = [ods for ods in label if ods not in adopters]
    picked = []

    def search():
        draws = cascades.Draws(net, adopters, p=p, runs=1000, seed=1)
        picked.append(engage.choose(draws, open_ones, k=5).chosen)

    return timed(search, repeat), picked[-1]


def micro(seconds: float) -> str:
    return f"{seconds * 1e6:9.1f} µs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000, help="runs per timed batch (ours, cynetdiff)")
    parser.add_argument("--ndlib-runs", type=int, default=20, help="runs per timed batch for NDlib")
    parser.add_argument("--repeat", type=int, default=7, help="turns each library's batch is timed")
    args = parser.parse_args()

    print("One independent-cascade run: per-run time, fastest of the turns (median), mean spread")
    missing = set()
    for size in SIZES:
        graph = learning_graph(size)
        for p in PROBABILITIES:
            contenders = {"ours": (ours(graph, p, args.runs), args.runs)}
            for name, make, runs in (
                ("cynetdiff", cynetdiff_batch, args.runs),
                ("NDlib", ndlib_batch, args.ndlib_runs),
            ):
                made = make(graph, p, runs)
                if made is None:
                    missing.add(name)
                else:
                    contenders[name] = (made, runs)
            timings = race({name: (made[0], runs) for name, (made, runs) in contenders.items()}, args.repeat)
            print(f"  {size} organisations, p = {p}")
            mine = timings["ours"][0]
            for name, (made, _runs) in contenders.items():
                best, median = timings[name]
                ratio = (
                    ""
                    if name == "ours"
                    else f"  ours is {best / mine:.2f}× as fast (median {median / timings['ours'][1]:.2f}×)"
                )
                print(f"    {name:<10} {micro(best)} ({micro(median)})  spread {made[1]():7.1f}{ratio}")
    if missing:
        print(f"({', '.join(sorted(missing))} could not be imported: pip install -e '.[bench]')")
    print()
    print("Choosing 5 organisations (1,000 kept runs; drawing them and the CELF search together; median)")
    for size, target in ((250, 0.2), (2500, 1.5)):
        for p in PROBABILITIES:
            seconds, chosen = choosing(size, p, max(1, args.repeat // 2))
            verdict = "meets" if seconds <= target else "MISSES"
            print(f"  {size:>5} p = {p}: {seconds:6.3f} s  (target ≤ {target} s: {verdict})  {', '.join(chosen)}")


if __name__ == "__main__":
    main()
