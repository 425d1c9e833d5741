"""The engagement search: greedy with CELF on common random numbers, its intervals and reasons."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from tracker.core import cascades, engage
from tracker.core import graph as measures
from tracker.core.panel import Panel


def star(leaves=6):
    names = ["C", *(f"L{i}" for i in range(leaves))]
    return cascades.network(names, [("C", leaf, 5) for leaf in names[1:]]), names


def random_network(size, links, seed):
    graph = nx.gnm_random_graph(size, links, seed=seed)
    names = [f"R{i:02d}" for i in range(size)]
    return cascades.network(names, [(names[a], names[b], 1 + (a * b) % 5) for a, b in graph.edges]), names


def test_on_a_star_engaging_the_centre_beats_engaging_any_leaf():
    net, names = star()
    draws = cascades.Draws(net, p=0.5, runs=2000, seed=1)
    result = engage.choose(draws, names, k=1)
    assert result.chosen == ("C",)
    centre = result.picks[0]
    assert centre.gain == pytest.approx(1 + 6 * 0.5, abs=0.1)
    # each leaf: itself, the centre with 1/2, each other leaf with 1/4; and the centre's interval above all
    for leaf in names[1:]:
        gain = engage.choose(draws, [leaf], k=1).picks[0]
        assert gain.gain == pytest.approx(1 + 0.5 + 5 * 0.25, abs=0.1)
        assert gain.high < centre.low
    assert centre.alternatives == ()


def test_a_disconnected_organisation_gains_only_itself_whatever_is_engaged():
    net, names = star()
    net = cascades.network([*names, "Z"], [("C", leaf, 5) for leaf in names[1:]])
    draws = cascades.Draws(net, ["L0"], p=0.5, runs=500, seed=2)
    alone = engage.choose(draws, ["Z"], k=1).picks[0]
    assert (alone.gain, alone.low, alone.high) == (1.0, 1.0, 1.0)
    everyone = engage.choose(draws, [*names[1:], "Z"], k=7)
    picked = {pick.ods: pick for pick in everyone.picks}
    assert (picked["Z"].gain, picked["Z"].low, picked["Z"].high) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_greedy_with_celf_chooses_as_plain_greedy_does(seed):
    net, names = random_network(30, 45, seed)
    draws = cascades.Draws(net, names[:2], p=0.3, runs=300, seed=seed)
    lazy = engage.choose(draws, names[2:], k=5)
    plain = engage.choose(draws, names[2:], k=5, lazy=False)
    assert [(p.ods, p.gain, p.low, p.high) for p in lazy.picks] == [(p.ods, p.gain, p.low, p.high) for p in plain.picks]
    assert (lazy.baseline, lazy.total) == (plain.baseline, plain.total)
    assert lazy.evaluations < plain.evaluations


def test_celf_equals_plain_greedy_for_another_submodular_objective():
    """Coverage per run: run r covers the items of each engaged set in its own table."""
    rng = np.random.default_rng(8)
    covers = {f"S{i}": rng.random((50, 12)) < 0.2 for i in range(15)}  # 50 runs × 12 items

    def objective(engaged):
        covered = np.zeros((50, 12), dtype=bool)
        for ods in engaged:
            covered |= covers[ods]
        return covered.sum(axis=1)

    lazy = engage.choose(objective, covers, k=4)
    plain = engage.choose(objective, covers, k=4, lazy=False)
    assert lazy.picks == plain.picks


def test_a_gain_is_the_mean_paired_difference_with_its_95_percent_interval():
    values = {frozenset(): np.array([0.0, 0.0, 0.0, 0.0]), frozenset({"A"}): np.array([1.0, 2.0, 3.0, 4.0])}
    pick = engage.choose(lambda engaged: values[engaged], ["A"], k=1).picks[0]
    half = 1.959963984540054 * np.std([1, 2, 3, 4], ddof=1) / 2
    assert (pick.gain, pick.low, pick.high) == pytest.approx((2.5, 2.5 - half, 2.5 + half))


def test_near_equivalent_alternatives_are_those_whose_intervals_overlap_the_pick():
    twins = cascades.network(["A", "B", "C", "D", "E"], [("A", "B", 5), ("C", "D", 5)])
    draws = cascades.Draws(twins, p=0.5, runs=400, seed=3)
    pick = engage.choose(draws, ["A", "B", "C", "D", "E"], k=1).picks[0]
    # four organisations of equal standing: any is near-equivalent to the pick; the isolated E is not
    assert {g.ods for g in pick.alternatives} | {pick.ods} == {"A", "B", "C", "D"}
    assert all(g.high >= pick.low and g.low <= pick.high for g in pick.alternatives)
    assert len(engage.choose(draws, "ABCDE", k=1, alternatives=1).picks[0].alternatives) == 1


def test_the_search_is_stable_for_a_seed():
    net, names = random_network(40, 70, 9)
    first = engage.choose(cascades.Draws(net, p=0.2, runs=300, seed=4), names, k=5)
    again = engage.choose(cascades.Draws(net, p=0.2, runs=300, seed=4), names, k=5)
    assert first == again
    assert len(set(first.chosen)) == 5


def test_fewer_candidates_than_k_gives_them_all_and_k_below_one_is_refused():
    net, names = star(2)
    draws = cascades.Draws(net, p=0.5, runs=50, seed=1)
    assert sorted(engage.choose(draws, ["L0", "L1"], k=5).chosen) == ["L0", "L1"]
    with pytest.raises(ValueError, match="at least one"):
        engage.choose(draws, names, k=0)


def test_candidates_are_open_organisations_not_yet_adopting():
    panel = Panel(
        6,
        ("A", "B", "C", "D", "E"),
        adopted={"A": 2},
        open_from={"B": 6},  # opens after the last observed month
        closed_from={"C": 4},
    )
    assert engage.candidates(panel) == ["D", "E"]
    assert engage.candidates(panel, month=1) == ["A", "C", "D", "E"]  # before A adopts and C closes


def test_reasons_from_the_graph_measures():
    """Two triangles joined through X; A and Y have adopted."""
    links = [("A", "B", 2), ("B", "C", 2), ("A", "C", 2), ("X", "C", 1), ("X", "Y", 1)]
    links += [("Y", "Z", 2), ("Z", "W", 2), ("Y", "W", 2)]
    panel = Panel(12, ("A", "B", "C", "W", "X", "Y", "Z"), adopted={"A": 3, "Y": 5}, links=tuple(links))
    found = engage.reasons(panel, ["X", "B"], networks={"X": "Kent and Medway"})
    x, b = found["X"], found["B"]
    assert (x.linked, x.linked_adopting, x.exposure) == (2, 1, 0.5)
    assert (b.linked, b.linked_adopting, b.exposure) == (2, 1, 0.5)
    assert x.bridges_to and not b.bridges_to
    assert x.betweenness > b.betweenness
    assert (x.network, b.network) == ("Kent and Medway", None)


def test_a_recommendation_from_a_panel_names_open_organisations_with_their_reasons():
    """A hub H linked to five organisations, one of which (A) has adopted; Z is closed."""
    links = tuple((hub, leaf, 5) for hub, leaf in [("H", "A"), ("H", "B"), ("H", "C"), ("H", "D"), ("H", "E")])
    panel = Panel(6, ("A", "B", "C", "D", "E", "H", "Z"), adopted={"A": 2}, closed_from={"Z": 3}, links=links)
    result = engage.recommend(panel, k=2, p=0.5, runs=500, seed=1)
    assert result.engagement.chosen[0] == "H"
    assert "A" not in result.engagement.chosen and "Z" not in result.engagement.chosen
    hub = result.reasons["H"]
    assert (hub.linked, hub.linked_adopting, hub.exposure) == (5, 1, 0.2)
    assert set(result.reasons) >= set(result.engagement.chosen)
    # before A adopted, nobody was exposed
    assert engage.reasons(panel, ["H"], month=1)["H"].exposure == 0.0


def test_betweenness_from_a_sample_of_sources_estimates_the_exact_one():
    """A star of six leaves: only the centre lies between others, however many sources are searched."""
    star = nx.Graph()
    star.add_edges_from((("C", leaf) for leaf in "ABDEFG"), weight=1)
    exact = measures.betweenness(star)
    estimate = measures.betweenness(star, sources=3, seed=4)
    assert exact["C"] == 1.0 and estimate["C"] > 0
    assert all(exact[leaf] == estimate[leaf] == 0 for leaf in "ABDEFG")
    assert measures.betweenness(star, sources=3, seed=4) == estimate  # the same seed, the same sample
    assert measures.betweenness(star, sources=7) == exact  # as many sources as organisations: exact


def test_reasons_on_a_large_graph_use_the_estimate_and_say_so(monkeypatch):
    links = (("A", "B", 2), ("B", "C", 2), ("C", "D", 2))
    panel = Panel(12, ("A", "B", "C", "D"), adopted={"A": 3}, links=links)
    assert not engage.reasons(panel, ["B"])["B"].betweenness_estimated
    monkeypatch.setattr(engage, "EXACT_BETWEENNESS_UP_TO", 3)
    monkeypatch.setattr(engage, "BETWEENNESS_SOURCES", 2)
    found = engage.reasons(panel, ["B", "D"])
    assert found["B"].betweenness_estimated and found["B"].betweenness > 0
    assert found["D"].betweenness == 0.0  # an end of the path is never between others


def test_reasons_take_graph_measures_kept_by_the_caller():
    links = (("A", "B", 2), ("B", "C", 2))
    panel = Panel(12, ("A", "B", "C"), adopted={"A": 3}, links=links)
    kept = engage.graph_measures(panel)
    assert engage.reasons(panel, ["B"], known=kept) == engage.reasons(panel, ["B"])
    same_graph_more_adopters = Panel(12, ("A", "B", "C"), adopted={"A": 3, "C": 5}, links=links)
    assert engage.graph_key(same_graph_more_adopters) == engage.graph_key(panel)
