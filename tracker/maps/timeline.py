"""The timeline of the spread map in one compact answer: every organisation open in some month of it,
placed once, with its stage month by month as one letter a month; every learning link once, with
the months it is drawn. static/map.js reads it once and plays the months itself. Pure.

A month's stage is as tracker.maps.queries.adoption_states reads it for that day: the highest rank
among the spells of the scope's ideas holding on the day (a spell holds from its start to the day
before its end). States are letters: STAGE_KEYS[i] is chr(97 + i), upper case when the stage counts
as adopted at the threshold, and "." for a month the organisation was not open.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from ..calendar import people_date
from ..core.coverage import month_index
from ..core.opening import open_on
from ..core.stages import Stage
from .assemble import STAGE_OF_RANK
from .drawing import Drawing
from .present import Month
from .styles import NOT_STARTED, link_line, link_style, link_width, stage_key, stage_style

NO_RANK = -1  # no spell of the scope's ideas holds: not started
RANKS = range(NO_RANK, 6)  # not started, discontinued (0), then the ladder (1 to 5)
STAGE_KEYS = tuple(NOT_STARTED if rank == NO_RANK else stage_key(STAGE_OF_RANK[rank].value) for rank in RANKS)
NOT_OPEN = "."


def letter(rank: int, adopted: bool) -> str:
    code = chr(97 + rank - NO_RANK)
    return code.upper() if adopted else code


@dataclass(frozen=True)
class Opening:
    """An organisation of the timeline: its ODS code, name and the days it was open (None: not known)."""

    ods: str
    name: str
    opened_on: date | None
    closed_on: date | None


def month_ranks(ids: Sequence[int], spells: Sequence[tuple], days: Sequence[date]) -> np.ndarray:
    """Each organisation's rank on each day (rows as ids, columns as days), NO_RANK for none.

    days are the timeline's: each month's last day, then the page's day (tracker.maps.present.timeline).
    spells: (organisation id, rank, month begun, month ended or None, 1 if held on the last day), as
    tracker.maps.queries.spells_of reads them. A spell holds on a month's last day when it began in that
    month or before and ended in a later month. Counts per organisation, rank and day, made by adding
    one where a spell's days begin and taking one away where they end, summed along the days: a rank
    holds on a day when some spell of it does."""
    months, width = len(days) - 1, len(days) + 1  # month ends, then the day; one more for the ends
    first_month = month_index(days[0])
    counts = np.zeros(len(ids) * len(RANKS) * width, dtype=np.int64)
    # One array of the spells, read as plain tuples (numpy converts them in C; None, not ended, as NaN),
    # each spell's row found by a sorted search of the ids: no Python loop per spell but the tuples'.
    table = np.array([tuple(spell) for spell in spells], dtype=float).reshape(-1, 5)
    wanted = np.asarray(ids, dtype=np.int64)
    order = np.argsort(wanted, kind="stable")
    organisation = table[:, 0].astype(np.int64)
    found = np.clip(np.searchsorted(wanted[order], organisation), 0, max(len(wanted) - 1, 0))
    known = wanted[order][found] == organisation if len(wanted) else np.zeros(len(table), dtype=bool)
    table = table[known]
    if len(table):
        rows = order[found[known]]
        ranks = table[:, 1].astype(np.int64) - NO_RANK
        began = table[:, 2].astype(np.int64) - first_month
        ended = np.where(np.isnan(table[:, 3]), 10**6, table[:, 3]).astype(np.int64)
        on_day = table[:, 4].astype(np.int64)
        base = (rows * len(RANKS) + ranks) * width
        start = np.clip(began, 0, months)
        stop = np.clip(ended - first_month, 0, months)  # month ends only: the day is counted below
        spans = stop > start

        def add(at, weights, sign):
            counts[:] += sign * np.bincount(at, weights=weights, minlength=counts.size).astype(np.int64)

        add(base + start, spans, 1)
        add(base + stop, spans, -1)
        add(base + months, on_day, 1)
        add(base + months + 1, on_day, -1)
    held = np.cumsum(counts.reshape(len(ids), len(RANKS), width), axis=2)[:, :, : len(days)] > 0
    # The highest rank that holds: the last True along the rank axis, else NO_RANK.
    top = len(RANKS) - 1 - np.argmax(held[:, ::-1, :], axis=1)
    return np.where(held.any(axis=1), top + NO_RANK, NO_RANK)


def open_days(openings: Sequence[Opening], days: Sequence[date]) -> dict[str, list[bool]]:
    """ODS code → whether it was open, day by day."""
    return {o.ods: [open_on(o.opened_on, o.closed_on, day) for day in days] for o in openings}


def states(
    openings: Sequence[Opening], ranks: np.ndarray, opened: Mapping[str, list[bool]], threshold: Stage
) -> dict[str, str]:
    """ODS code → one letter per day (numpy picks every letter at once)."""
    if not openings:
        return {}
    alphabet = np.array([letter(rank, False) for rank in RANKS] + [letter(rank, True) for rank in RANKS])
    codes = ranks - NO_RANK + np.where(ranks >= threshold.rank, len(RANKS), 0)
    letters = np.where(np.array([opened[o.ods] for o in openings]), alphabet[codes], NOT_OPEN)
    return {o.ods: "".join(row) for o, row in zip(openings, letters.tolist(), strict=True)}


def link_months(
    links: Sequence[tuple], opened: Mapping[str, list[bool]], days: Sequence[date]
) -> list[tuple[tuple, int, int]]:
    """(link, first, last) for each link drawn on some day: the indexes of the first and last days on
    which it is active and both its organisations are open (a link's days are one run)."""
    found = []
    for link in links:
        source, target, _kind, _weight, _confirmed, start, end = link
        if source not in opened or target not in opened:
            continue
        on = [
            both and (start is None or start <= day) and (end is None or end >= day)
            for day, both in zip(days, map(all, zip(opened[source], opened[target], strict=True)), strict=True)
        ]
        if any(on):
            found.append((link, on.index(True), len(on) - 1 - on[::-1].index(True)))
    return found


def timeline_json(
    months: Sequence[Month],
    drawn: Drawing,
    network_names: Mapping[str, str],
    openings: Sequence[Opening],
    state_of: Mapping[str, str],
    links: Sequence[tuple[tuple, int, int]],
    page_day: Mapping[str, tuple[str, bool]],
) -> dict:
    """The answer map.js plays: months, stages, networks, organisations (placed as `drawn` places them)
    and links, each said once and referred to by its place in its list (a national network's 12,000
    links are five numbers each: source, target, look, first and last month drawn).

    page_day: each organisation open on the page's day → (exposure, frontier), worded, for its details."""
    marks = {mark.ods: mark for mark in drawn.marks}
    shown = [o for o in openings if o.ods in marks]
    index = {o.ods: k for k, o in enumerate(shown)}
    networks = sorted(network_names)
    looks: dict[tuple, int] = {}
    rows = []
    for link, first, last in links:
        if link[0] in index and link[1] in index:
            look = (link[2], link_style(link[2]).colour, link_width(link[3]), link_line(link[2], _status(link[4])))
            rows.append([index[link[0]], index[link[1]], looks.setdefault(look, len(looks)), first, last])
    return {
        "layout": drawn.layout,
        "width": drawn.width,
        "height": drawn.height,
        "months": [
            {"as_of": m.as_of, "label": m.label, "date": people_date(date.fromisoformat(m.as_of))} for m in months
        ],
        "stages": [
            {"key": key, "label": s.label, "tag": s.tag, "fill": s.fill, "stroke": s.stroke}
            for key, s in zip(STAGE_KEYS, (stage_style(key) for key in STAGE_KEYS), strict=True)
        ],
        "networks": [{"code": code, "name": network_names[code]} for code in networks],
        "groups": [{"id": group.id, "name": group.name} for group in drawn.groups],
        "organisations": [
            _organisation(marks[o.ods], o.name, networks, state_of[o.ods], page_day.get(o.ods)) for o in shown
        ],
        "looks": [
            {"kind": kind, "label": link_style(kind).label, "colour": colour, "width": width, "line": line}
            for kind, colour, width, line in looks
        ],
        "links": rows,
    }


def _status(confirmed: bool) -> str:
    return "confirmed" if confirmed else "proposed"


def _organisation(mark, name: str, networks: Sequence[str], states: str, page_day: tuple[str, bool] | None) -> dict:
    """An organisation of the timeline: only what is not implied is said (no group, no network)."""
    network = mark.label[1] if len(mark.label) > 1 else None
    found = {"ods": mark.ods, "name": name, "x": round(mark.x, 1), "y": round(mark.y, 1), "states": states}
    if network is not None and network in networks:
        found["network"] = networks.index(network)
    if mark.group:
        found["group"] = mark.group
    if page_day:
        found["exposure"] = page_day[0]
        if page_day[1]:
            found["frontier"] = True
    return found
