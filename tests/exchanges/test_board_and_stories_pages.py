"""The office's board (every request by status, oldest first, days waiting) and the public
stories (readable signed out, nothing personal, no join link, no questions)."""
from __future__ import annotations

import re
from datetime import timedelta

from action_lms.core.time import utcnow
from action_lms.exchanges.models import Exchange

from ..helpers import api_as, login_session
from .world import accepted, at, invited, make_world, next_weekday, requested, scheduled


def signed_in(app, user):
    client = app.test_client()
    return client, login_session(client, user)


def html_of(response) -> str:
    return response.get_data(as_text=True)


def section(page: str, heading_id: str) -> str:
    """The HTML of the board column whose heading has this id."""
    start = page.index(f'id="{heading_id}"')
    end = page.find("</section>", start)
    return page[start:end]


def reported(client, session, world, publish=True, **extra) -> dict:
    """An exchange taken through the whole path by the API, with its report."""
    _, body = requested(client, world, **extra)
    accepted(client, world, body["id"], invited(client, world, body["id"], "barcelona", "bologna"))
    assert api_as(client, world.learner["berlin"]).request(
        "PUT", f"/api/v1/exchanges/{body['id']}/participants/me").status_code == 200
    scheduled(client, world, body["id"], at(next_weekday(1), 10, tz="Europe/Berlin"))
    row = session.get(Exchange, body["id"])
    row.starts_at, row.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
    session.commit()
    office = api_as(client, world.admin)
    assert office.post(f"/api/v1/exchanges/{body['id']}/held",
                       json={"attended_user_ids": [world.learner["berlin"].id]}).status_code == 200
    response = office.post(f"/api/v1/exchanges/{body['id']}/report", json={
        "report": "Barcelona and Bologna shared how they **drafted** their plans.",
        "follow_ups": [{"text": "Map community organisations", "owner": "Equal treatment office",
                        "milestone_key": "stakeholder_consultation"}],
        "publish": publish})
    assert response.status_code == 200, html_of(response)
    return response.get_json()


# ---------------------------------------------------------------- the board


def test_the_board_is_the_offices(app, client):
    world = make_world()
    assert client.get("/exchanges/board").status_code == 302
    for user in (world.coord["berlin"], world.learner["berlin"]):
        person, _ = signed_in(app, user)
        assert person.get("/exchanges/board").status_code == 403
    office, _ = signed_in(app, world.admin)
    page = office.get("/exchanges/board")
    assert page.status_code == 200 and "Exchange board" in html_of(page)


def test_the_board_shows_every_request_by_status_oldest_first(app, client, session):
    world = make_world()
    _, old = requested(client, world, topic="Data on discrimination")
    _, new = requested(client, world, topic="Counselling victims")
    _, matching = requested(client, world, topic="Working with schools")
    invited(client, world, matching["id"], "bologna")
    _, gone = requested(client, world, topic="A withdrawn request")
    assert api_as(client, world.coord["berlin"]).post(f"/api/v1/exchanges/{gone['id']}/withdraw").status_code == 200
    session.get(Exchange, old["id"]).created_at = utcnow() - timedelta(days=12)
    session.commit()
    office, _ = signed_in(app, world.admin)
    page = html_of(office.get("/exchanges/board"))
    column = section(page, "col-requested")
    assert "Requested <span" in column and "(2)" in column
    assert column.index("Data on discrimination") < column.index("Counselling victims"), "oldest first"
    assert "asked 12 days ago" in column and "asked today" in column
    assert "Invite host cities" in column
    inviting = section(page, "col-matching")
    assert "Working with schools" in inviting and "Bologna: invited, no answer yet" in inviting
    assert "Waiting for the invited cities to answer" in inviting
    # Withdrawn and cancelled ones are folded away, under their own summary.
    folded = page[page.index('id="ended-h"'):]
    assert re.search(r"<summary>Withdrawn \(1\)</summary>", folded) and "A withdrawn request" in folded
    assert "A withdrawn request" not in page[:page.index('id="ended-h"')]


def test_board_query_count_is_constant(app, client, session, count_queries):
    world = make_world()

    def add(n, start):
        for i in range(start, start + n):
            _, body = requested(client, world, topic=f"Exchange {i}")
            ids = invited(client, world, body["id"], "barcelona", "bologna")
            if i % 2:
                accepted(client, world, body["id"], ids)

    add(3, 0)
    office, _ = signed_in(app, world.admin)
    office.get("/exchanges/board")
    with count_queries() as few:
        assert office.get("/exchanges/board").status_code == 200
    add(9, 3)
    with count_queries() as many:
        page = html_of(office.get("/exchanges/board"))
    assert page.count('class="card exchange-board-item') == 12
    assert many.count == few.count, many.statements[few.count:]


# ---------------------------------------------------------------- stories


def test_stories_are_readable_signed_out_without_anything_personal(app, client, session):
    world = make_world()
    body = reported(client, session, world)
    listing = client.get("/stories")
    page = html_of(listing)
    assert listing.status_code == 200
    assert "Drafting a plan against anti-Muslim racism" in page and "Berlin, Barcelona, Bologna" in page
    story = client.get(f"/stories/{body['story_slug']}")
    page = html_of(story)
    assert story.status_code == 200
    assert "<strong>drafted</strong>" in page and "Berlin, Barcelona, Bologna" in page
    assert "meet.example.org" not in page, "never the join link"
    assert "@example.org" not in page, "never an e-mail address"
    assert "Berlin Officer" not in page and "Berlin Coordinator" not in page, "no names of people"
    assert "How did you involve communities?" not in page, "the questions stay with the cities"
    assert "Map community organisations" not in page, "the follow-ups are the city's"


def test_unpublished_and_unknown_stories_are_404(app, client, session):
    world = make_world()
    body = reported(client, session, world, publish=False)
    assert body["story_slug"] is None
    assert "Drafting a plan" not in html_of(client.get("/stories"))
    assert "No story is published yet." in html_of(client.get("/stories"))
    assert client.get("/stories/drafting-a-plan-against-anti-muslim-racism-1").status_code == 404
    assert client.get("/stories/no-such-story").status_code == 404
    # A published story taken back by writing the report again without publishing.
    office = api_as(client, world.admin)
    published = office.post(f"/api/v1/exchanges/{body['id']}/report",
                            json={"report": "Shared.", "publish": True}).get_json()
    assert client.get(f"/stories/{published['story_slug']}").status_code == 200
    office.post(f"/api/v1/exchanges/{body['id']}/report", json={"report": "Shared.", "publish": False})
    assert client.get(f"/stories/{published['story_slug']}").status_code == 404


def test_stories_are_paged(app, client, session):
    world = make_world()
    from action_lms.exchanges.services.choices import STORIES_PER_PAGE

    for i in range(STORIES_PER_PAGE + 1):
        _, body = requested(client, world, topic=f"Story {i:02d}")
        row = session.get(Exchange, body["id"])
        row.status, row.report, row.report_html = "reported", "R", "<p>R</p>"
        row.story_slug, row.story_published_at = f"story-{i}", utcnow() - timedelta(days=i)
    session.commit()
    first = html_of(client.get("/stories"))
    assert "Story 00" in first and f"Story {STORIES_PER_PAGE:02d}" not in first
    assert "Next page" in first
    second = html_of(client.get("/stories?page=2"))
    assert f"Story {STORIES_PER_PAGE:02d}" in second and "Story 00" not in second
