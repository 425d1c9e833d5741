"""The spread map: where an ambition's change ideas have spread, on a map of the south of England
or laid out by their learning links, with the same content as tables and the network's insights.

Both views call tracker.maps.service.spread_map, as the graph API (tracker.api.graph) calls its
network(). The page is rendered on the server: the tables, the insights and an SVG of the map for
browsers without JavaScript and for printing. It hands static/map.js the frame of its day and the
timeline's months (tracker.maps.frames); map.js draws the live map with Cytoscape.js at the
positions given, and asks spread_map_month for the frame of each month the timeline shows.

Whom to engage next (`engage=K`, K from 1 to 20): for those who may see recommendations only, as the
API's /api/v1/engage. The field is not on trust staff's form, and a trust user's address that asks
for a highlight anyway is refused (403), on the page and on its months alike: it would name
organisations to target. The picks are tracker.forecast.service.engage's for the map's ambition (all
its ideas, every network), its threshold and its day: a map of a past day shows whom the data of that
day would have suggested, consistent with the stages it draws.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from .. import page_cache
from ..access import may_see_recommendations, sees_drafts, signed_in
from ..cache import coverage_cache, metrics_cache
from ..calendar import people_date
from ..db import get_session
from ..forecast import service as forecasts
from ..reports.service import ambition_named
from . import engage, frames, present, queries, service, svg
from .assemble import NotFound
from .drawing import GEOGRAPHIC
from .forms import SpreadMapForm
from .styles import LINK_STYLES, STAGE_STYLES, link_dash

bp = Blueprint("maps", __name__)

CONTENT = "maps/_spread_map_content.html"  # the page's content, kept by tracker.page_cache
ORGANISATION_PLACEHOLDER = "ODS_CODE"  # map.js puts the organisation's code here


@bp.get("/spread-map")
@signed_in
def spread_map():
    """The spread map of an ambition (or one change idea) as of a day, its tables and insights."""
    form, ambition_title = _read_form()
    crumbs = [("Home", url_for("main.home"))]
    if not form.validate():
        content = Markup(render_template(CONTENT, form=form, view=None))
        return render_template("maps/spread_map.html", content=content, breadcrumbs=crumbs), 400

    def build():
        return _page(form, ambition_title, _spread_map(form))

    return page_cache.page("maps/spread_map.html", CONTENT, build, breadcrumbs=crumbs)


@bp.get("/spread-map/month")
@signed_in
def spread_map_month():
    """The spread map as of another day, for the page's timeline: the frame map.js draws, as JSON."""
    form, _ambition_title = _read_form()
    if not form.validate():
        return {"errors": form.errors}, 400

    def frame():
        found = _spread_map(form)
        return frames.frame_json(form.day, found.view, found.drawing)

    return page_cache.json_answer(frame)


def _read_form() -> tuple[SpreadMapForm, str]:
    """The filters from the query string; an unknown ambition or change idea is a wrong address (404)."""
    session = get_session()
    ambitions = queries.ambitions(session)
    code = (request.args.get("ambition") or "").strip().upper() or (ambitions[0].code if ambitions else "")
    ambition = next((a for a in ambitions if a.code == code), None)
    if ambition is None:
        abort(404)
    ideas = queries.published_ideas(session, ambition.id)
    form = SpreadMapForm(
        request.args,
        ambitions=[(a.code, f"{a.title} ({a.code})") for a in ambitions],
        ideas=[(i.code, f"{i.code}: {i.title}") for i in ideas],
    )
    form.ambition.data = ambition.code
    if not may_see_recommendations(current_user):
        del form.engage
        if (request.args.get("engage") or "").strip():
            abort(403)  # a highlight names organisations to target: not for trust staff
    idea = form.idea
    if idea and idea not in {i.code for i in ideas} and not queries.idea_exists(session, idea):
        abort(404)
    return form, ambition.title


def _spread_map(form: SpreadMapForm) -> service.SpreadMap:
    filters = service.Filters(form.ambition.data, form.idea, form.day, form.threshold)
    try:
        return service.spread_map(get_session(), filters, form.layout.data, metrics_cache(), sees_drafts())
    except NotFound:
        abort(404)


def _highlight(form: SpreadMapForm, found: service.SpreadMap) -> engage.Highlight | None:
    """Whom to engage next for the map's ambition, threshold and day, when the form asks for it."""
    k = form.engage_k
    if k is None:
        return None
    session = get_session()
    ambition = ambition_named(session, form.ambition.data)
    runs = forecasts.engage_runs(current_app.config["FORECAST_RUNS"])
    found_engagement = forecasts.engage(
        session, ambition, None, form.threshold, form.day, k, runs=runs, cache=coverage_cache()
    )
    return engage.highlight(found_engagement, found.network)


def _query(form: SpreadMapForm) -> dict[str, str]:
    """The filters as a query string's values (the downloads' and the timeline's)."""
    params = {"ambition": form.ambition.data, "as_of": form.day.isoformat(), "min_stage": form.threshold.value}
    if form.idea:
        params["intervention"] = form.idea
    return params


def _description(view: present.MapView, layout: str) -> str:
    where = "placed where they are" if layout == GEOGRAPHIC else "grouped by network and drawn by their links"
    links = len(view.links)
    return (
        f"{len(view.organisations)} organisations, {where}, coloured by stage: {view.adopted} have adopted. "
        f"{links} learning link{'' if links == 1 else 's'}. The tables after the map hold the same information."
    )


def _heading(form: SpreadMapForm, ambition_title: str) -> str:
    chosen = form.idea
    idea_label = next((c.label for c in form.intervention.choices if c.value == chosen), None) if chosen else None
    return f"{ambition_title}: {idea_label or 'all change ideas'}"


def _page(form: SpreadMapForm, ambition_title: str, found: service.SpreadMap) -> dict:
    """What the page shows besides the form: the heading, the maps, the key, the tables and map.js's data."""
    heading, params, layout = _heading(form, ambition_title), _query(form), form.layout.data
    title = f"Spread map of {heading}, as of {people_date(form.day)}"
    # The server's SVG is always geographic: it is the map for printing and without JavaScript.
    description = _description(found.view, GEOGRAPHIC)
    highlight = _highlight(form, found)
    engaged = highlight.ranks if highlight else {}
    if engaged:
        description += f" Ringed and numbered in order: the {len(engaged)} organisations to engage next."
    map_svg = svg.map_svg(found.on_map, found.outline, title=title, description=description, engaged=engaged)
    months = present.timeline(form.day)
    forecast_url = url_for("forecast.forecast", ambition=params["ambition"], min_stage=params["min_stage"])
    return {
        "form": form,
        "view": found.view,
        "heading": heading,
        "layout": layout,
        "day": form.day,
        "threshold": form.threshold,
        "params": params,
        "map_svg": Markup(map_svg),
        "attribution": found.outline.attribution,
        "map_description": _description(found.view, layout),
        "stage_styles": STAGE_STYLES,
        "link_styles": LINK_STYLES,
        "link_dash": link_dash,
        "months": months,
        "months_json": frames.months_json(months),
        "frame_json": frames.frame_json(form.day, found.view, found.drawing, engaged),
        "highlight": highlight,
        "forecast_url": forecast_url if highlight else None,
        "month_url": url_for("maps.spread_map_month", **params, layout=layout),
        "organisation_url": url_for("organisations.organisation", ods=ORGANISATION_PLACEHOLDER),
        "organisation_placeholder": ORGANISATION_PLACEHOLDER,
    }
