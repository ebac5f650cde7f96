"""The peer-exchange pages: a city's exchanges, the request form, an exchange's page with the
answers, the people, and the office's matching, time, attendance and report forms. Every form
posts through its service; a refusal is shown in place with the service's sentence."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from action_lms.core.models import OutboxMessage
from action_lms.core.time import utcnow
from action_lms.exchanges.models import Exchange, Invitation, Participant

from ..factories import make_practice
from ..helpers import login_session
from .world import accepted, at, invited, make_world, next_weekday, requested, scheduled


def publish_practice(city, title, commitments=(1, 3), languages=("es", "en")):
    return make_practice(city=city, title=title, commitments=commitments, languages=languages, status="published")


def request_form(token, **extra) -> dict:
    data = {
        "csrf_token": token,
        "topic": "Drafting a plan against anti-Muslim racism",
        "objective": "Learn how two cities drafted and implemented their plans.",
        "questions-0": "How did you involve communities?",
        "questions-1": "Who owns the measures?",
        "questions-2": "",
        "questions-3": "",
        "questions-4": "",
        "commitments": ["1", "3"],
        "milestone_key": "stakeholder_consultation",
        "languages": ["de", "en"],
        "other_languages": "",
    }
    data.update(extra)
    return data


def signed_in(app, user):
    """A fresh browser session for `user`: (client, CSRF token)."""
    client = app.test_client()
    return client, login_session(client, user)


def box(page: str, name: str, value) -> str | None:
    """The <input> tag of a checkbox or radio named `name` with `value`, if on the page."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return tag
    return None


def html_of(response) -> str:
    return response.get_data(as_text=True)


def in_the_past(session, exchange_id: int) -> None:
    row = session.get(Exchange, exchange_id)
    row.starts_at, row.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
    session.commit()


# ---------------------------------------------------------------- who sees which page


