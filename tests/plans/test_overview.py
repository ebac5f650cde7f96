"""The cross-city overview: figures checked against data built here, the contributed
statistics shown generically, filters, sorting, CSV, the SVG chart, and a constant
number of queries."""
import csv
import io
import json
from datetime import UTC, date, datetime
from unittest.mock import ANY

import pytest

from action_lms.core.hooks import contributions
from action_lms.plans.template import MILESTONE_KEYS

from ..factories import make_city, make_plan, make_user
from ..helpers import api_as, assert_envelope, inline_scripts, login_session, refresh_snapshots

NEXT_SESSION = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def providers(app):
    """Fake courses/consulting providers, as the other domains will register them; each
    records the city ids it was asked about."""
    calls = []

    def enrolled(city_ids):
        calls.append(("learners_enrolled", list(city_ids)))
        return {cid: 10 + cid for cid in city_ids}

    def sessions(city_ids):
        calls.append(("consulting_sessions_held", list(city_ids)))
        return {cid: cid % 3 for cid in city_ids}

    def next_session(city_ids):
        calls.append(("next_consulting_session", list(city_ids)))
        return {cid: NEXT_SESSION for cid in city_ids if cid % 2 == 1}

    def lessons(city_id, keys):
        calls.append(("lessons", city_id))
        return {"baseline_assessment": [{"title": "Collecting data on discrimination", "url": "/lessons/7",
                                         "detail": "12 min"}]}

    hooks = contributions(app)  # this test's app only: nothing to restore afterwards
    hooks.city_stats.clear()
    hooks.milestone_resources.clear()
    hooks.add_city_stat("learners_enrolled", "Learners enrolled", enrolled)
    hooks.add_city_stat("consulting_sessions_held", "Consulting sessions held", sessions)
    hooks.add_city_stat("next_consulting_session", "Next consulting session", next_session, live=True)
    hooks.add_milestone_resource("lessons", "Recommended learning", lessons)
    yield calls


@pytest.fixture
def admin(session):
    return make_user("admin", timezone="Europe/Vienna")


