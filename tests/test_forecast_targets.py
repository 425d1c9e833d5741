"""What a dated target asks for: a share of organisations stated in its text, else every organisation."""

import pytest

from tracker.forecast.targets import target_reach


@pytest.mark.parametrize(
    ("text", "reach"),
    [
        ("80% of trusts engaged by March 2025", 0.8),
        ("At least 60 per cent of organisations adopting", 0.6),
        ("Half the providers: 50 percent of providers", 0.5),
        ("12.5% of the organisations in the region", 0.125),
        ("Every trust engaged", 1.0),
        ("", 1.0),
        # A reduction is not reach; a share of wards is depth, not reach: every trust must take part.
        ("Reduce the incidence of restrictive practice by 50%", 1.0),
        ("At least 25% reduction, with at least 10% of wards in each NHS MHLDA trust directly supported", 1.0),
        ("0% of trusts", 1.0),  # no share to reach: read as every organisation, never as nothing
        ("150% of trusts", 1.0),
    ],
)
def test_the_reach_a_target_asks_for(text, reach):
    assert target_reach(text) == pytest.approx(reach)
