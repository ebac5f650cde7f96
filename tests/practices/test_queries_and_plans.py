"""Lists load in a constant number of queries however many practices there are, and the
plan pages show, under each milestone, the published practices of other cities that
illustrate it (one query for every milestone)."""
from __future__ import annotations

import re

import pytest

from action_lms.practices import services

from ..factories import make_city, make_plan, make_practice, make_user
from ..helpers import api_as, login_session


def fill(cities, n: int) -> None:
    for i in range(n):
        make_practice(cities[i % len(cities)], f"Practice {i:03d} on islamophobia", commitments=(1, 3, 8),
                      milestone_keys=("draft_plan", "adoption"), languages=("es", "ca", "en"),
                      contact_id=None, links=[{"title": "Doc", "url": "https://example.org"}], commit=False)
    from action_lms.extensions import db
    db.session.commit()


@pytest.fixture
def cities(app, session):
    return [make_city(f"City {i}", "ES", "Europe/Madrid") for i in range(5)]


@pytest.mark.parametrize("query", ["", "&q=islamophobia", "&commitment=3&language=ca&country=ES&milestone=adoption"])
def test_the_api_list_takes_the_same_queries_for_5_and_25_practices(client, cities, count_queries, query):
    api = api_as(client, make_user("coordinator", city=cities[0]))
    api.get("/api/v1/practices")  # the token's first use is recorded once
    counts = []
    for n in (5, 20):
        fill(cities, n)
        with count_queries() as q:
            response = api.get(f"/api/v1/practices?page_size=100{query}")
        assert response.status_code == 200
        counts.append((len(response.get_json()), q.count))
    assert [c[0] for c in counts] == [5, 25]
    assert counts[0][1] == counts[1][1], counts


@pytest.mark.parametrize("query", ["", "?q=islamophobia&commitment=3"])
def test_the_library_page_takes_the_same_queries_for_5_and_25_practices(client, cities, count_queries, query):
    login_session(client, make_user("coordinator", city=cities[0]))
    client.get("/practices")
    counts = []
    for n in (5, 20):
        fill(cities, n)
        with count_queries() as q:
            response = client.get(f"/practices{query}")
        assert response.status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts


def test_the_mine_and_review_pages_take_constant_queries(app, cities, count_queries):
    clients = {"/practices/mine": app.test_client(), "/practices/review": app.test_client()}
    login_session(clients["/practices/mine"], make_user("coordinator", city=cities[0]))
    login_session(clients["/practices/review"], make_user("admin"))
    counts: dict[str, list[int]] = {path: [] for path in clients}
    for n in (3, 12):
        for i in range(n):
            make_practice(cities[0], f"Submitted {n}-{i}", status="submitted", languages=("es", "en"))
        for path, client in clients.items():
            client.get(path)
            with count_queries() as q:
                assert client.get(path).status_code == 200
            counts[path].append(q.count)
    assert all(a == b for a, b in counts.values()), counts


# ---------------------------------------------------------------- plan pages


@pytest.fixture
def plan_world(app, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    barcelona = make_city("Barcelona", "ES", "Europe/Madrid")
    bologna = make_city("Bologna", "IT", "Europe/Rome")
    plan = make_plan(graz)
    return {
        "graz": graz,
        "plan": plan,
        "coordinator": make_user("coordinator", city=graz),
        "other": make_practice(barcelona, "Municipal Plan against Islamophobia", milestone_keys=("draft_plan",
                               "stakeholder_consultation"), started_year=2016),
        "bologna": make_practice(bologna, "Bologna administrative action", milestone_keys=("draft_plan",)),
        "own": make_practice(graz, "Graz own practice on drafting", milestone_keys=("draft_plan",)),
        "draft": make_practice(barcelona, "Barcelona draft on drafting", status="draft", milestone_keys=("draft_plan",)),
        "archived": make_practice(bologna, "Bologna archived on drafting", status="archived",
                                  milestone_keys=("draft_plan",)),
        "untagged": make_practice(bologna, "Bologna untagged", milestone_keys=()),
    }


def milestone_html(html: str, key: str) -> str:
    match = re.search(rf'id="milestone-{key}".*?(?=id="milestone-|</ol>)', html, re.S)
    assert match, key
    return match.group(0)


def test_the_plan_page_lists_other_cities_published_practices_under_the_milestone(client, plan_world):
    login_session(client, plan_world["coordinator"])
    html = client.get(f"/plans/{plan_world['plan'].id}").get_data(as_text=True)
    drafting = milestone_html(html, "draft_plan")
    assert "Good practices from other cities" in drafting
    assert "Municipal Plan against Islamophobia" in drafting and "Bologna administrative action" in drafting
    assert f'href="/practices/{plan_world["other"].id}"' in drafting and "Barcelona, since 2016" in drafting
    for hidden in ("own", "draft", "archived", "untagged"):
        assert plan_world[hidden].title not in html, hidden
    consultation = milestone_html(html, "stakeholder_consultation")
    assert "Municipal Plan against Islamophobia" in consultation and "Bologna administrative action" not in consultation
    assert "Good practices from other cities" not in milestone_html(html, "adoption")


def test_the_milestone_resources_take_one_query(plan_world, count_queries):
    keys = ["political_mandate", "stakeholder_consultation", "draft_plan", "adoption"]
    graz_id = plan_world["graz"].id
    with count_queries() as q:
        result = services.milestone_resources(graz_id, keys)
    assert q.count == 1
    assert [i["title"] for i in result["draft_plan"]] == ["Municipal Plan against Islamophobia",
                                                          "Bologna administrative action"]
    assert result["political_mandate"] == []
    everyone = services.milestone_resources(None, ["draft_plan"])  # no city: every city's
    assert "Graz own practice on drafting" in [i["title"] for i in everyone["draft_plan"]]