@pytest.fixture
def cities(session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    ghent = make_city("Ghent", "BE", "Europe/Brussels")
    berlin = make_city("Berlin", "DE", "Europe/Berlin")
    bonn = make_city("Bonn", "DE", "Europe/Berlin")  # no plan
    make_plan(graz, title="Old Graz plan", statuses=dict.fromkeys(MILESTONE_KEYS, "completed"))  # superseded
    make_plan(graz, title="Graz plan", statuses={"political_mandate": "completed", "coordination_team": "completed",
                                                 "baseline_assessment": "in_progress"},
              due={"baseline_assessment": date(2020, 1, 1), "stakeholder_consultation": date(2021, 1, 1),
                   "political_mandate": date(2019, 1, 1)})
    make_plan(ghent, title="Ghent plan", statuses={"political_mandate": "completed"},
              due={"coordination_team": date(2999, 1, 1)})
    make_plan(berlin, title="Berlin plan", statuses=dict.fromkeys(MILESTONE_KEYS, "completed"))
    return {"graz": graz, "ghent": ghent, "berlin": berlin, "bonn": bonn}


def by_city(rows):
    return {r["city"]["name"]: r for r in rows}


def test_overview_figures_match_the_data(client, admin, cities, providers):
    response = api_as(client, admin).get("/api/v1/progress/cities")
    assert response.status_code == 200
    rows = by_city(response.get_json())
    assert list(rows) == ["Berlin", "Bonn", "Ghent", "Graz"]
    graz, ghent, berlin, bonn = rows["Graz"], rows["Ghent"], rows["Berlin"], rows["Bonn"]
    assert (graz["plan_title"], graz["progress_percent"], graz["milestones_completed"], graz["current_phase"],
            graz["overdue_milestones"]) == ("Graz plan", 22, 2, "Analysis", 2)
    assert (ghent["progress_percent"], ghent["current_phase"], ghent["overdue_milestones"]) == (11, "Preparation", 0)
    assert (berlin["progress_percent"], berlin["current_phase"]) == (100, "Completed")
    assert (bonn["plan_id"], bonn["progress_percent"], bonn["current_phase"]) == (None, None, "No plan")
    gid = cities["graz"].id
    assert graz["learners_enrolled"] == 10 + gid
    assert graz["consulting_sessions_held"] == gid % 3
    assert graz["learners_certified"] is None and graz["webinar_attendances"] is None  # not registered
    assert graz["stats"]["learners_enrolled"] == 10 + gid
    expected_next = "2027-03-15T09:00:00Z" if gid % 2 == 1 else None
    assert graz["next_consulting_session"] == expected_next
    # each provider was asked once, with every city
    all_ids = sorted(c.id for c in cities.values())
    assert sorted(key for key, _ in providers) == ["consulting_sessions_held", "learners_enrolled",
                                                   "next_consulting_session"]
    assert all(sorted(ids) == all_ids for _, ids in providers)


def test_overview_filters_and_sorting(client, admin, cities, providers):
    api = api_as(client, admin)
    rows = api.get("/api/v1/progress/cities?country=de").get_json()
    assert [r["city"]["name"] for r in rows] == ["Berlin", "Bonn"]
    rows = api.get("/api/v1/progress/cities?phase=Analysis").get_json()
    assert [r["city"]["name"] for r in rows] == ["Graz"]
    rows = api.get("/api/v1/progress/cities?sort=progress&order=desc").get_json()
    assert [r["city"]["name"] for r in rows] == ["Berlin", "Graz", "Ghent", "Bonn"]  # no plan: last
    rows = api.get("/api/v1/progress/cities?sort=overdue&order=desc").get_json()
    assert rows[0]["city"]["name"] == "Graz"
    rows = api.get("/api/v1/progress/cities?sort=learners_enrolled&order=desc").get_json()
    assert [r["learners_enrolled"] for r in rows] == sorted((r["learners_enrolled"] for r in rows), reverse=True)
    rows = api.get("/api/v1/progress/cities?sort=phase").get_json()
    assert [r["current_phase"] for r in rows] == ["Preparation", "Analysis", "Completed", "No plan"]
    assert "sort" in assert_envelope(api.get("/api/v1/progress/cities?sort=colour"), 422)["errors"]
    assert "phase" in assert_envelope(api.get("/api/v1/progress/cities?phase=Dreaming"), 422)["errors"]
    assert "country" in assert_envelope(api.get("/api/v1/progress/cities?country=Deutschland"), 422)["errors"]
    response = api.get("/api/v1/progress/cities?page_size=2&page=2")
    assert [r["city"]["name"] for r in response.get_json()] == ["Ghent", "Graz"]
    assert json.loads(response.headers["X-Pagination"])["total"] == 4


def test_overview_csv(client, admin, cities, providers):
    for url in ("/api/v1/progress/cities?format=csv&country=DE", None):
        if url is None:
            login_session(client, admin)
            response = client.get("/progress/cities.csv?country=DE")
        else:
            response = api_as(client, admin).get(url)
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert [r["city"] for r in rows] == ["Berlin", "Bonn"]
        assert rows[0]["progress_percent"] == "100" and rows[1]["progress_percent"] == ""
        assert rows[0]["learners_enrolled"] == str(10 + cities["berlin"].id)
        assert "next_consulting_session" in rows[0]


def test_overview_page_shows_table_filters_stats_and_svg_chart(client, admin, cities, providers):
    login_session(client, admin)
    response = client.get("/progress/cities")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for label in ("Learners enrolled", "Consulting sessions held", "Next consulting session"):
        assert label in html
    assert "—" in html  # Bonn's missing next session / absent values
    assert "<svg" in html and not inline_scripts(html) and "style=" not in html
    assert "Download CSV" in html and "/progress/cities.csv" in html
    assert 'id="filter-country"' in html and 'id="filter-phase"' in html
    # the chart counts cities (with a current plan) that completed each milestone
    import re
    values = dict(re.findall(r'data-key="(\w+)">.*?class="plan-chart-value"[^>]*>(\d+)<', html, re.S))
    assert values["political_mandate"] == "3"  # Graz, Ghent, Berlin
    assert values["coordination_team"] == "2"  # Graz, Berlin
    assert values["adoption"] == "1"  # Berlin (Graz's old plan does not count)
    filtered = client.get("/progress/cities?country=BE").get_data(as_text=True)
    values = dict(re.findall(r'data-key="(\w+)">.*?class="plan-chart-value"[^>]*>(\d+)<', filtered, re.S))
    assert values["political_mandate"] == "1" and values["coordination_team"] == "0"


def test_overview_without_registered_stats_still_works(client, admin, cities):
    contributions(client.application).city_stats.clear()
    rows = by_city(api_as(client, admin).get("/api/v1/progress/cities").get_json())
    assert rows["Graz"]["learners_enrolled"] is None and rows["Graz"]["stats"] == {}


@pytest.mark.parametrize("kind", ["api", "page"])
def test_overview_loads_in_a_constant_number_of_queries(client, admin, providers, count_queries, kind, session):
    login_session(client, admin)
    headers = api_as(client, admin).headers
    # A bearer request is authenticated by its token alone, and a token's first use records
    # its time (one write): make that first use before counting.
    client.get("/api/v1/me", headers=headers)
    counts = []
    made = 0
    for target in (3, 30):
        while made < target:
            city = make_city(f"City {made:02d}", "DE")
            make_plan(city, statuses={"political_mandate": "completed"}, due={"adoption": date(2020, 1, 1)})
            made += 1
        refresh_snapshots()  # the scheduler counted the figures since
        providers.clear()
        with count_queries() as q:
            url = "/api/v1/progress/cities?page_size=100" if kind == "api" else "/progress/cities"
            response = client.get(url, headers=headers if kind == "api" else None)
        assert response.status_code == 200
        # The counted figures come from the snapshot; only the live one is asked, once.
        assert providers == [("next_consulting_session", ANY)]
        counts.append(q.count)
    assert counts[0] == counts[1], counts


def test_dashboard_shows_what_to_learn_next_and_the_next_session(client, cities, providers):
    coordinator = make_user("coordinator", city=cities["graz"], timezone="Europe/Vienna")
    login_session(client, coordinator)
    response = client.get("/my-city")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Graz plan" in html and "Collecting data on discrimination" in html
    assert "Recommended learning" in html
    if cities["graz"].id % 2 == 1:
        assert "Mon 15 Mar 2027, 10:00 CET" in html
    else:
        assert "No session booked." in html
    assert ("lessons", cities["graz"].id) in providers
