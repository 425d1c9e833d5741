"""Reading the filters of a page of one ambition (all networks or one) from the query string: the coverage
report, the forecast and the what-if share it."""

from __future__ import annotations

from typing import TypeVar

from flask import abort, request
from sqlalchemy.orm import Session

from ..figure_filters import FigureFilters
from .service import AmbitionInfo, Choices, NetworkInfo, choices

ScopeForm = TypeVar("ScopeForm", bound=FigureFilters)


def read_scope(
    form_class: type[ScopeForm], session: Session
) -> tuple[ScopeForm, Choices, AmbitionInfo, NetworkInfo | None]:
    """The filters of a page of one ambition (all networks or one) from the query string, with what may be
    chosen. The form class takes `ambitions` and `networks` choices. An unknown ambition or network code is
    a wrong address (404), not a form error; the caller validates the rest."""
    found = choices(session)
    form = form_class(
        request.args,
        ambitions=[(a.code, f"{a.title} ({a.code})") for a in found.ambitions],
        networks=[(n.code, f"{n.name} ({n.code})") for n in found.networks],
    )
    ambition = found.ambition(form.ambition.data)
    network = found.network(form.network.data) if form.network.data else None
    if ambition is None or (form.network.data and network is None):
        abort(404)
    return form, found, ambition.within(network), network
