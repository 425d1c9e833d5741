"""The spread map: where an ambition's change ideas have spread, on a map of the south of England
or laid out by their learning links, with the same content as tables and the network's insights.

The page is server-rendered from the same payload the JSON API answers (GET /api/v1/network,
built by tracker.maps.payload.network_payload): the tables, the insights and an SVG of the
map for browsers without JavaScript and for printing. static/map.js then draws the interactive
map with Cytoscape.js, and its timeline fetches the API month by month.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from flask import Blueprint, abort, render_template, request, url_for
from markupsafe import Markup

from ..access import sees_drafts, signed_in
from ..cache import metrics_cache
from ..calendar import PROGRAMME_START, people_date, people_month
from ..core import coverage as cov
from ..db import get_session
from . import assemble, present, queries, svg
from .forms import GEOGRAPHIC, SpreadMapForm
from .outline import load_outline
from .payload import network_payload

bp = Blueprint("maps", __name__)

ORGANISATION_PLACEHOLDER = "ODS_CODE"  # map.js puts the organisation's code here


def month_label(day: date) -> str:
    return people_month(day)


def _read_form() -> tuple[SpreadMapForm, str]:
    """The filters from the query string; an unknown ambition or change idea is a wrong address (404)."""
    session = get_session()
    ambitions = queries.ambitions(session)
    code = (request.args.get("ambition") or "").strip().upper() or (ambitions[0].code if ambitions else "")
    ambition = next((a for a in ambitions if a.code == code), None)
    if ambition is None:
        abort(404)
    ideas = queries.published_ideas(session, ambition)
    form = SpreadMapForm(
        request.args,
        ambitions=[(a.code, f"{a.title} ({a.code})") for a in ambitions],
        ideas=[(i.code, f"{i.code}: {i.title}") for i in ideas],
    )
    form.ambition.data = ambition.code
    idea = form.intervention.data
    if idea and idea not in {i.code for i in ideas} and not queries.idea_exists(session, idea):
        abort(404)
    return form, ambition.title


def _query(form: SpreadMapForm) -> dict[str, str]:
    """The API's query string for the form's choices (the layout is the page's own)."""
    params = {"ambition": form.ambition.data, "as_of": form.day.isoformat(), "min_stage": form.threshold.value}
    if form.intervention.data:
        params["intervention"] = form.intervention.data
    return params


def _description(view: present.MapView, layout: str) -> str:
    where = "placed where they are" if layout == GEOGRAPHIC else "grouped by network and drawn by their links"
    links = len(view.links)
    return (
        f"{len(view.organisations)} organisations, {where}, coloured by stage: {view.adopted} have adopted. "
        f"{links} learning link{'' if links == 1 else 's'}. The tables after the map hold the same information."
    )


@bp.get("/spread-map")
@signed_in
def spread_map():
    """The spread map of an ambition (or one change idea) as of a day, its tables and insights."""
    form, ambition_title = _read_form()
    crumbs = [("Home", url_for("main.home"))]
    if not form.validate():
        return render_template("maps/spread_map.html", form=form, view=None, breadcrumbs=crumbs), 400
    session = get_session()
    params = _query(form)
    try:
        payload = network_payload(
            session,
            form.ambition.data,
            form.intervention.data or None,
            form.day,
            form.threshold,
            metrics_cache(),
            include_drafts=sees_drafts(),
        )
    except assemble.NotFound:
        abort(404)
    view = present.map_view(payload)
    outline = load_outline()
    projection = svg.projection_for(outline)
    idea_label = (
        next((c.label for c in form.intervention.choices if c.value == form.intervention.data), None)
        if form.intervention.data
        else None
    )
    heading = f"{ambition_title}: {idea_label or 'all change ideas'}"
    title = f"Spread map of {heading}, as of {people_date(form.day)}"
    layout = form.layout.data
    return render_template(
        "maps/spread_map.html",
        form=form,
        view=view,
        heading=heading,
        layout=layout,
        day=form.day,
        month_label=month_label,
        threshold=form.threshold,
        params=params,
        # The server's SVG is always geographic: it is the map for printing and without JavaScript.
        map_svg=Markup(svg.map_svg(payload, outline, title=title, description=_description(view, GEOGRAPHIC))),
        attribution=outline.attribution,
        projection=projection,
        map_description=_description(view, layout),
        stage_styles=svg.STAGE_STYLES,
        stage_json={key: asdict(style) for key, style in svg.STAGE_STYLES.items()},
        link_json={
            "kinds": {kind: asdict(style) for kind, style in svg.LINK_STYLES.items()},
            "dashes": svg.DASHES,
        },
        link_styles=svg.LINK_STYLES,
        link_dash=svg.link_dash,
        timeline_months=cov.month_index(form.day) - cov.month_index(PROGRAMME_START),
        programme_start=PROGRAMME_START,
        organisation_url=url_for("organisations.organisation", ods=ORGANISATION_PLACEHOLDER),
        organisation_placeholder=ORGANISATION_PLACEHOLDER,
        breadcrumbs=crumbs,
    )
