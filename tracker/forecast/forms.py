"""The forecast page's filters: a GET form read from the query string, changing nothing."""

from __future__ import annotations

from wtforms import SelectField, StringField
from wtforms.validators import ValidationError

from ..figure_filters import FigureFilters, threshold_field
from ..forms import choices, strip, upper
from . import service


class ForecastForm(FigureFilters):
    """Which ambition, from which stage on, for which network, and (optionally) how many months ahead.

    The forecast always starts from today's month, so there is no day to choose. Unknown ambition and
    network codes are checked by the view: an unknown one is a 404, as a wrong address is.
    """

    COUNTS_AS = "adopting"

    min_stage = threshold_field(COUNTS_AS)
    network = SelectField("Network", filters=[upper], validate_choice=False)
    horizon_months = StringField("Months to forecast", filters=[strip])

    def __init__(self, *args, ambitions: list[tuple[str, str]], networks: list[tuple[str, str]], **kwargs):
        super().__init__(*args, ambitions=ambitions, **kwargs)
        self.network.choices = choices(networks, none="All networks")
        self.horizon_months.flags.required = False  # empty: to the latest target and two years beyond

    def validate_horizon_months(self, field):
        text = field.data or ""
        if text and not (
            text.isascii() and text.isdigit() and len(text) <= 6 and 1 <= int(text) <= service.MAX_HORIZON
        ):
            raise ValidationError(f"Months to forecast must be a whole number from 1 to {service.MAX_HORIZON}")

    @property
    def horizon(self) -> int | None:
        """The months asked for, or None for the default (service.default_horizon)."""
        return int(self.horizon_months.data) if self.horizon_months.data else None
