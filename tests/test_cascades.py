"""Independent cascade and weighted linear threshold on graphs small enough to work by hand.

Monte Carlo checks use a fixed seed and enough runs that the bound is four standard errors of the
estimated share, sqrt(q(1 − q)/runs): a correct simulation misses it with probability below 1 in
15,000, and since the seed is fixed the outcome is the same on every machine.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest

from tracker.core import cascades
from tracker.core.panel import Panel

RUNS = 200_000


def bound(q: float, runs: int = RUNS) -> float:
    return 4 * math.sqrt(q * (1 - q) / runs)


def path(strengths=(5, 5)):
    return cascades.network("abc", [("a", "b", strengths[0]), ("b", "c", strengths[1])])


def exact_cascade(nodes, links, probability, seeds):
    """Each organisation's chance of being reached, by enumerating every coin of the process itself:
    one coin per direction of each link, tossed when its source is newly active and its target not."""
    arcs = [(a, b) for a, b in links] + [(b, a) for a, b in links]
    reached = dict.fromkeys(nodes, 0.0)
    for coins in itertools.product((True, False), repeat=len(arcs)):
        weight = math.prod(probability if up else 1 - probability for up in coins)
        up = {arc for arc, coin in zip(arcs, coins, strict=True) if coin}
        active, new = set(seeds), set(seeds)
        while new:
            new = {b for a, b in arcs if a in new and b not in active and (a, b) in up}
            active |= new
        for node in active:
            reached[node] += weight
    return reached


@pytest.mark.parametrize("p", [0.3, 0.5, 0.9])
def test_on_a_path_of_three_the_far_end_is_reached_with_probability_p_squared(p):
    result = cascades.independent_cascade(path(), ["a"], p=p, runs=RUNS, seed=7)
    assert result.probability("a") == 1.0
    assert abs(result.probability("b") - p) < bound(p)
    assert abs(result.probability("c") - p**2) < bound(p**2)
    assert abs(result.expected_spread - (1 + p + p**2)) < 4 * math.sqrt(2 / RUNS)  # spread's sd is below √2


def test_the_kept_draws_reach_the_far_end_with_probability_p_squared_too():
    draws = cascades.Draws(path(), p=0.5, runs=RUNS, seed=7)
    spread = draws.spread({"a"})
    assert abs(spread.mean() - 1.75) < 4 * math.sqrt(2 / RUNS)
    assert abs(np.mean(spread == 3) - 0.25) < bound(0.25)  # all three reached: the far end


def test_a_link_transmits_in_proportion_to_its_strength():
    # strengths 5 and 2: b with 0.8, c with 0.8 × 0.8·2/5
    result = cascades.independent_cascade(path((5, 2)), ["a"], p=0.8, runs=RUNS, seed=3)
    assert abs(result.probability("c") - 0.8 * 0.32) < bound(0.256)


def test_a_probability_may_be_given_per_link():
    result = cascades.independent_cascade(path(), ["a"], p=np.array([1.0, 0.25]), runs=RUNS, seed=3)
    assert result.probability("b") == 1.0
    assert abs(result.probability("c") - 0.25) < bound(0.25)


@pytest.mark.parametrize("stamps", [cascades.STAMPS, 64])
def test_on_a_graph_with_a_cycle_both_engines_match_the_enumerated_process(stamps, monkeypatch):
    """A triangle with a tail, every coin of the literal process enumerated (2⁸ outcomes); also with
    the cells reached in a step sorted out in parts of 64 (as for steps longer than 16-bit stamps)."""
    monkeypatch.setattr(cascades, "STAMPS", stamps)
    links = [("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")]
    exact = exact_cascade("abcd", links, 0.4, {"a"})
    net = cascades.network("abcd", [(a, b, 5) for a, b in links])
    result = cascades.independent_cascade(net, ["a"], p=0.4, runs=RUNS, seed=11)
    spread = cascades.Draws(net, p=0.4, runs=RUNS, seed=11).spread({"a"})
    for node in "bcd":
        assert abs(result.probability(node) - exact[node]) < bound(exact[node])
    expected = sum(exact.values())
    assert abs(result.expected_spread - expected) < 4 * math.sqrt(3 / RUNS)
    assert abs(spread.mean() - expected) < 4 * math.sqrt(3 / RUNS)


def test_several_seeds_and_certain_links_reach_their_whole_component_and_nothing_else():
    net = cascades.network("abcdef", [("a", "b", 5), ("b", "c", 5), ("d", "e", 5)])
    result = cascades.independent_cascade(net, ["a", "d"], p=1.0, runs=10, seed=1)
    assert result.spread.tolist() == [5.0] * 10
    assert result.reached.tolist() == [1, 1, 1, 1, 1, 0]


def test_the_same_seed_gives_the_same_runs_and_another_seed_other_runs():
    graph = nx.gnm_random_graph(200, 500, seed=4)
    net = cascades.network([f"R{i:03d}" for i in range(200)], [(f"R{a:03d}", f"R{b:03d}", 5) for a, b in graph.edges])
    first = cascades.independent_cascade(net, ["R000", "R001"], p=0.3, runs=500, seed=5)
    again = cascades.independent_cascade(net, ["R000", "R001"], p=0.3, runs=500, seed=5)
    other = cascades.independent_cascade(net, ["R000", "R001"], p=0.3, runs=500, seed=6)
    assert np.array_equal(first.spread, again.spread) and np.array_equal(first.reached, again.reached)
    assert not np.array_equal(first.spread, other.spread)
    kept = cascades.Draws(net, ["R002"], p=0.3, runs=500, seed=5)
    assert np.array_equal(kept.spread({"R000"}), cascades.Draws(net, ["R002"], p=0.3, runs=500, seed=5)({"R000"}))


def test_the_step_by_step_simulation_and_the_kept_draws_agree_on_a_larger_graph():
    graph = nx.gnm_random_graph(300, 750, seed=2)
    names = [f"R{i:03d}" for i in range(300)]
    net = cascades.network(names, [(names[a], names[b], 1 + (a + b) % 5) for a, b in graph.edges])
    simulated = cascades.independent_cascade(net, names[:3], p=0.6, runs=4000, seed=1).spread
    kept = cascades.Draws(net, p=0.6, runs=4000, seed=2).spread(set(names[:3]))
    error = math.sqrt(simulated.var() / 4000 + kept.var() / 4000)
    assert abs(simulated.mean() - kept.mean()) < 4 * error


def test_the_panel_gives_the_learning_graph_with_parallel_links_added():
    panel = Panel(3, ("A", "B", "C"), links=(("A", "B", 2), ("B", "A", 1), ("B", "C", 4)))
    net = cascades.panel_network(panel)
    assert net.nodes == ("A", "B", "C")
    assert net.strength.tolist() == [3.0, 4.0]
    assert net.probabilities(0.5).tolist() == [0.3, 0.4]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda net: cascades.independent_cascade(net, ["z"]), "Unknown organisations: z"),
        (lambda net: cascades.independent_cascade(net, ["a"], p=1.5), "between 0 and 1"),
        (lambda net: cascades.independent_cascade(net, ["a"], p=np.array([0.5])), "one probability"),
        (lambda net: cascades.independent_cascade(net, ["a"], runs=0), "at least 1"),
        (lambda net: cascades.linear_threshold(net, ["a"], runs=0), "at least 1"),
        (lambda net: cascades.network("ab", [("a", "z", 1)]), "unknown organisation"),
        (lambda net: cascades.linear_threshold(net, ["a"], runs=2, thresholds=[0.5, 0.5]), "one threshold"),
        (lambda net: cascades.Draws(net, p=0.5, runs=10).spread({"a", "q"}), "Unknown organisations: q"),
        (lambda net: cascades.network("ab", [("a", "b", 0)]), "must be positive"),
    ],
)
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call(path())


def test_linear_threshold_against_a_hand_worked_example():
    """a–b 2, a–c 1, b–c 1, c–d 3; seed a. Weights into b: a 2/3, c 1/3; into c: a 1/5, b 1/5, d 3/5;
    into d: c 1. Step 1: b has 2/3 ≥ 0.6, c has 1/5. Step 2: c has 1/5 + 1/5 = 0.4. Step 3: d has 1.
    With c's threshold 0.4 everyone is reached; with 0.41 c stops short, and so does d."""
    net = cascades.network("abcd", [("a", "b", 2), ("a", "c", 1), ("b", "c", 1), ("c", "d", 3)])
    thresholds = np.array([[1.0, 0.6, 0.4, 0.9], [1.0, 0.6, 0.41, 0.9]])
    result = cascades.linear_threshold(net, ["a"], runs=2, thresholds=thresholds)
    assert result.spread.tolist() == [4.0, 2.0]
    assert result.reached.tolist() == [1.0, 1.0, 0.5, 0.5]