def test_pages_need_a_sign_in(app, client):
    for path in ("/exchanges", "/exchanges/new", "/exchanges/board", "/exchanges/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_the_list_shows_requests_invitations_and_the_next_step(app, client, session):
    world = make_world()
    _, exchange = requested(client, world)
    client, _ = signed_in(app, world.coord["berlin"])
    page = html_of(client.get("/exchanges"))
    assert "Requests of Berlin" in page and "Drafting a plan against anti-Muslim racism" in page
    assert "Waiting for the office to invite host cities" in page
    assert "Ask for a peer exchange" in page
    assert "/exchanges/board" not in page, "the board is the office's"

    ids = invited(client, world, exchange["id"], "barcelona")
    client, _ = signed_in(app, world.coord["barcelona"])
    page = html_of(client.get("/exchanges"))
    assert "Invitations to Barcelona" in page and "Answer the invitation" in page
    accepted(client, world, exchange["id"], ids)
    assert "Name your participants" in html_of(client.get("/exchanges"))

    day = next_weekday(1)
    scheduled(client, world, exchange["id"], at(day, 10, tz="Europe/Berlin"))
    client, _ = signed_in(app, world.coord["berlin"])  # Berlin's coordinator sees the time in Berlin's zone
    page = html_of(client.get("/exchanges"))
    assert f"Scheduled for {day.strftime('%a %d %b %Y')}, 10:00 CE" in page

    # A learner sees only the exchanges they take part in, and no request button.
    client, _ = signed_in(app, world.learner["bologna"])
    page = html_of(client.get("/exchanges"))
    assert "Drafting a plan" not in page and "Ask for a peer exchange" not in page
    assert "Exchanges you take part in" in page

    client, _ = signed_in(app, world.admin)
    page = html_of(client.get("/exchanges"))
    assert "/exchanges/board" in page and "Ask for a peer exchange" in page


def test_an_exchange_is_404_for_cities_not_involved(app, client):
    world = make_world()
    _, exchange = requested(client, world)
    invited(client, world, exchange["id"], "barcelona")
    for user in (world.coord["lisbon"], world.learner["berlin"], world.coord["bologna"]):
        client, _ = signed_in(app, user)
        response = client.get(f"/exchanges/{exchange['id']}")
        assert response.status_code == 404, user.email
        assert "How did you involve communities?" not in html_of(response)
    client, _ = signed_in(app, world.coord["barcelona"])
    page = client.get(f"/exchanges/{exchange['id']}")
    assert page.status_code == 200 and "How did you involve communities?" in html_of(page)
    assert "Invite host cities" not in html_of(page), "matching is the office's"


# ---------------------------------------------------------------- the request form


def test_request_form_creates_the_request_and_prefills_from_a_practice(app, client, session):
    world = make_world()
    practice = publish_practice(world.barcelona, "Municipal Plan against Islamophobia")
    client, token = signed_in(app, world.coord["berlin"])
    form = client.get(f"/exchanges/new?practice_id={practice.id}&milestone_key=stakeholder_consultation")
    page = html_of(form)
    assert form.status_code == 200
    assert "Question 1" in page and "Question 5" in page
    assert "checked" in box(page, "practice_ids", practice.id)
    assert "checked" in box(page, "preferred_city_ids", world.barcelona.id), "the practice's city is suggested"
    assert "checked" in box(page, "commitments", 3), "the practice's commitments are ticked"
    assert re.search(r'<option[^>]*selected[^>]*value="stakeholder_consultation"|<option[^>]*value="stakeholder_consultation"[^>]*selected', page)
    assert box(page, "preferred_city_ids", world.berlin.id) is None, "Berlin cannot host its own exchange"
    assert box(page, "preferred_city_ids", world.lisbon.id) is not None
    done = client.post("/exchanges/new", data=request_form(
        token, practice_ids=[str(practice.id)], preferred_city_ids=[str(world.barcelona.id)], other_languages="ca, pt",
        earliest_date=(utcnow() + timedelta(days=10)).date().isoformat(),
        latest_date=(utcnow() + timedelta(days=40)).date().isoformat()))
    assert done.status_code == 302, html_of(done)
    exchange = session.scalars(select(Exchange)).one()
    assert done.headers["Location"].endswith(f"/exchanges/{exchange.id}")
    assert exchange.city_id == world.berlin.id and exchange.status == "requested"
    assert exchange.questions == ["How did you involve communities?", "Who owns the measures?"]
    assert exchange.languages == ["de", "en", "ca", "pt"]
    assert [p.id for p in exchange.practices] == [practice.id]
    assert [c.id for c in exchange.preferred_cities] == [world.barcelona.id]
    page = html_of(client.get(done.headers["Location"]))
    assert "Your request is sent" in page and "Who owns the measures?" in page


def test_request_without_a_question_is_refused_in_place(app, client, session):
    world = make_world()
    client, token = signed_in(app, world.coord["berlin"])
    response = client.post("/exchanges/new", data=request_form(token, **{"questions-0": "", "questions-1": "  "}))
    page = html_of(response)
    assert response.status_code == 422
    assert "Ask the host cities at least one question: they receive it ahead." in page
    assert 'href="#questions-0"' in page, "the error summary links to the first question"
    assert 'value="Drafting a plan against anti-Muslim racism"' in page, "what was typed stays"
    assert session.scalars(select(Exchange)).all() == []


def test_request_form_shape_and_service_errors(app, client, session):
    world = make_world()
    client, token = signed_in(app, world.coord["berlin"])
    no_topic = client.post("/exchanges/new", data=request_form(token, topic=""))
    assert no_topic.status_code == 422 and 'id="topic-error"' in html_of(no_topic)
    bad_language = client.post("/exchanges/new", data=request_form(token, languages=[], other_languages="german"))
    assert bad_language.status_code == 422
    assert "Use language codes such as de, en, es, it or fr." in html_of(bad_language)
    past = client.post("/exchanges/new", data=request_form(token, latest_date="2020-01-31"))
    assert past.status_code == 422 and 'id="latest_date-error"' in html_of(past)
    assert session.scalars(select(Exchange)).all() == []


def test_request_form_is_for_coordinators_and_the_office(app, client, session):
    world = make_world()
    client, _ = signed_in(app, world.learner["berlin"])
    assert client.get("/exchanges/new").status_code == 403
    client, token = signed_in(app, world.admin)
    page = html_of(client.get("/exchanges/new"))
    assert "City asking for the exchange" in page
    missing = client.post("/exchanges/new", data=request_form(token))
    assert missing.status_code == 422 and "Choose the city that asks for the exchange." in html_of(missing)
    done = client.post("/exchanges/new", data=request_form(token, city_id=str(world.lisbon.id)))
    assert done.status_code == 302
    assert session.scalars(select(Exchange)).one().city_id == world.lisbon.id


# ---------------------------------------------------------------- answers and people


def test_invited_city_accepts_or_declines_with_a_reason(app, client, session):
    world = make_world()
    _, exchange = requested(client, world)
    ids = invited(client, world, exchange["id"], "barcelona", "bologna")
    url = f"/exchanges/{exchange['id']}"
    client, token = signed_in(app, world.coord["bologna"])
    page = html_of(client.get(url))
    assert "Your city’s answer" in page and "Accept the invitation" in page
    empty = client.post(f"{url}/invitations/{ids['bologna']}/decline", data={"csrf_token": token, "decline_reason": ""})
    assert empty.status_code == 422 and 'id="decline_reason-error"' in html_of(empty)
    done = client.post(f"{url}/invitations/{ids['bologna']}/decline",
                       data={"csrf_token": token, "decline_reason": "Our team is at the council that week."},
                       follow_redirects=True)
    assert "The invitation is declined" in html_of(done)
    assert "Our team is at the council that week." in html_of(done)
    assert "Accept the invitation" not in html_of(done)
    again = client.post(f"{url}/invitations/{ids['bologna']}/accept", data={"csrf_token": token}, follow_redirects=True)
    assert "This invitation is already declined." in html_of(again)

    client, token = signed_in(app, world.coord["barcelona"])
    done = client.post(f"{url}/invitations/{ids['barcelona']}/accept", data={"csrf_token": token},
                       follow_redirects=True)
    assert "your city hosts this exchange" in html_of(done)
    session.expire_all()
    assert session.get(Invitation, ids["barcelona"]).status == "accepted"
    # Barcelona may now name its people: the coordinator adds a learner of Barcelona.
    page = html_of(client.get(url))
    assert "Add a participant" in page and "Barcelona Officer (Barcelona)" in page
    assert "Berlin Officer" not in page, "a coordinator names people of their own city"
    added = client.post(f"{url}/participants", data={"csrf_token": token, "user_id": world.learner["barcelona"].id},
                        follow_redirects=True)
    assert "The person is added" in html_of(added)
    assert "Barcelona Officer <span class=\"muted\">(Barcelona)</span>" in html_of(added)
    assert "officer-barcelona@example.org" not in html_of(added), "names, never e-mail addresses"


def test_join_and_leave_and_the_join_link_only_for_participants_and_the_office(app, client, session):
    world = make_world()
    _, exchange = requested(client, world)
    accepted(client, world, exchange["id"], invited(client, world, exchange["id"], "barcelona"))
    url = f"/exchanges/{exchange['id']}"
    client, token = signed_in(app, world.coord["berlin"])
    joined = client.post(f"{url}/join", data={"csrf_token": token}, follow_redirects=True)
    assert "You take part in this exchange" in html_of(joined)
    scheduled(client, world, exchange["id"], at(next_weekday(2), 11, tz="Europe/Berlin"))
    link = "https://meet.example.org/berlin"
    assert link in html_of(client.get(url))
    assert "Add to my calendar (.ics)" in html_of(client.get(url))
    ics = client.get(f"{url}/calendar.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar" and link in html_of(ics)

    client, _ = signed_in(app, world.coord["barcelona"])  # a coordinator who does not take part
    page = html_of(client.get(url))
    assert link not in page and "The link to join goes to the people taking part" in page
    assert client.get(f"{url}/calendar.ics").status_code == 403

    client, _ = signed_in(app, world.admin)
    assert link in html_of(client.get(url))

    client, token = signed_in(app, world.coord["berlin"])
    left = client.post(f"{url}/leave", data={"csrf_token": token}, follow_redirects=True)
    assert "You no longer take part" in html_of(left) and link not in html_of(left)


def test_the_requesting_city_withdraws(app, client, session):
    world = make_world()
    _, exchange = requested(client, world)
    url = f"/exchanges/{exchange['id']}"
    client, token = signed_in(app, world.coord["berlin"])
    assert "Withdraw the request" in html_of(client.get(url))
    done = client.post(f"{url}/withdraw", data={"csrf_token": token}, follow_redirects=True)
    assert "Your request is withdrawn" in html_of(done)
    assert "Withdraw the request" not in html_of(done)
    session.expire_all()
    assert session.get(Exchange, exchange["id"]).status == "withdrawn"
    client, token = signed_in(app, world.coord["barcelona"])
    assert client.post(f"{url}/withdraw", data={"csrf_token": token}).status_code in (403, 404)


# ---------------------------------------------------------------- the office


def test_office_sees_suggestions_with_reasons_and_invites(app, client, session):
    world = make_world()
    publish_practice(world.barcelona, "Municipal Plan against Islamophobia", commitments=(1, 3, 8))
    bologna_plan = publish_practice(world.bologna, "Plan for non-discriminatory administrative action",
                                    commitments=(3, 5, 6), languages=("it", "en"))
    _, exchange = requested(client, world)
    url = f"/exchanges/{exchange['id']}"
    client, token = signed_in(app, world.admin)
    page = html_of(client.get(url))
    assert "Invite host cities" in page
    assert "published practice on commitment 1" in page and "published practice on commitment 3" in page
    assert "Invite Barcelona" in page and "Invite Bologna" in page
    assert "Invite Berlin" not in page
    done = client.post(f"{url}/invitations", data={
        "csrf_token": token, "city_id": world.bologna.id, "practice_id": bologna_plan.id,
        "message": "Berlin would like to hear about your plan."}, follow_redirects=True)
    assert "Bologna is invited" in html_of(done)
    invitation = session.scalars(select(Invitation)).one()
    assert invitation.practice_id == bologna_plan.id and invitation.message.startswith("Berlin would like")
    # The same city twice: the 409 is shown where the office acted.
    twice = client.post(f"{url}/invitations", data={"csrf_token": token, "city_id": world.bologna.id})
    assert twice.status_code == 409 and "This city is already invited to this exchange." in html_of(twice)
    assert "Your change was not saved" in html_of(twice)
    own = client.post(f"{url}/invitations", data={"csrf_token": token, "city_id": world.berlin.id})
    assert own.status_code == 422 and "A city cannot host its own exchange" in html_of(own)
    withdrawn = client.post(f"{url}/invitations/{invitation.id}/withdraw", data={"csrf_token": token},
                            follow_redirects=True)
    assert "The invitation is withdrawn" in html_of(withdrawn)


def test_time_options_show_every_citys_clock_and_the_schedule_form(app, client, session):
    world = make_world()
    _, exchange = requested(client, world)
    accepted(client, world, exchange["id"], invited(client, world, exchange["id"], "barcelona", "lisbon"))
    url = f"/exchanges/{exchange['id']}"
    client, token = signed_in(app, world.admin)
    day = next_weekday(1)
    page = html_of(client.get(f"{url}?date={day.isoformat()}&duration=60"))
    assert 'type="radio" name="starts_option"' in page
    # 10:00 in Berlin is 09:00 in Lisbon: the first time that suits both.
    first = at(day, 10, tz="Europe/Berlin")
    assert f'value="{first.isoformat()}"' in page
    assert "Lisbon 09:00 WE" in page and "Berlin 10:00 CE" in page and "Barcelona 10:00 CE" in page
    assert f'value="{at(day, 9, tz="Europe/Berlin").isoformat()}"' not in page, "08:00 in Lisbon"
    bad_day = client.get(f"{url}?date=not-a-day")
    assert bad_day.status_code == 200 and 'id="date-error"' in html_of(bad_day)

    # A time outside Lisbon's working hours: 409 naming Lisbon, and the confirmation appears.
    early = at(day, 9, tz="Europe/Berlin").astimezone(__import__("zoneinfo").ZoneInfo("Europe/Vienna"))
    form = {"csrf_token": token, "starts_option": "", "starts_local": early.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "60", "join_url": "https://meet.example.org/berlin"}
    refused = client.post(f"{url}/schedule", data=form)
    page = html_of(refused)
    assert refused.status_code == 409
    assert "outside working hours" in page and "Lisbon (" in page
    assert "Outside working hours is fine for these cities" in page
    assert session.get(Exchange, exchange["id"]).status == "matching"
    confirmed = client.post(f"{url}/schedule", data={**form, "outside_hours_ok": "y"}, follow_redirects=True)
    assert "The session is set for" in html_of(confirmed)
    session.expire_all()
    row = session.get(Exchange, exchange["id"])
    assert row.status == "scheduled" and row.starts_at == at(day, 9, tz="Europe/Berlin")

    # Moving it to an offered time (radio button).
    moved = client.post(f"{url}/schedule", data={"csrf_token": token, "starts_option": first.isoformat(),
                                                 "duration_minutes": "60",
                                                 "join_url": "https://meet.example.org/berlin"},
                        follow_redirects=True)
    assert "The session is set for" in html_of(moved)
    session.expire_all()
    assert session.get(Exchange, exchange["id"]).starts_at == first
    no_time = client.post(f"{url}/schedule", data={"csrf_token": token, "duration_minutes": "60",
                                                   "join_url": "https://meet.example.org/berlin"})
    assert no_time.status_code == 422 and "Choose one of the times offered" in html_of(no_time)


def test_schedule_needs_an_accepted_host(app, client, session):
    world = make_world()
    _, exchange = requested(client, world)
    invited(client, world, exchange["id"], "barcelona")
    url = f"/exchanges/{exchange['id']}"
    client, token = signed_in(app, world.admin)
    page = html_of(client.get(url))
    assert "A time can be set once at least one invited city has accepted." in page
    refused = client.post(f"{url}/schedule", data={
        "csrf_token": token, "starts_local": at(next_weekday(1), 10).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "60", "join_url": "https://meet.example.org/x"})
    assert refused.status_code == 409 and "No host city has accepted yet" in html_of(refused)


def test_office_records_attendance_and_the_report_with_follow_ups(app, client, session):
    world = make_world()
    _, exchange = requested(client, world)
    accepted(client, world, exchange["id"], invited(client, world, exchange["id"], "barcelona"))
    url = f"/exchanges/{exchange['id']}"
    for user in (world.learner["berlin"], world.learner["barcelona"]):
        person, token = signed_in(app, user)
        assert person.post(f"{url}/join", data={"csrf_token": token}).status_code == 302
    scheduled(client, world, exchange["id"], at(next_weekday(1), 10, tz="Europe/Berlin"))
    client, token = signed_in(app, world.admin)
    assert "After the session, record here who attended" in html_of(client.get(url))
    in_the_past(session, exchange["id"])
    page = html_of(client.get(url))
    assert "Record attendance" in page and "Berlin Officer (Berlin)" in page
    held = client.post(f"{url}/attendance", data={"csrf_token": token, "attended": [str(world.learner["berlin"].id)]},
                       follow_redirects=True)
    assert "Attendance is recorded" in html_of(held)
    session.expire_all()
    rows = {p.user_id: p.attended for p in session.scalars(select(Participant))}
    assert rows == {world.learner["berlin"].id: True, world.learner["barcelona"].id: False}

    no_owner = client.post(f"{url}/report", data={
        "csrf_token": token, "report": "Barcelona shared its **plan**.",
        "follow_ups-0-text": "Map community organisations", "follow_ups-0-owner": "",
        "follow_ups-0-milestone_key": "stakeholder_consultation"})
    assert no_owner.status_code == 422 and 'id="follow_ups-0-owner-error"' in html_of(no_owner)
    empty = client.post(f"{url}/report", data={"csrf_token": token, "report": ""})
    assert empty.status_code == 422 and 'id="report-error"' in html_of(empty)
    done = client.post(f"{url}/report", data={
        "csrf_token": token, "report": "Barcelona shared its **plan**.",
        "follow_ups-0-text": "Map community organisations", "follow_ups-0-owner": "Equal treatment office",
        "follow_ups-0-due_date": "2027-06-30", "follow_ups-0-milestone_key": "stakeholder_consultation",
        "follow_ups-1-text": "", "follow_ups-1-owner": "", "publish": "y"}, follow_redirects=True)
    page = html_of(done)
    assert "published as a public story" in page and "<strong>plan</strong>" in page
    assert "Map community organisations" in page and "Stakeholder consultation" in page
    row = session.get(Exchange, exchange["id"])
    session.refresh(row)
    assert row.status == "reported" and row.story_slug and row.story_published_at
    assert [f.owner for f in row.follow_ups] == ["Equal treatment office"]
    # The requesting city sees the report and its follow-ups.
    client, _ = signed_in(app, world.coord["berlin"])
    page = html_of(client.get(url))
    assert "Report of the exchange" in page and "Map community organisations" in page
    assert "Save the report" not in page


def test_office_cancels_with_a_reason(app, client, session):
    world = make_world()
    _, exchange = requested(client, world)
    url = f"/exchanges/{exchange['id']}"
    client, token = signed_in(app, world.admin)
    empty = client.post(f"{url}/cancel", data={"csrf_token": token, "cancel_reason": ""})
    assert empty.status_code == 422 and 'id="cancel_reason-error"' in html_of(empty)
    done = client.post(f"{url}/cancel", data={"csrf_token": token, "cancel_reason": "No host city is free this term."},
                       follow_redirects=True)
    assert "The exchange is cancelled" in html_of(done) and "No host city is free this term." in html_of(done)
    session.expire_all()
    assert session.get(Exchange, exchange["id"]).status == "cancelled"


def test_office_forms_are_refused_to_cities(app, client, session):
    world = make_world()
    _, exchange = requested(client, world)
    url = f"/exchanges/{exchange['id']}"
    client, token = signed_in(app, world.coord["berlin"])
    assert client.post(f"{url}/invitations", data={"csrf_token": token, "city_id": world.bologna.id}).status_code == 403
    assert client.post(f"{url}/cancel", data={"csrf_token": token, "cancel_reason": "x"}).status_code == 403
    assert client.post(f"{url}/report", data={"csrf_token": token, "report": "x"}).status_code == 403
    assert session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "exchange_invited")).all() == []
    # A city that is not involved is not even told the exchange exists.
    ids = invited(client, world, exchange["id"], "barcelona")
    client, token = signed_in(app, world.coord["lisbon"])
    accept = client.post(f"{url}/invitations/{ids['barcelona']}/accept", data={"csrf_token": token})
    assert accept.status_code == 404
    assert client.post(f"{url}/withdraw", data={"csrf_token": token}).status_code == 404
    assert client.post(f"{url}/participants", data={"csrf_token": token, "user_id": "1"}).status_code == 404
    session.expire_all()
    assert session.get(Invitation, ids["barcelona"]).status == "pending"


def test_index_query_count_is_constant(app, client, session, count_queries):
    world = make_world()
    coordinator = world.coord["berlin"]

    def add(n):
        for i in range(n):
            _, body = requested(client, world, topic=f"Exchange {i}")
            accepted(client, world, body["id"], invited(client, world, body["id"], "barcelona", "bologna"))

    add(3)
    client, _ = signed_in(app, coordinator)
    client.get("/exchanges")
    with count_queries() as few:
        assert client.get("/exchanges").status_code == 200
    add(9)
    with count_queries() as many:
        page = html_of(client.get("/exchanges"))
    assert page.count('class="card exchange-card') == 12
    assert many.count == few.count, many.statements[few.count:]

