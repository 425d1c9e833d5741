"""SPC on spread itself: an ambition's monthly reach and depth as XmR charts, so a board sees whether
spread has stepped up or is noise. Pure arithmetic over the report's monthly series (no statements):
the SPC core with direction increase (more spread is better) and no target, drawn as the measures'
charts are (tracker.core.spc_drawing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..core.coverage import SeriesPoint
from ..core.spc import SpcResult, spc
from ..core.spc_drawing import SpcChart, spc_chart


@dataclass(frozen=True)
class SpreadChart:
    key: str  # reach or depth
    label: str
    drawing: SpcChart
    result: SpcResult
    latest: float  # the last month's value, in percent

    @property
    def words(self) -> str:
        """The variation icon in words, or why there is none."""
        return self.drawing.variation.meaning.rstrip(".") if self.drawing.variation else "Not enough months to chart"


def spread_charts(points: Sequence[SeriesPoint]) -> list[SpreadChart]:
    """Reach and depth (in percent) month by month as SPC charts; none when the series is empty."""
    if not points:
        return []
    months = [p.month_end.replace(day=1) for p in points]
    charts = []
    for key, label in (("reach", "Reach"), ("depth", "Depth")):
        values = [round(getattr(p, key) * 100, 10) for p in points]
        result = spc(values, improvement="increase")
        charts.append(SpreadChart(key, label, spc_chart(months, result, suffix="%"), result, values[-1]))
    return charts
