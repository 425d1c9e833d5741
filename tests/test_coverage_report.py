"""The coverage report page (/coverage) and its downloads (/coverage/<table>.<csv|xlsx>).

What a user sees is checked against tracker.reports.queries for the same parameters: the headline
figures, the tables by network and by change idea, the monthly chart's table, the organisations not
yet reached; then the same numbers read back from the CSV and XLSX files.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.factories import add_events
from tests.helpers import figure, forget_pages, page_text, pct, region, rows_of
from tracker.calendar import PROGRAMME_START
from tracker.core import charts
from tracker.models import Ambition, ChangeIdea, ChangePackage, Network, Organisation, OrganisationKind, Stage
from tracker.reports import queries, service

ROLES = ("trust", "faculty", "manager", "admin")
TABLES = ("summary", "networks", "interventions", "series", "not-reached")
AS_OF = date(2025, 6, 30)


# --- helpers ------------------------------------------------------------------------------------


def get_page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def core(session, code: str, day: date, stage: Stage = Stage.IMPLEMENTING, network: str | None = None):
    ambition = session.scalar(select(Ambition).where(Ambition.code == code))
    net = session.scalar(select(Network).where(Network.code == network)) if network else None
    scope = service.scope(session, ambition, net)
    return (
        queries.coverage_on(session, scope, day, stage, with_medians=True),
        service.series(session, scope, PROGRAMME_START, day, stage),
    )


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def read_xlsx(response):
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    return sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


def days(value):
    return "–" if value is None else f"{value:g}"


# --- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_role_may_see_coverage_and_download_it(signed_in, role):
    client = signed_in(role)
    assert client.get("/coverage").status_code == 200
    assert client.get("/coverage/summary.csv?ambition=SS").status_code == 200
    assert client.get("/coverage/networks.xlsx").status_code == 200


@pytest.mark.parametrize(
    "url", ["/coverage", "/coverage?ambition=RP&as_of=2024-03-31", "/coverage/series.csv?ambition=RP"]
)
def test_anonymous_visitors_are_sent_to_sign_in(seeded, client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")


def test_coverage_is_in_the_menu(signed_in):
    markup = get_page(signed_in("trust"), "/")
    assert '<a class="nhsuk-header__navigation-link" href="/coverage">Coverage</a>' in markup


# --- what the page shows ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code", "day", "stage", "network"),
    [
        ("?ambition=RP&as_of=2025-06-30", "RP", AS_OF, Stage.IMPLEMENTING, None),
        ("?ambition=ssh&as_of=2024-02-14&min_stage=testing", "SSH", date(2024, 2, 14), Stage.TESTING, None),
        (
            "?ambition=SS&as_of=2023-09-30&min_stage=sustained&network=wsx",
            "SS",
            date(2023, 9, 30),
            Stage.SUSTAINED,
            "WSX",
        ),
        (
            "?ambition=RP&as_of=2022-01-31&min_stage=considering&network=KSS",
            "RP",
            date(2022, 1, 31),
            Stage.CONSIDERING,
            "KSS",
        ),
    ],
)
def test_headline_figures_and_tables_match_the_coverage_core(demo_history, signed_in, query, code, day, stage, network):
    markup = get_page(signed_in("manager"), "/coverage" + query)
    figures, _ = core(demo_history, code, day, stage, network)
    assert figure(markup, "reach") == pct(figures.reach)
    assert figure(markup, "depth") == pct(figures.depth)
    assert figure(markup, "ward-coverage") == (
        pct(figures.ward_coverage) if figures.ward_coverage is not None else "Not known"
    )
    assert figure(markup, "reached") == f"{figures.organisations_reached} of {figures.organisations_total}"
    text = page_text(markup)
    assert f"counting organisations at {stage.value} or further along" in text
    assert f"As of {day.day} {day:%B %Y}" in text

    networks = rows_of(region(markup, "networks"))
    names = {n.code: n.name for n in demo_history.scalars(select(Network))}
    assert networks == [
        [
            f"{names[n.network]}: coverage in this network",
            str(n.organisations_total),
            str(n.organisations_reached),
            pct(n.reach),
            pct(n.depth),
        ]
        for n in figures.by_network
    ]
    ideas = rows_of(region(markup, "interventions"))
    assert [[row[0], row[1], row[2]] for row in ideas] == [
        [f"{i.idea.code} {i.idea.title}", str(i.adopters), pct(i.share)] for i in figures.by_idea
    ]
    assert [row[3] for row in ideas] == [
        days(i.median_days_to_implementing).replace("–", "– None yet") for i in figures.by_idea
    ]


def test_the_definitions_are_written_on_the_page(seeded, signed_in):
    text = page_text(get_page(signed_in("trust"), "/coverage?min_stage=spreading"))
    assert (
        "An organisation is adopting a change idea when the latest stage recorded for it, on or before the date of the figures, is spreading or further along the ladder"
        in text
    )
    assert "A change idea that was discontinued does not count." in text
    assert "The organisations open on the date of the figures." in text
    assert (
        "Reach The share of the organisations counted that are adopting at least one of the ambition’s change ideas."
        in text
    )
    assert (
        "Depth The average, over the organisations counted, of the share of the ambition’s change ideas each one is adopting."
        in text
    )
    assert (
        "Ward coverage Wards using the change ideas divided by wards in scope, added up over the latest records that give both numbers."
        in text
    )
    assert (
        "Wards in scope count from every such record, whatever its stage; wards using count only from records at spreading or further along the ladder, so a record at an earlier stage, or discontinued, adds its wards in scope and no wards using."
        in text
    )
    assert "the days from first considering a change idea to first implementing it" in text


def test_headline_figures_link_to_the_organisations_behind_them(demo_history, signed_in):
    markup = get_page(signed_in("trust"), "/coverage?ambition=RP&as_of=2025-06-30")
    figures, _ = core(demo_history, "RP", AS_OF)
    headline = region(markup, "headline")
    assert f'<a href="#reached">The {figures.organisations_reached} reached</a>' in headline
    assert f'<a href="#not-reached">the {len(figures.not_reached)} not yet reached</a>' in headline
    assert headline.count('href="#reached"') == 4  # every headline figure leads to the organisations
    assert 'id="reached"' in markup and 'id="not-reached"' in markup

    not_reached = region(markup, "not-reached")
    assert figures.not_reached, "the demo history leaves some organisations not reached"
    assert rows_of(not_reached) == [
        [f"{o.name}: adoption record", o.ods, names]
        for o, names in zip(figures.not_reached, _network_names(demo_history, figures.not_reached), strict=True)
    ]
    for o in figures.not_reached:
        assert f'href="/organisations/{o.ods}/adoption"' in not_reached
    reached = region(markup, "reached")
    assert rows_of(reached) == [
        [f"{o.name}: adoption record", o.ods, name, f"{figures.adopted_counts[o.id]} of 4"]
        for o, name in zip(figures.reached, _network_names(demo_history, figures.reached), strict=True)
    ]


def _network_names(session, organisations):
    names = {n.code: n.name for n in session.scalars(select(Network))}
    return [names.get(o.network, "No network") for o in organisations]


def test_each_network_row_links_to_the_report_for_that_network(demo_history, signed_in):
    client = signed_in("faculty")
    markup = get_page(client, "/coverage?ambition=SSH&as_of=2025-06-30&min_stage=testing")
    link = 'href="/coverage?ambition=SSH&amp;as_of=2025-06-30&amp;min_stage=testing&amp;network=OXF"'
    assert link in region(markup, "networks")
    filtered = get_page(client, "/coverage?ambition=SSH&as_of=2025-06-30&min_stage=testing&network=OXF")
    figures, _ = core(demo_history, "SSH", AS_OF, Stage.TESTING, "OXF")
    assert figure(filtered, "reach") == pct(figures.reach)
    assert "in Health Innovation Oxford and Thames Valley" in page_text(filtered)
    assert 'href="/coverage?ambition=SSH&amp;as_of=2025-06-30&amp;min_stage=testing">Show all networks</a>' in filtered


def test_each_change_idea_links_to_its_page(seeded, signed_in):
    markup = region(get_page(signed_in("trust"), "/coverage?ambition=RP"), "interventions")
    for code in ("RP-01", "RP-02", "RP-03", "RP-04"):
        assert f'href="/ideas/{code}"' in markup


def test_the_monthly_chart_has_its_data_as_a_table(demo_history, signed_in):
    day = date(2024, 3, 15)
    markup = get_page(signed_in("manager"), f"/coverage?ambition=RP&as_of={day}")
    figures, series = core(demo_history, "RP", day)
    monthly = region(markup, "monthly")
    assert (
        '<svg class="app-chart"' in monthly
        and 'role="img" aria-labelledby="coverage-chart-title coverage-chart-desc"' in monthly
    )
    assert (
        '<title id="coverage-chart-title">Reach and depth of reduce restrictive practice by month, April 2021 to 15 March 2024</title>'
        in monthly
    )
    assert "Show the monthly figures as a table" in monthly
    rows = rows_of(monthly[monthly.index("nhsuk-details") :])
    assert len(rows) == len(series) == 36  # April 2021 to March 2024
    for row, p in zip(rows[:-1], series[:-1], strict=True):
        assert row == [
            charts.period_label(p.month_end),
            str(p.organisations_total),
            str(p.organisations_reached),
            pct(p.reach),
            pct(p.depth),
        ]
    # The last row is as of the report's own day: the headline figures.
    assert rows[-1] == [
        "15 March 2024",
        str(figures.organisations_total),
        str(figures.organisations_reached),
        pct(figures.reach),
        pct(figures.depth),
    ]
    # Axes labelled, gridlines every 20%, the targets in range drawn and named.
    for label in (
        "0%",
        "20%",
        "40%",
        "60%",
        "80%",
        "100%",
        "2022",
        "2023",
        "2024",
        "Share of organisations",
        "Month (figures as of each month’s last day)",
    ):
        assert f">{label}</text>" in monthly
    assert ">Revised: 30 September 2023</text>" in monthly
    assert "Original: 31 March 2024" not in monthly.split("</svg>")[0]  # after 15 March 2024: off the chart
    assert "Not on the chart, being outside April 2021 to 15 March 2024: Original target, 31 March 2024" in page_text(
        monthly
    )


def test_the_targets_are_listed(seeded, signed_in):
    text = page_text(get_page(signed_in("trust"), "/coverage?ambition=RP"))
    assert "Original, by 31 March 2024:" in text and "Revised, by 30 September 2023:" in text
    assert "Pilot (2018–20), no date:" in text


def test_percentages_are_shown_to_one_decimal_place(seeded, signed_in):
    add_events(seeded, [("RNU", "RP-01", "implementing", date(2022, 1, 10))])
    markup = get_page(signed_in("trust"), "/coverage?ambition=RP&as_of=2022-06-30")
    assert figure(markup, "reach") == "7.1%"  # 1 of 14
    assert figure(markup, "depth") == "1.8%"  # a quarter of 1 of 14


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("as_of=2025-02-30", "as_of", "The date the figures are as of must be a real date, for example 2025-06-30"),
        ("as_of=30%2F06%2F2025", "as_of", "The date the figures are as of must be a real date, for example 2025-06-30"),
        # YYYY-MM-DD only, as the spread map and the API (the report used to read 2025-1-5 as 5 January)
        ("as_of=2025-1-5", "as_of", "The date the figures are as of must be a real date, for example 2025-06-30"),
        ("as_of=", "as_of", "Enter the date the figures are as of, for example 2025-06-30"),
        ("as_of=2999-01-01", "as_of", "The date the figures are as of must be today or in the past"),
        (
            "as_of=2021-03-31",
            "as_of",
            "The date the figures are as of must be on or after 1 April 2021, when the programme started",
        ),
        ("min_stage=discontinued", "min_stage", "Choose the stage from which an organisation counts as adopting"),
        ("min_stage=%3Cscript%3E", "min_stage", "Choose the stage from which an organisation counts as adopting"),
    ],
)
def test_bad_input_is_answered_with_form_errors(seeded, signed_in, query, field, message):
    markup = get_page(signed_in("trust"), f"/coverage?ambition=RP&{query}", status=400)
    assert '<div class="nhsuk-error-summary"' in markup
    assert f'<li><a href="#{field}">{message}</a></li>' in markup
    assert f'id="{field}-error"' in markup
    assert "<title>Error: Coverage of reduce restrictive practice" in markup
    assert 'data-figure="reach"' not in markup  # no figures for a question that was not understood
    assert "<script>" not in markup


@pytest.mark.parametrize("query", ["ambition=XX", "ambition=RP&network=NOPE", "network=%3Cb%3E"])
def test_unknown_ambition_or_network_is_not_found(seeded, signed_in, query):
    client = signed_in("trust")
    assert client.get(f"/coverage?{query}").status_code == 404
    assert client.get(f"/coverage/summary.csv?{query}").status_code == 404


def test_a_download_with_a_bad_date_is_a_bad_request(seeded, signed_in):
    response = signed_in("trust").get("/coverage/series.xlsx?as_of=2025-13-01")
    assert response.status_code == 400
    assert "must be a real date" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/coverage/everything.csv", "/coverage/summary.pdf", "/coverage/summary"])
def test_unknown_tables_and_formats_are_not_found(seeded, signed_in, url):
    assert signed_in("trust").get(url).status_code == 404


# --- downloads ----------------------------------------------------------------------------------

QUERY = "?ambition=SS&as_of=2025-06-30&min_stage=testing"


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_downloads_are_named_for_ambition_date_and_table(seeded, signed_in, table, fmt):
    response = signed_in("trust").get(f"/coverage/{table}.{fmt}{QUERY}&network=SW")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="coverage-SS-SW-2025-06-30-{table}.{fmt}"'
    assert response.headers["Cache-Control"] == "no-store"


def test_the_page_links_to_every_download_with_the_same_parameters(seeded, signed_in):
    markup = get_page(signed_in("trust"), "/coverage" + QUERY)
    for table in TABLES:
        for fmt in ("csv", "xlsx"):
            assert f'href="/coverage/{table}.{fmt}?ambition=SS&amp;as_of=2025-06-30&amp;min_stage=testing"' in markup


def test_csv_downloads_hold_the_numbers_on_the_page(demo_history, signed_in):
    client = signed_in("manager")
    figures, series = core(demo_history, "SS", AS_OF, Stage.TESTING)
    markup = get_page(client, "/coverage" + QUERY)

    summary = read_csv(client.get("/coverage/summary.csv" + QUERY))
    assert summary[0] == [
        "ambition_code",
        "ambition_title",
        "network_code",
        "network_name",
        "as_of",
        "counts_from_stage",
        "change_ideas",
        "organisations_open",
        "organisations_reached",
        "reach",
        "depth",
        "ward_coverage",
    ]
    assert summary[1] == [
        "SS",
        "Improve sexual safety",
        "",
        "All networks",
        "2025-06-30",
        "testing",
        "4",
        str(figures.organisations_total),
        str(figures.organisations_reached),
        f"{figures.reach:.4f}",
        f"{figures.depth:.4f}",
        f"{figures.ward_coverage:.4f}",
    ]
    assert pct(float(summary[1][9])) == figure(markup, "reach")

    networks = read_csv(client.get("/coverage/networks.csv" + QUERY))
    assert networks[0] == [
        "network_code",
        "network_name",
        "organisations_open",
        "organisations_reached",
        "reach",
        "depth",
    ]
    assert [row[0] for row in networks[1:]] == [n.network for n in figures.by_network]
    assert [(int(r[2]), int(r[3]), r[4], r[5]) for r in networks[1:]] == [
        (n.organisations_total, n.organisations_reached, f"{n.reach:.4f}", f"{n.depth:.4f}") for n in figures.by_network
    ]
    page_rows = rows_of(region(markup, "networks"))
    assert [pct(float(r[4])) for r in networks[1:]] == [row[3] for row in page_rows]

    ideas = read_csv(client.get("/coverage/interventions.csv" + QUERY))
    assert ideas[0] == [
        "intervention_code",
        "intervention_title",
        "organisations_adopting",
        "share_adopting",
        "median_days_considering_to_implementing",
    ]
    assert ideas[1:] == [
        [
            i.idea.code,
            i.idea.title,
            str(i.adopters),
            f"{i.share:.4f}",
            "" if i.median_days_to_implementing is None else f"{i.median_days_to_implementing:g}",
        ]
        for i in figures.by_idea
    ]

    monthly = read_csv(client.get("/coverage/series.csv" + QUERY))
    assert monthly[0] == ["month", "as_of", "organisations_open", "organisations_reached", "reach", "depth"]
    assert len(monthly) - 1 == len(series) == 51
    assert monthly[1] == [
        "2021-04",
        "2021-04-30",
        str(series[0].organisations_total),
        str(series[0].organisations_reached),
        f"{series[0].reach:.4f}",
        f"{series[0].depth:.4f}",
    ]
    assert monthly[-1] == [
        "2025-06",
        "2025-06-30",
        str(figures.organisations_total),
        str(figures.organisations_reached),
        f"{figures.reach:.4f}",
        f"{figures.depth:.4f}",
    ]

    not_reached = read_csv(client.get("/coverage/not-reached.csv" + QUERY))
    assert not_reached[0] == ["organisation_name", "ods_code", "network_code", "network_name"]
    assert [row[1] for row in not_reached[1:]] == [o.ods for o in figures.not_reached]


def test_xlsx_downloads_hold_numbers_percentages_and_dates(demo_history, signed_in):
    client = signed_in("manager")
    figures, series = core(demo_history, "SS", AS_OF, Stage.TESTING)

    markup = get_page(client, "/coverage" + QUERY)
    sheet, rows = read_xlsx(client.get("/coverage/summary.xlsx" + QUERY))
    assert rows[0][:5] == ["ambition_code", "ambition_title", "network_code", "network_name", "as_of"]
    assert rows[1][4] == datetime(2025, 6, 30) and sheet["E2"].number_format == "yyyy-mm-dd"
    assert rows[1][7:9] == [figures.organisations_total, figures.organisations_reached]
    assert rows[1][9] == pytest.approx(figures.reach) and sheet["J2"].number_format == "0.0%"
    assert rows[1][10] == pytest.approx(figures.depth) and sheet["K2"].number_format == "0.0%"
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert (pct(rows[1][9]), pct(rows[1][10]), pct(rows[1][11])) == (
        figure(markup, "reach"),
        figure(markup, "depth"),
        figure(markup, "ward-coverage"),
    )

    sheet, rows = read_xlsx(client.get("/coverage/series.xlsx" + QUERY))
    assert [r[1] for r in rows[1:-1]] == [datetime.combine(p.month_end, datetime.min.time()) for p in series[:-1]]
    assert [r[4] for r in rows[1:-1]] == pytest.approx([p.reach for p in series[:-1]])
    assert rows[-1][4] == pytest.approx(figures.reach)
    assert sheet["E2"].number_format == "0.0%" and sheet["F2"].number_format == "0.0%"

    sheet, rows = read_xlsx(client.get("/coverage/interventions.xlsx" + QUERY))
    assert [r[2] for r in rows[1:]] == [i.adopters for i in figures.by_idea]
    assert [r[3] for r in rows[1:]] == pytest.approx([i.share for i in figures.by_idea])
    assert [r[4] for r in rows[1:]] == [i.median_days_to_implementing for i in figures.by_idea]

    sheet, rows = read_xlsx(client.get("/coverage/not-reached.xlsx" + QUERY))
    assert [r[1] for r in rows[1:]] == [o.ods for o in figures.not_reached]


def test_formula_like_text_is_neutralised_in_both_formats(seeded, signed_in):
    package = seeded.scalar(select(ChangePackage).where(ChangePackage.code == "SSC"))
    seeded.add(ChangeIdea(code="SS-99", package=package, title='=HYPERLINK("http://evil.example","x")', position=99))
    network = seeded.scalar(select(Network).where(Network.code == "SW"))
    seeded.add(
        Organisation(ods_code="ZZ1", name="@SUM(1+1)", kind=OrganisationKind.MENTAL_HEALTH_TRUST, network=network)
    )
    seeded.commit()
    client = signed_in("trust")
    ideas = read_csv(client.get("/coverage/interventions.csv" + QUERY))
    assert ideas[-1][:2] == ["SS-99", '\'=HYPERLINK("http://evil.example","x")']
    not_reached = read_csv(client.get("/coverage/not-reached.csv" + QUERY))
    assert ["'@SUM(1+1)", "ZZ1", "SW", "Health Innovation South West"] in not_reached
    sheet, rows = read_xlsx(client.get("/coverage/interventions.xlsx" + QUERY))
    cell = sheet.cell(row=len(rows), column=2)
    assert cell.value == '\'=HYPERLINK("http://evil.example","x")' and cell.data_type == "s"
    sheet, rows = read_xlsx(client.get("/coverage/not-reached.xlsx" + QUERY))
    assert ["'@SUM(1+1)", "ZZ1", "SW", "Health Innovation South West"] in rows


# --- performance --------------------------------------------------------------------------------


def test_statement_counts_do_not_grow_with_the_data(app, demo_history, signed_in, statement_counter):
    client = signed_in("manager")
    urls = [
        "/coverage?ambition=RP&as_of=2025-06-30",
        "/coverage?ambition=SSH&as_of=2025-06-15&network=KSS",
        "/coverage/series.xlsx?ambition=SS",
    ]
    for url in urls:
        client.get(url)
    before = {}
    for url in urls:
        forget_pages(app)  # counted: the report computed, not the page kept
        with statement_counter() as statements:
            assert client.get(url).status_code == 200
        before[url] = len(statements)
    network = demo_history.scalar(select(Network).where(Network.code == "KSS"))
    for n in range(8):
        demo_history.add(
            Organisation(
                ods_code=f"ZX{n}", name=f"Extra trust {n}", kind=OrganisationKind.MENTAL_HEALTH_TRUST, network=network
            )
        )
    demo_history.commit()
    rows = []
    for n in range(8):
        for code in ("RP-01", "RP-03", "SSH-02", "SSH-07", "SS-04"):
            rows += [
                (f"ZX{n}", code, "considering", date(2023, 2, 1)),
                (f"ZX{n}", code, "implementing", date(2024, 4, 1), 2, 6),
            ]
    add_events(demo_history, rows)
    for url in urls:
        forget_pages(app)
        with statement_counter() as statements:
            assert client.get(url).status_code == 200
        assert len(statements) == before[url], url
        assert len(statements) <= 15, statements


# --- the chart's geometry, pure -----------------------------------------------------------------


def test_chart_places_points_by_date_and_share():
    start, end = date(2021, 4, 1), date(2025, 6, 30)
    chart = charts.monthly_chart(
        [charts.ChartPoint(start, 0.0, 0.0), charts.ChartPoint(end, 1.0, 0.5)],
        [("Revised", date(2023, 9, 30)), ("Original", date(2024, 3, 31)), ("Pilot", date(2019, 1, 1))],
        start,
        end,
    )
    reach, depth = chart.series
    assert reach.path == f"M{chart.left:.1f} {chart.bottom:.1f} L{chart.right:.1f} {chart.top:.1f}"
    assert depth.last_y == pytest.approx((chart.top + chart.bottom) / 2)
    assert [g.label for g in chart.gridlines] == ["0%", "20%", "40%", "60%", "80%", "100%"]
    assert [t.label for t in chart.ticks] == ["2022", "2023", "2024", "2025"]
    assert chart.targets_outside == [("Pilot", date(2019, 1, 1))]
    revised, original = chart.targets
    assert (revised.label, original.label) == ("Revised: 30 September 2023", "Original: 31 March 2024")
    # Six months apart: too close for one row, so the second label sits on a row of its own.
    assert revised.label_y != original.label_y
    assert reach.end_label == "Reach 100.0%" and depth.end_label == "Depth 50.0%"


def test_short_charts_tick_quarters_and_end_labels_do_not_collide():
    start, end = date(2021, 4, 1), date(2022, 3, 31)
    chart = charts.monthly_chart([charts.ChartPoint(end, 0.30, 0.29)], [], start, end)
    assert [t.label for t in chart.ticks] == ["Apr 2021", "Jul 2021", "Oct 2021", "Jan 2022"]
    reach, depth = chart.series
    assert depth.label_y - reach.label_y >= 16


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2024, 2, 29), "February 2024"),
        (date(2024, 2, 28), "28 February 2024"),
        (date(2025, 12, 31), "December 2025"),
    ],
)
def test_period_label(day, label):
    assert charts.period_label(day) == label


def test_the_stylesheet_prints_on_a4_without_the_navigation(app):
    response = app.test_client().get("/static/app.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "@page {\n  size: A4;" in css
    printed = css[css.index("/* Print: the dashboard and the coverage report") :]
    for rule in (
        ".nhsuk-header,",
        ".nhsuk-footer,",
        "main form,",
        "button,",
        "content: none !important;",
        "break-inside: avoid;",
        "thead {\n    display: table-header-group;",
    ):
        assert rule in printed
