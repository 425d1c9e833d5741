"""The coverage report's filters: a GET form read from the query string, changing nothing."""

from __future__ import annotations

from wtforms import SelectField

from ..calendar import today
from ..figure_filters import FigureFilters, as_of_field, threshold_field
from ..forms import choices, upper


class CoverageForm(FigureFilters):
    """Which ambition, as of which day, from which stage on, for which network.

    The ambition and network codes are checked by the view: an unknown one is a 404, as a
    wrong address is, not a form error.
    """

    DAY = "the date the figures are as of"
    COUNTS_AS = "adopting"

    as_of = as_of_field(
        "Figures as of",
        DAY,
        "for example 2025-06-30",
        default=lambda: today(),  # looked up when the form is made, so a test can fix the day
    )
    min_stage = threshold_field(COUNTS_AS)
    network = SelectField("Network", filters=[upper], validate_choice=False)

    def __init__(self, *args, ambitions: list[tuple[str, str]], networks: list[tuple[str, str]], **kwargs):
        super().__init__(*args, ambitions=ambitions, **kwargs)
        self.network.choices = choices(networks, none="All networks")
