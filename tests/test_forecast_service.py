"""The forecast service's plain pieces: the default horizon, the cascade's chance, the shortlist, reasons."""

from datetime import date

import pytest

from tracker.core.engage import Reasons
from tracker.core.panel import Panel
from tracker.forecast import service
from tracker.forecast.queries import month_of
from tracker.reports.service import AmbitionInfo, TargetInfo


def ambition(*days):
    targets = tuple(TargetInfo(f"T{i}", "Every trust engaged", day) for i, day in enumerate(days))
    return AmbitionInfo(1, "X", "X", "", targets)


def test_the_default_horizon_runs_to_the_latest_target_and_two_years_beyond():
    first = month_of(date(2025, 7, 1))
    assert service.default_horizon(ambition(date(2026, 6, 30), date(2025, 12, 31)), first) == 12 + 24
    assert service.default_horizon(ambition(date(2024, 3, 31)), first) == 24  # a passed target: two years
    assert service.default_horizon(ambition(), first) == 24
    assert service.default_horizon(ambition(date(2040, 1, 31)), first) == service.MAX_HORIZON


def test_the_cascade_chance_is_the_models_over_the_months():
    assert service.cascade_probability(0.1, 1) == pytest.approx(0.1)
    assert service.cascade_probability(0.1, 2) == pytest.approx(1 - 0.9**2)
    assert service.cascade_probability(0.0, 24) == 0.0


def test_the_shortlist_keeps_the_largest_spread_gains():
    # A star around C, a pair D–E, and F alone; every link passes (p = 1): C brings its star (4), either
    # end of the pair 2 (a tie: the smaller code), F only itself.
    links = (("C", "L1", 5.0), ("C", "L2", 5.0), ("C", "L3", 5.0), ("D", "E", 5.0))
    panel = Panel(3, ("C", "D", "E", "F", "L1", "L2", "L3"), {}, {}, {}, links)
    pool = ["F", "E", "D", "C"]
    assert service.shortlist(panel, pool, p=1.0, size=2, runs=50, seed=0) == ["C", "D"]
    assert service.shortlist(panel, pool, p=1.0, size=9, runs=50, seed=0) == sorted(pool)


def test_reasons_in_plain_words():
    lines = service.explain(Reasons("RNU", 4, 1, 0.25, 1, (2, 3), 0.125, "Oxford"))
    assert lines == (
        "1 of its 4 linked organisations already adopt (exposure 25%)",
        "Bridges to 2 other communities of the learning graph",
        "Betweenness 0.12: it lies on paths between other organisations",
        "In the network Oxford",
    )
    assert service.explain(Reasons("RX2", 0, 0, 0.0, 3, (), 0.0, None)) == (
        "No learning links: engaging it reaches only itself",
    )


def test_an_estimated_betweenness_says_so():
    lines = service.explain(Reasons("RNU", 4, 1, 0.25, 1, (), 0.125, None, betweenness_estimated=True))
    assert lines[1] == (
        "Betweenness 0.12 (estimated from a sample of organisations): it lies on paths between other organisations"
    )
