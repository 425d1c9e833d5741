"""The monthly panel spread is fitted on (tracker.core.panel): who is at risk in which month."""

from tracker.core.panel import Panel

PANEL = Panel(
    months=6,
    organisations=("A", "B", "C", "D"),
    adopted={"A": 0, "B": 3},
    open_from={"C": 2},
    closed_from={"D": 4},
    links=(("A", "B", 3.0),),
)


def test_an_organisation_is_at_risk_while_open_and_until_the_month_it_adopts():
    assert PANEL.at_risk(0) == ["A", "B", "D"]  # C opens in month 2
    assert PANEL.at_risk(1) == ["B", "D"]  # A adopted in month 0
    assert PANEL.at_risk(3) == ["B", "C", "D"]  # B adopts in month 3: at risk in it
    assert PANEL.at_risk(4) == ["C"]  # D closed from month 4


def test_adopters_before_a_month_exclude_that_months_adopters():
    assert PANEL.adopters_before(0) == set()
    assert PANEL.adopters_before(3) == {"A"}
    assert PANEL.adopters_before(4) == {"A", "B"}
