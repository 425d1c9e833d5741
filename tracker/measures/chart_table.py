"""A chart's figures as a table: the rows the page shows beside the chart and the downloads write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..core.charts import month_label
from ..core.spc_drawing import KINDS, POINT_TYPE_WORDS, rule_words
from ..tabular import DAY, FLAG, NUMBER, TEXT, WHOLE, Column
from .series import ChartSeries

COLUMNS = (
    Column("month", DAY),
    Column("value", NUMBER),
    Column("numerator", NUMBER),
    Column("denominator", NUMBER),
    Column("mean", NUMBER),
    Column("lower_process_limit", NUMBER, 20),
    Column("upper_process_limit", NUMBER, 20),
    Column("lower_two_sigma", NUMBER, 16),
    Column("upper_two_sigma", NUMBER, 16),
    Column("point_type", TEXT, 30),
    Column("rule", TEXT, 40),
    Column("group", WHOLE, 8),
    Column("rebase", FLAG, 8),
    Column("screened_moving_ranges", FLAG, 24),
)


@dataclass(frozen=True)
class Row:
    month: date
    label: str  # "Apr 2021"
    value: float | None
    numerator: float | None
    denominator: float | None
    mean: float | None
    lpl: float | None
    upl: float | None
    two_sigma_lower: float | None
    two_sigma_upper: float | None
    point_type: str  # in words
    kind: str  # common, improvement, concern or neutral, as the chart's points; none without a value
    rule: str  # in words, "" for common cause
    group: int
    rebase: bool


def rows(chart: ChartSeries) -> list[Row]:
    rebased = set(chart.rebase_at) - {0}
    made = []
    for i, (month, total, point) in enumerate(zip(chart.months, chart.totals, chart.result.points, strict=True)):
        made.append(
            Row(
                month,
                month_label(month),
                point.value,
                total.numerator if total is not None else None,
                total.denominator if total is not None else None,
                point.mean,
                point.lpl,
                point.upl,
                point.two_sigma_lower,
                point.two_sigma_upper,
                POINT_TYPE_WORDS[point.point_type] if point.value is not None else "No value",
                KINDS[point.point_type] if point.value is not None else "none",
                rule_words(point.rule),
                point.group + 1,
                i in rebased,
            )
        )
    return made


def file_rows(chart: ChartSeries) -> list[list]:
    return [
        [
            r.month,
            r.value,
            r.numerator,
            r.denominator,
            r.mean,
            r.lpl,
            r.upl,
            r.two_sigma_lower,
            r.two_sigma_upper,
            r.point_type,
            r.rule,
            r.group,
            r.rebase,
            chart.screen_outliers,
        ]
        for r in rows(chart)
    ]