def test_linear_threshold_with_one_threshold_per_organisation_for_every_run():
    net = cascades.network("abcd", [("a", "b", 2), ("a", "c", 1), ("b", "c", 1), ("c", "d", 3)])
    result = cascades.linear_threshold(net, ["d"], runs=3, thresholds=[0.5, 0.5, 0.7, 0.5])
    # c has 3/5 < 0.7 from d: nothing moves
    assert result.spread.tolist() == [1.0, 1.0, 1.0]


def test_linear_threshold_with_drawn_thresholds_on_a_path():
    """Seed a on a–b–c: b feels a's weight 1/2, so it activates when θ ≤ 1/2; c then feels weight 1."""
    result = cascades.linear_threshold(path(), ["a"], runs=RUNS, seed=9)
    assert abs(result.probability("b") - 0.5) < bound(0.5)
    assert result.probability("c") == result.probability("b")
    again = cascades.linear_threshold(path(), ["a"], runs=RUNS, seed=9)
    assert np.array_equal(result.spread, again.spread)


def test_an_isolated_organisation_is_reached_only_as_a_seed():
    net = cascades.network("abz", [("a", "b", 5)])
    assert cascades.linear_threshold(net, ["a"], runs=100, seed=1).probability("z") == 0.0
    assert cascades.independent_cascade(net, ["a"], p=1.0, runs=100, seed=1).probability("z") == 0.0
    assert cascades.linear_threshold(net, ["z"], runs=100, seed=1).spread.tolist() == [1.0] * 100


def test_single_gains_equal_each_organisations_own_spread_gain():
    net = cascades.network("ABCDEFG", [("A", "B", 5), ("B", "C", 3), ("C", "D", 1), ("E", "F", 4), ("G", "A", 2)])
    draws = cascades.Draws(net, ["A"], p=0.6, runs=300, seed=3)
    order = ["F", "C", "G", "A", "E", "D", "B"]
    expected = [float(np.mean(draws.spread([v]) - draws.baseline)) for v in order]
    assert draws.single_gains(order) == pytest.approx(expected)
    assert draws.single_gains(["A"])[0] == 0.0  # an adopter adds nothing
    with pytest.raises(ValueError, match="ZZ"):
        draws.single_gains(["ZZ"])
