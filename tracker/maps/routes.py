"""The spread map: where an ambition's change ideas have spread, on a map of the south of England
or laid out by their learning links, with the same content as tables and the network's insights.

Every answer starts from tracker.maps.service.network, as the graph API (tracker.api.graph) does, and
each is kept per data version (tracker.page_cache), so that its size and its cost do not grow with
every request (issue 15):
- the page: the tables, summarised by network and paged (tracker.maps.tables: `network=CODE`, `page`,
  `links_page`; a collaborative of up to a page of organisations sees them all at once), the insights
  and the key; it holds no drawing;
- spread_map_svg: the map as of the day as an SVG image (the page's <img>), for printing and for
  browsers without JavaScript, labelled only where labels fit;
- spread_map_timeline: every month of the timeline in one compact answer (tracker.maps.timeline), which
  static/map.js reads once and plays with Cytoscape.js over outline_svg (the outline alone).

Whom to engage next (`engage=K`, K from 1 to 20): for those who may see recommendations only, as the
API's /api/v1/engage. The field is not on trust staff's form, and a trust user's address that asks
for a highlight anyway is refused (403), on the page, its image and its timeline alike: it would name
organisations to target. The picks are tracker.forecast.service.engage's for the map's ambition (all
its ideas, every network), its threshold and its day: a map of a past day shows whom the data of that
day would have suggested, consistent with the stages it draws.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from .. import page_cache
from ..access import may_see_recommendations, sees_drafts, signed_in
from ..cache import MetricsCache, coverage_cache, metrics_cache
from ..calendar import people_date
from ..db import get_session
from ..forecast import service as forecasts
from ..models.versions import cached
from ..paging import page_number
from ..reports.service import ambition_named
from . import drawing, engage, history, present, queries, service, svg, tables
from .assemble import NetworkView, NotFound
from .drawing import GEOGRAPHIC
from .forms import SpreadMapForm
from .layout import projection_for
from .outline import Outline, load_outline
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
    network, number, links_number = _network(), _number("page"), _number("links_page")

    def build():
        return _page(form, ambition_title, _spread_map(form), network, number, links_number)

    return page_cache.page("maps/spread_map.html", CONTENT, build, breadcrumbs=crumbs)


@bp.get("/spread-map/map.svg")
@signed_in
def spread_map_svg():
    """The map as of the day, on the map of the south of England, as an SVG image: the page's map
    for printing and without JavaScript, and the live map's background. Drawn once per data version."""
    form, ambition_title = _read_form()
    if not form.validate():
        abort(400, "; ".join(message for messages in form.errors.values() for message in messages))

    def build() -> bytes:
        found = _spread_map(form)
        title = f"Spread map of {_heading(form, ambition_title)}, as of {people_date(form.day)}"
        engaged = _engaged(form, found)
        description = _image_description(found, engaged)
        on_map = drawing.draw(found.network, found.outline)
        return svg.map_svg(on_map, found.outline, title=title, description=description, engaged=engaged).encode()

    response = page_cache.bytes_answer(build, "image/svg+xml")
    response.headers["Cache-Control"] = "no-store"  # as the pages: data not to leave in a shared browser
    return response


@bp.get("/spread-map/timeline")
@signed_in
def spread_map_timeline():
    """Every month of the page's timeline in one answer, as JSON, which map.js plays (tracker.maps.timeline)."""
    form, _ambition_title = _read_form()
    if not form.validate():
        return {"errors": form.errors}, 400

    def build():
        return history.timeline_answer(get_session(), _spread_map(form).network, form.layout.data, metrics_cache())

    return page_cache.json_answer(build)


