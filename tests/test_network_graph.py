"""The network measures on small graphs whose answers are worked out by hand."""

import ast
import math
from datetime import date
from pathlib import Path

import networkx as nx
import pytest

from tracker.core import graph as graph_core
from tracker.core.graph import (
    EARLY_ADOPTER,
    EARLY_MAJORITY,
    LAGGARD,
    LATE_MAJORITY,
    NOT_YET,
    LinkRecord,
    OrganisationRecord,
    adopter_categories,
    betweenness,
    communities,
    exposure,
    frontier,
    isolated,
    learning_graph,
    network_attributable,
)


def orgs(*codes):
    return [OrganisationRecord(code, f"Trust {code}") for code in codes]


def links(*pairs, weight=1, confirmed=True):
    return [LinkRecord(a, b, "buddy_pair", weight, confirmed) for a, b in pairs]


def test_exposure_is_the_weighted_share_of_neighbours_that_adopted():
    # A—B (weight 3), A—C (weight 1); B adopted: A's exposure is 3 / (3 + 1).
    graph = learning_graph(orgs("A", "B", "C", "D"), links(("A", "B"), weight=3) + links(("A", "C")))
    shares = exposure(graph, {"B"})
    assert shares == {"A": 0.75, "B": 0.0, "C": 0.0, "D": 0.0}
    assert exposure(graph, {"B", "C"})["A"] == 1.0


def test_proposed_links_are_not_counted():
    graph = learning_graph(orgs("A", "B"), links(("A", "B"), confirmed=False))
    assert graph.number_of_edges() == 0
    assert exposure(graph, {"B"})["A"] == 0.0
    assert (
        learning_graph(orgs("A", "B"), links(("A", "B"), confirmed=False), confirmed_only=False).number_of_edges() == 1
    )


def test_frontier_is_non_adopters_linked_to_an_adopter_most_exposed_first():
    # B and D adopted. A links B and C (exposure 1/2); C links D only (exposure 1); E is isolated.
    graph = learning_graph(orgs("A", "B", "C", "D", "E"), links(("A", "B"), ("A", "C"), ("C", "D")))
    # C's neighbours are A (not adopted) and D (adopted): 1/2; A's are B (adopted) and C: 1/2. Ties by ODS code.
    assert frontier(graph, {"B", "D"}) == [("A", 0.5), ("C", 0.5)]
    assert frontier(graph, {"B"}) == [("A", 0.5)]
    assert isolated(graph) == ["E"]


def test_the_bridge_between_two_groups_is_the_broker():
    # Two triangles joined through X: every path between the groups passes X.
    graph = learning_graph(
        orgs("A1", "A2", "A3", "B1", "B2", "B3", "X"),
        links(
            ("A1", "A2"), ("A2", "A3"), ("A1", "A3"), ("B1", "B2"), ("B2", "B3"), ("B1", "B3"), ("A1", "X"), ("X", "B1")
        ),
    )
    scores = betweenness(graph)
    assert max(scores, key=scores.get) == "X"
    # X lies on the shortest path of every pair across the groups (3 × 3 = 9) and of no other;
    # normalised by the (n − 1)(n − 2) / 2 = 15 pairs that exclude X: 9 / 15.
    assert round(scores["X"], 6) == 0.6
    # A1 carries A2 and A3 to X and to the three Bs: 2 × 4 = 8 pairs of 15.
    assert round(scores["A1"], 6) == round(8 / 15, 6)


def test_paths_of_equal_length_share_the_credit_exactly():
    # Lengths are 1/weight. B–C runs B–A–C (1/5 + 1/3) or B–E–C (1/3 + 1/5), D–C runs D–B–A–C or
    # D–B–E–C (1/4 + 1/5 + 1/3 either way): each tie gives A and E half a path. In floating point the
    # sums differ in the last bit and networkx would credit one side only (A 0.125, E ≈ 0.208).
    graph = learning_graph(
        orgs("A", "B", "C", "D", "E"),
        links(("A", "B"), ("C", "E"), weight=5) + links(("A", "C"), ("B", "E"), weight=3) + links(("B", "D"), weight=4),
    )
    scores = betweenness(graph)
    # Of the (5 − 1)(5 − 2) / 2 = 6 pairs without A: half of B–C and half of D–C.
    assert round(scores["A"], 9) == round(scores["E"], 9) == round(1 / 6, 9)
    # B carries D to everyone else (3 pairs) and A–E (1/5 + 1/3 through B or through C: half).
    assert round(scores["B"], 9) == round(3.5 / 6, 9)


def test_two_obvious_communities():
    graph = learning_graph(
        orgs("A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4"),
        links(("A1", "A2"), ("A1", "A3"), ("A1", "A4"), ("A2", "A3"), ("A2", "A4"), ("A3", "A4"), weight=5)
        + links(("B1", "B2"), ("B1", "B3"), ("B1", "B4"), ("B2", "B3"), ("B2", "B4"), ("B3", "B4"), weight=5)
        + links(("A4", "B1"), weight=1),
    )
    found = communities(graph)
    assert {found[n] for n in ("A1", "A2", "A3", "A4")} == {1}
    assert {found[n] for n in ("B1", "B2", "B3", "B4")} == {2}
    assert communities(graph) == found  # the same every time


