"""Heavy pages and API answers kept rendered (tracker.page_cache, issue 13's load): a repeat is served
from what was kept, in a few statements, and says exactly what a fresh answer would; a write shows at
once; what differs per person is never shared; error pages are never kept; the budget is bytes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.factories import add_events
from tests.helpers import FormClient, count_statements, forget_pages, get_json, page_text
from tracker.cache import PAGE_CACHE_KEY, MetricsCache
from tracker.calendar import today
from tracker.models import AmbitionTarget, User

KEPT = [
    "/",
    "/spread-map?ambition=RP",
    "/coverage?ambition=RP",
    "/forecast?ambition=RP",
    "/api/v1/network?ambition=RP",
    "/api/v1/coverage?ambition=RP",
    "/spread-map/timeline?ambition=RP&as_of=2025-01-31",
    "/spread-map/map.svg?ambition=RP&as_of=2025-01-31",
]


def kept(app) -> MetricsCache:
    return app.extensions[PAGE_CACHE_KEY]


def body(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return page_text(response.get_data(as_text=True))


@pytest.mark.parametrize("url", KEPT)
def test_a_repeat_says_what_a_fresh_answer_says_in_a_few_statements(app, demo_history, url):
    client = FormClient(app.test_client())
    client.sign_in_as("faculty")
    forget_pages(app)
    with count_statements(app) as fresh:
        first = body(client, url)
    with count_statements(app) as repeat:
        assert body(client, url) == first
    assert kept(app).hits == 1
    forget_pages(app)
    assert body(client, url) == first  # computed again from nothing: the same
    # The faculty member and their networks, the page's form choices (at most three), the data version.
    assert len(repeat) <= 6 < len(fresh), repeat


def test_a_write_shows_at_once_on_every_kept_page(app, demo_history):
    client = FormClient(app.test_client())
    client.sign_in_as("manager")
    before = get_json(client, "/api/v1/coverage?ambition=RP")
    pages = {url: body(client, url) for url in KEPT}
    newcomers = sorted(set(before["not_reached"]))[:2]
    assert newcomers, "the demo history leaves someone to reach"
    add_events(demo_history, [(ods, "RP-01", "implementing", today() - timedelta(days=3)) for ods in newcomers])
    after = get_json(client, "/api/v1/coverage?ambition=RP")
    assert after["organisations_reached"] == before["organisations_reached"] + len(newcomers)
    assert not set(newcomers) & set(after["not_reached"])
    for url in ("/", "/spread-map?ambition=RP", "/coverage?ambition=RP", "/api/v1/network?ambition=RP"):
        assert body(client, url) != pages[url], url


def test_what_differs_per_person_is_never_shared(app, demo_history):
    """A recommender's map (with whom to engage next) and a manager's name never reach trust staff."""
    names = dict(demo_history.execute(select(User.email, User.name)).all())
    recommender = FormClient(app.test_client())
    recommender.sign_in_as("faculty")
    page = recommender.get("/spread-map?ambition=RP&engage=3").get_data(as_text=True)
    assert 'name="engage"' in page and names["faculty@demo.invalid"] in page
    recommender.get("/spread-map?ambition=RP")
    trust = FormClient(app.test_client())
    trust.sign_in_as("trust")
    assert trust.get("/spread-map?ambition=RP&engage=3").status_code == 403
    page = trust.get("/spread-map?ambition=RP").get_data(as_text=True)
    assert 'name="engage"' not in page
    assert names["trust@demo.invalid"] in page and names["faculty@demo.invalid"] not in page
    # The same content for the same kind of viewer, each with their own header and sign-out form.
    other = FormClient(app.test_client())
    other.sign_in_as("faculty")
    assert page_text(other.get("/spread-map?ambition=RP").get_data(as_text=True)) == page_text(
        recommender.get("/spread-map?ambition=RP").get_data(as_text=True)
    )


def test_error_pages_are_never_kept(app, demo_history):
    client = FormClient(app.test_client())
    client.sign_in_as("faculty")
    forget_pages(app)
    for url in (
        "/coverage?ambition=RP&as_of=31-02-2025",
        "/forecast?ambition=RP&horizon_months=0",
        "/spread-map?ambition=RP&as_of=never",
    ):
        assert client.get(url).status_code == 400, url
    assert client.get("/api/v1/coverage?ambition=NOPE").status_code == 404
    assert client.get("/api/v1/network?ambition=RP&as_of=soon").status_code == 400
    assert len(kept(app)) == 0


def test_a_kept_page_is_kept_for_its_day(app, demo_history, monkeypatch):
    client = FormClient(app.test_client())
    client.sign_in_as("manager")
    yesterday = today() - timedelta(days=1)
    monkeypatch.setattr("tracker.page_cache.today", lambda: yesterday)
    monkeypatch.setattr("tracker.main.routes.today", lambda: yesterday)
    assert f"today, {yesterday.day} {yesterday:%B %Y}" in body(client, "/")
    monkeypatch.undo()
    assert f"today, {today().day} {today():%B %Y}" in body(client, "/")


def test_the_cache_can_be_turned_off(make_app, demo_history):
    app = make_app(PAGE_CACHE_MB=0)
    client = FormClient(app.test_client())
    client.sign_in_as("faculty")
    first = body(client, "/spread-map?ambition=RP")
    assert body(client, "/spread-map?ambition=RP") == first
    assert len(kept(app)) == 0 and kept(app).hits == 0


def test_the_budget_is_in_bytes_and_the_least_recently_used_go_first():
    cache = MetricsCache(10, weigh=len)
    for key in "abc":
        cache.get_or_compute(key, lambda key=key: key * 4)
    assert len(cache) == 2 and cache.weight == 8  # "aaaa" went to make room for "cccc"
    assert cache.get_or_compute("b", lambda: "never computed") == "bbbb"  # now the most recently used
    cache.get_or_compute("d", lambda: "dd")
    assert cache.weight == 10
    cache.get_or_compute("e", lambda: "ee")  # "cccc", the least recently used, makes room
    assert cache.get_or_compute("c", lambda: "cc") == "cc" and cache.get_or_compute("b", lambda: "") == "bbbb"
    kept_before = len(cache)
    assert cache.get_or_compute("huge", lambda: "x" * 11) == "x" * 11 and len(cache) == kept_before  # too big


def test_a_page_kept_for_one_day_of_data_is_not_shown_for_another(app, demo_history):
    """The map of a past day is a different address, kept on its own."""
    client = FormClient(app.test_client())
    client.sign_in_as("faculty")
    earlier = body(client, f"/spread-map?ambition=RP&as_of={date(2023, 1, 31).isoformat()}")
    now = body(client, "/spread-map?ambition=RP")
    assert earlier != now and "31 January 2023" in earlier


def test_a_changed_target_shows_at_once(app, demo_history):
    """Ambitions and their targets are watched by the data version too (reloading the reference data)."""
    client = FormClient(app.test_client())
    client.sign_in_as("manager")
    target = demo_history.scalars(select(AmbitionTarget).where(AmbitionTarget.target_date.is_not(None))).first()
    moved = date(2031, 3, 31)
    assert "31 March 2031" not in body(client, "/")
    target.target_date = moved
    demo_history.commit()
    assert "31 March 2031" in body(client, "/")