@bp.get("/spread-map/outline.svg")
@signed_in
def outline_svg():
    """The outline of the south of England alone, which the live map is drawn over (no data of anyone's)."""
    response = current_app.response_class(_outline_svg(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@functools.cache
def _outline_svg() -> bytes:
    return svg.outline_svg(load_outline()).encode()


def _network() -> str | None:
    """The network whose organisations the tables list (`network=CODE`), None for all; unknown: 404."""
    code = (request.args.get("network") or "").strip().upper()
    if not code:
        return None
    if code not in dict(queries.networks(get_session())):
        abort(404)
    return code


def _number(name: str) -> int:
    """A page number of the tables (1 when not given); past the last page is the last page."""
    text = (request.args.get(name) or "").strip()
    if not text:
        return 1
    number = page_number(text)
    if number is None:
        abort(400, f"The page number ({name}) must be a whole number from 1.")
    return number


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


@dataclass(frozen=True)
class _Found:
    """The map's network as of the day, its tables' rows and the outline: what each answer starts from
    (each draws only what it shows: the image its SVG, the timeline its own drawing)."""

    network: NetworkView
    view: present.MapView
    outline: Outline


VIEWS_KEY, VIEWS_KEPT = "tracker.spread_map_views", 4  # a national map's view weighs megabytes: keep a few


def _views() -> MetricsCache:
    """This app's few spread maps' networks and rows, most recently asked for (never mutated)."""
    return current_app.extensions.setdefault(VIEWS_KEY, MetricsCache(VIEWS_KEPT))


def _spread_map(form: SpreadMapForm) -> _Found:
    """The map's network and rows, kept per data version: a national collaborative's pages of tables, its
    networks' pages, its image and its timeline are each a page of their own, all from one network."""
    filters = service.Filters(form.ambition.data, form.idea, form.day, form.threshold)
    drafts = sees_drafts()
    session = get_session()

    def compute() -> _Found:
        found = service.network(session, filters, metrics_cache(), drafts)
        return _Found(found, present.map_view(found), load_outline())

    key = ("spread map", filters.ambition, filters.idea, filters.day, filters.threshold.value, drafts)
    try:
        return cached(session, _views(), key, compute)
    except NotFound:
        abort(404)


def _highlight(form: SpreadMapForm, found: _Found) -> engage.Highlight | None:
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


def _codes(found: _Found) -> dict[str, str]:
    """Each open organisation's network code by ODS code ("" for none)."""
    return {node.ods or node.id: node.network or "" for node in found.network.organisations}


def _engaged(form: SpreadMapForm, found: _Found) -> dict[str, int]:
    highlight = _highlight(form, found)
    return highlight.ranks if highlight else {}


def _query(form: SpreadMapForm) -> dict[str, str]:
    """The filters as a query string's values (the downloads')."""
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


def _image_description(found: _Found, engaged: dict[str, int]) -> str:
    """What the map image shows, in words: its alt text and its SVG's description alike."""
    description = _description(found.view, GEOGRAPHIC)
    if engaged:
        description += f" Ringed and numbered in order: the {len(engaged)} organisations to engage next."
    return description


def _heading(form: SpreadMapForm, ambition_title: str) -> str:
    chosen = form.idea
    idea_label = next((c.label for c in form.intervention.choices if c.value == chosen), None) if chosen else None
    return f"{ambition_title}: {idea_label or 'all change ideas'}"


def _page(
    form: SpreadMapForm, ambition_title: str, found: _Found, network: str | None, number: int, links: int
) -> dict:
    """What the page shows besides the form: the heading, the map, the key, the tables and map.js's addresses."""
    heading, params, layout = _heading(form, ambition_title), _query(form), form.layout.data
    highlight = _highlight(form, found)
    engaged = highlight.ranks if highlight else {}
    description = _image_description(found, engaged)
    forecast_url = url_for("forecast.forecast", ambition=params["ambition"], min_stage=params["min_stage"])
    address = {**params, "layout": layout}
    if form.engage_k:
        address["engage"] = str(form.engage_k)
    months = present.timeline(form.day)

    def page_url(**changes) -> str:
        """This page's address with other tables' pages: no arguments, every network's first pages; a
        network (or None), its first pages; a page number (page, links_page), that page of the table."""
        if not changes or "network" in changes:
            where = {"network": changes.get("network")}
        else:
            where = {"network": network, "page": number, "links_page": links, **changes}
        kept = {key: value for key, value in where.items() if value and value != 1}
        return url_for("maps.spread_map", **address, **kept)

    return {
        "form": form,
        "view": found.view,
        "heading": heading,
        "layout": layout,
        "day": form.day,
        "threshold": form.threshold,
        "params": params,
        "address": address,
        "tables": tables.tables(found.view, _codes(found), network, number, links),
        "map_description": _description(found.view, layout),
        "svg_description": description,
        "svg_height": round(projection_for(found.outline).height),
        "page_url": page_url,
        "svg_url": url_for("maps.spread_map_svg", **{k: v for k, v in address.items() if k != "layout"}),
        "attribution": found.outline.attribution,
        "stage_styles": STAGE_STYLES,
        "link_styles": LINK_STYLES,
        "link_dash": link_dash,
        "months": months,
        "engage_json": [{"ods": ods, "rank": rank} for ods, rank in sorted(engaged.items(), key=lambda i: i[1])],
        "highlight": highlight,
        "forecast_url": forecast_url if highlight else None,
        "timeline_url": url_for("maps.spread_map_timeline", **params, layout=layout),
        "organisation_url": url_for("organisations.organisation", ods=ORGANISATION_PLACEHOLDER),
        "organisation_placeholder": ORGANISATION_PLACEHOLDER,
    }