def test_adopter_categories_by_valentes_rule():
    # Adoption days 0, 10, 20, 30, 40 (mean 20, population SD ≈ 14.14): 0 < 5.86 early adopter;
    # 10 and 20 ≤ mean early majority; 30 ≤ 34.14 late majority; 40 laggard.
    base = date(2022, 1, 1).toordinal()
    adopted = {code: date.fromordinal(base + days) for code, days in zip("ABCDE", (0, 10, 20, 30, 40), strict=True)}
    adopted["F"] = None
    assert adopter_categories(adopted) == {
        "A": EARLY_ADOPTER,
        "B": EARLY_MAJORITY,
        "C": EARLY_MAJORITY,
        "D": LATE_MAJORITY,
        "E": LAGGARD,
        "F": NOT_YET,
    }
    assert adopter_categories({"A": None}) == {"A": NOT_YET}


def test_adoptions_that_followed_a_linked_organisations_earlier_adoption():
    graph = learning_graph(orgs("A", "B", "C", "D"), links(("A", "B"), ("B", "C")))
    adopted = {"A": date(2022, 1, 1), "B": date(2022, 6, 1), "C": date(2022, 6, 1), "D": date(2021, 1, 1)}
    attributed = network_attributable(graph, adopted)
    # C adopted the same day as B: not after it, so not attributable.
    assert [(a.ods, a.after) for a in attributed] == [("B", ("A",))]


def test_betweenness_leaves_the_callers_graph_as_it_was():
    graph = learning_graph(orgs("A", "B", "C"), links(("A", "B"), weight=2) + links(("B", "C"), weight=3))

    def contents():  # copies: the graph's own attribute dicts would change along with it
        nodes = [(n, dict(data)) for n, data in graph.nodes(data=True)]
        return nodes, [(u, v, dict(data)) for u, v, data in graph.edges(data=True)], dict(graph.graph)

    before = contents()
    betweenness(graph)
    assert contents() == before


def test_the_graph_core_imports_neither_flask_sqlalchemy_nor_the_models():
    source = Path(graph_core.__file__).read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
    forbidden = ("flask", "sqlalchemy", "tracker.models", "..models", ".models")
    assert not [name for name in imported if name.startswith(forbidden)], imported


def _two_communities_of(size: int):
    """Two rings of `size` organisations joined by one bridge, weights 1 to 5 in turn."""
    codes = [f"A{i:03d}" for i in range(size)] + [f"B{i:03d}" for i in range(size)]
    pairs = [(f"{g}{i:03d}", f"{g}{(i + 1) % size:03d}") for g in "AB" for i in range(size)]
    pairs += [(f"A{i:03d}", f"A{(i + 7) % size:03d}") for i in range(0, size, 3)] + [("A000", "B000")]
    return learning_graph(orgs(*codes), [LinkRecord(a, b, "buddy_pair", 1 + n % 5) for n, (a, b) in enumerate(pairs)])


def test_the_estimate_from_every_organisation_is_the_exact_betweenness():
    graph = _two_communities_of(20)
    exact = betweenness(graph)
    values, errors = graph_core.estimated_betweenness(graph, graph.number_of_nodes(), seed=1)
    assert values == {node: pytest.approx(score, abs=1e-12) for node, score in exact.items()}
    assert set(errors.values()) == {0.0}  # every organisation's paths: nothing sampled, no error


def test_small_collaboratives_keep_exact_betweenness():
    graph = _two_communities_of(20)
    found = graph_core.brokerage(graph)
    assert found.exact and found.pivots is None and found.largest_error == 0.0
    assert found.values == betweenness(graph)


def test_above_the_size_the_estimate_is_from_seeded_pivots_with_its_error():
    graph = _two_communities_of(30)
    exact = betweenness(graph)
    found = graph_core.brokerage(graph, exact_up_to=40, pivots=20, seed=7)
    assert (found.exact, found.pivots, found.seed) == (False, 20, 7)
    assert found.values != exact  # an estimate, not the exact figures
    # The same seed draws the same organisations: the same figures; another seed, others.
    assert graph_core.brokerage(graph, exact_up_to=40, pivots=20, seed=7) == found
    assert graph_core.brokerage(graph, exact_up_to=40, pivots=20, seed=8).values != found.values
    # The bridge is still the top broker, and most estimates are within three standard errors.
    assert max(found.values, key=found.values.get) in {"A000", "B000"}
    close = [abs(found.values[v] - exact[v]) <= 3 * found.standard_error[v] + 1e-12 for v in exact]
    assert sum(close) >= 0.8 * len(close)
    assert found.largest_error == max(found.standard_error.values()) > 0


def test_exact_betweenness_is_networkx_betweenness_on_whole_number_lengths():
    graph = _two_communities_of(25)
    scale = math.lcm(*(data["weight"] for _u, _v, data in graph.edges(data=True)))
    expected = nx.betweenness_centrality(graph, weight=lambda _u, _v, data: scale // data["weight"], normalized=True)
    assert betweenness(graph) == {node: pytest.approx(score, abs=1e-12) for node, score in expected.items()}
    assert betweenness(learning_graph(orgs("A", "B"), links(("A", "B")))) == {"A": 0.0, "B": 0.0}
