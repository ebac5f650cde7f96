"""The practices API: create, read, edit, the review workflow and its refusals, the
validations (one 422 naming each field), and the e-mails of the workflow."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from action_lms.core.models import OutboxMessage
from action_lms.practices.models import Practice

from ..factories import make_practice, make_user
from ..helpers import api_as, assert_envelope
from .conftest import valid_body

OUTPUT_FIELDS = {"id", "city", "title", "summary", "description_html", "commitments", "milestone_keys", "languages",
                 "links", "contact", "started_year", "featured_in", "status", "updated_at"}
OUR_FIELDS = {"description", "problem", "actions", "resources", "results", "transfer", "review_comment"}


def outbox(session, kind: str) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


# ---------------------------------------------------------------- create and read


def test_a_coordinator_creates_a_draft_for_their_city(client, world):
    api = api_as(client, world.bcn_coordinator)
    body = valid_body(milestone_keys=["stakeholder_consultation"], links=[{"title": "The plan", "url": "https://example.org/plan.pdf"}],
                      contact_id=world.bcn_learner.id, started_year=2016, featured_in="The Guidebook",
                      problem="Prejudice in services.", transfer="A mandate and trusted contacts.")
    response = api.post("/api/v1/practices", json=body)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert set(data) == OUTPUT_FIELDS | OUR_FIELDS
    assert data["status"] == "draft" and data["city"] == {"id": world.barcelona.id, "name": "Barcelona", "country": "ES"}
    assert data["commitments"] == [4, 8] and data["languages"] == ["es", "ca"]
    assert data["milestone_keys"] == ["stakeholder_consultation"]
    assert data["links"] == [{"title": "The plan", "url": "https://example.org/plan.pdf"}]
    assert data["contact"] == {"id": world.bcn_learner.id, "name": world.bcn_learner.name}
    assert data["started_year"] == 2016 and data["featured_in"] == "The Guidebook"
    assert data["updated_at"].endswith("Z")
    # Markdown rendered, raw HTML sanitised away (as for lessons).
    assert "<em>trained</em>" in data["description_html"] and "<script" not in data["description_html"]
    assert api.get(f"/api/v1/practices/{data['id']}").get_json()["title"] == body["title"]


def test_the_office_creates_for_the_city_it_names_and_must_name_one(client, world):
    api = api_as(client, world.admin)
    missing = assert_envelope(api.post("/api/v1/practices", json=valid_body()), 422)
    assert "city_id" in missing["errors"]
    unknown = assert_envelope(api.post("/api/v1/practices", json=valid_body(city_id=99999)), 422)
    assert "city_id" in unknown["errors"]
    made = api.post("/api/v1/practices", json=valid_body(city_id=world.bologna.id))
    assert made.status_code == 201 and made.get_json()["city"]["name"] == "Bologna"


def test_a_coordinator_cannot_create_for_another_city(client, world):
    response = api_as(client, world.bcn_coordinator).post("/api/v1/practices", json=valid_body(city_id=world.bologna.id))
    assert_envelope(response, 403)


@pytest.mark.parametrize("role", ["learner", "consultant"])
def test_learners_and_consultants_cannot_create(client, world, role):
    user = world.bcn_learner if role == "learner" else world.consultant
    assert_envelope(api_as(client, user).post("/api/v1/practices", json=valid_body()), 403)


def test_anonymous_gets_401_everywhere(client, world):
    anon = api_as(client)
    assert_envelope(anon.get("/api/v1/practices"), 401)
    assert_envelope(anon.get(f"/api/v1/practices/{world.published.id}"), 401)
    assert_envelope(anon.post("/api/v1/practices", json=valid_body()), 401)


def test_published_practices_are_visible_to_every_signed_in_member(client, world):
    for user in (world.bologna_learner, world.consultant, world.bologna_coordinator, make_user("learner")):
        response = api_as(client, user).get(f"/api/v1/practices/{world.published.id}")
        assert response.status_code == 200, user


def test_another_citys_draft_is_a_404_and_absent_from_the_list(client, world):
    bologna = api_as(client, world.bologna_coordinator)
    for practice in (world.draft, world.submitted, world.archived):
        body = assert_envelope(bologna.get(f"/api/v1/practices/{practice.id}"), 404)
        assert practice.title not in json.dumps(body)
    titles = {p["title"] for p in bologna.get("/api/v1/practices?page_size=100").get_json()}
    assert titles == {world.published.title, world.bologna_published.title}
    # Even learners of the owning city only see what is published.
    assert_envelope(api_as(client, world.bcn_learner).get(f"/api/v1/practices/{world.draft.id}"), 404)


def test_the_owning_city_and_the_office_see_every_status(client, world):
    own = {p["title"] for p in api_as(client, world.bcn_coordinator).get("/api/v1/practices?page_size=100").get_json()}
    assert own == {world.published.title, world.bologna_published.title, world.draft.title, world.submitted.title,
                   world.archived.title}
    office = api_as(client, world.admin).get("/api/v1/practices?status=submitted").get_json()
    assert [p["title"] for p in office] == [world.submitted.title]
    assert api_as(client, world.bologna_coordinator).get("/api/v1/practices?status=draft").get_json() == []


def test_unknown_and_huge_ids_are_404(client, world):
    api = api_as(client, world.admin)
    assert_envelope(api.get("/api/v1/practices/999999"), 404)
    assert_envelope(api.get("/api/v1/practices/" + "9" * 25), 404)
    assert_envelope(api.post("/api/v1/practices/" + "9" * 25 + "/publish"), 404)


# ---------------------------------------------------------------- editing


def test_the_city_edits_its_draft_and_submitted_practices(client, world, session):
    api = api_as(client, world.bcn_coordinator)
    response = api.patch(f"/api/v1/practices/{world.draft.id}", json={"title": "Fair access to housing", "languages": ["es"],
                                                                    "milestone_keys": ["implementation"]})
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["title"] == "Fair access to housing" and data["languages"] == ["es"]
    assert data["milestone_keys"] == ["implementation"] and data["commitments"] == [7]  # untouched
    assert api.patch(f"/api/v1/practices/{world.submitted.id}", json={"summary": "Better summary."}).status_code == 200
    session.expire_all()
    assert session.get(Practice, world.submitted.id).status == "submitted"  # editing keeps it in the queue


def test_the_city_cannot_edit_once_published_but_the_office_can(client, world):
    refused = assert_envelope(api_as(client, world.bcn_coordinator).patch(
        f"/api/v1/practices/{world.published.id}", json={"title": "Changed"}), 409)
    assert "office" in refused["message"]
    assert_envelope(api_as(client, world.bcn_coordinator).patch(
        f"/api/v1/practices/{world.archived.id}", json={"title": "Changed"}), 409)
    done = api_as(client, world.admin).patch(f"/api/v1/practices/{world.published.id}", json={"title": "Corrected title"})
    assert done.status_code == 200 and done.get_json()["title"] == "Corrected title"


def test_other_cities_and_roles_cannot_edit(client, world):
    assert_envelope(api_as(client, world.bologna_coordinator).patch(
        f"/api/v1/practices/{world.published.id}", json={"title": "x"}), 403)
    assert_envelope(api_as(client, world.bologna_coordinator).patch(
        f"/api/v1/practices/{world.draft.id}", json={"title": "x"}), 404)
    assert_envelope(api_as(client, world.bcn_learner).patch(
        f"/api/v1/practices/{world.draft.id}", json={"title": "x"}), 403)


def test_editing_the_search_text_follows(client, world):
    api = api_as(client, world.bcn_coordinator)
    api.patch(f"/api/v1/practices/{world.draft.id}", json={"description": "Kooperation mit Wohnungsgenossenschaften"})
    found = api.get("/api/v1/practices?q=wohnungsgenossenschaft").get_json()
    assert [p["id"] for p in found] == [world.draft.id]


# ---------------------------------------------------------------- the workflow


def test_submit_publish_the_whole_way_with_emails(client, world, session):
    api = api_as(client, world.bcn_coordinator)
    second_admin = make_user("admin")
    make_user("admin", active=False)  # not told
    created = api.post("/api/v1/practices", json=valid_body()).get_json()
    submitted = api.post(f"/api/v1/practices/{created['id']}/submit")
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "submitted"
    to_office = outbox(session, "practice_submitted")
    assert {m.user_id for m in to_office} == {world.admin.id, second_admin.id}
    assert created["title"] in to_office[0].subject and "Barcelona" in to_office[0].subject
    assert f"/practices/{created['id']}" in to_office[0].body_text
    # Nobody outside Barcelona sees it yet.
    assert_envelope(api_as(client, world.bologna_learner).get(f"/api/v1/practices/{created['id']}"), 404)
    published = api_as(client, world.admin).post(f"/api/v1/practices/{created['id']}/publish")
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    to_city = outbox(session, "practice_published")
    assert [m.user_id for m in to_city] == [world.bcn_coordinator.id]  # the city's coordinators only
    assert api_as(client, world.bologna_learner).get(f"/api/v1/practices/{created['id']}").status_code == 200
    archived = api_as(client, world.admin).post(f"/api/v1/practices/{created['id']}/archive")
    assert archived.status_code == 200 and archived.get_json()["status"] == "archived"
    assert_envelope(api_as(client, world.bologna_learner).get(f"/api/v1/practices/{created['id']}"), 404)


def test_send_back_returns_a_draft_with_the_comment_and_tells_the_city(client, world, session):
    office = api_as(client, world.admin)
    empty = assert_envelope(office.post(f"/api/v1/practices/{world.submitted.id}/send-back", json={"comment": "  "}), 422)
    assert "comment" in empty["errors"]
    response = office.post(f"/api/v1/practices/{world.submitted.id}/send-back",
                           json={"comment": "Please add the results you measured."})
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "draft" and data["review_comment"] == "Please add the results you measured."
    told = outbox(session, "practice_sent_back")
    assert [m.user_id for m in told] == [world.bcn_coordinator.id]
    assert "Please add the results you measured." in told[0].body_text
    # The city submits again: a new message to the office (not swallowed by the dedupe key).
    city = api_as(client, world.bcn_coordinator)
    assert city.post(f"/api/v1/practices/{world.submitted.id}/submit").status_code == 200
    assert len(outbox(session, "practice_submitted")) == 1
    office.post(f"/api/v1/practices/{world.submitted.id}/send-back", json={"comment": "One more thing."})
    assert city.post(f"/api/v1/practices/{world.submitted.id}/submit").status_code == 200
    assert len(outbox(session, "practice_submitted")) == 2
    # Publishing clears the comment: it was between the office and the city.
    assert office.post(f"/api/v1/practices/{world.submitted.id}/publish").get_json()["review_comment"] is None


@pytest.mark.parametrize("action,practice,actor,fragment", [
    ("publish", "draft", "admin", "draft"),
    ("publish", "published", "admin", "already published"),
    ("submit", "submitted", "coordinator", "submitted"),
    ("submit", "published", "coordinator", "published"),
    ("send-back", "draft", "admin", "draft"),
    ("send-back", "published", "admin", "published"),
    ("archive", "archived", "admin", "already archived"),
])
def test_wrong_transitions_are_409_with_a_sentence(client, world, session, action, practice, actor, fragment):
    target = getattr(world, practice)
    user = world.admin if actor == "admin" else world.bcn_coordinator
    body = {"comment": "Why"} if action == "send-back" else None
    response = assert_envelope(api_as(client, user).post(f"/api/v1/practices/{target.id}/{action}", json=body), 409)
    assert fragment in response["message"] and response["message"].endswith(".")
    session.expire_all()
    assert session.get(Practice, target.id).status == practice  # nothing changed


def test_archived_practices_can_be_published_again(client, world):
    response = api_as(client, world.admin).post(f"/api/v1/practices/{world.archived.id}/publish")
    assert response.status_code == 200 and response.get_json()["status"] == "published"


def test_only_the_office_reviews(client, world):
    for user in (world.bcn_coordinator, world.bcn_learner, world.consultant):
        api = api_as(client, user)
        assert_envelope(api.post(f"/api/v1/practices/{world.submitted.id}/publish"), 403)
        assert_envelope(api.post(f"/api/v1/practices/{world.submitted.id}/send-back", json={"comment": "x"}), 403)
        assert_envelope(api.post(f"/api/v1/practices/{world.published.id}/archive"), 403)


def test_another_city_cannot_submit(client, world):
    assert_envelope(api_as(client, world.bologna_coordinator).post(f"/api/v1/practices/{world.draft.id}/submit"), 404)
    assert_envelope(api_as(client, world.bcn_learner).post(f"/api/v1/practices/{world.draft.id}/submit"), 403)


# ---------------------------------------------------------------- validations


@pytest.mark.parametrize("overrides,field", [
    ({"title": ""}, "title"),
    ({"title": "a\nb"}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"summary": ""}, "summary"),
    ({"summary": "x" * (Practice.MAX_SUMMARY + 1)}, "summary"),
    ({"description": "   "}, "description"),
    ({"description": "bad \x00 byte"}, "description"),
    ({"problem": "x" * (Practice.MAX_TEXT + 1)}, "problem"),
    ({"commitments": []}, "commitments"),
    ({"commitments": [0]}, "commitments"),
    ({"commitments": [11]}, "commitments"),
    ({"milestone_keys": ["no_such_milestone"]}, "milestone_keys"),
    ({"languages": []}, "languages"),
    ({"languages": ["Spanish"]}, "languages"),
    ({"languages": ["e"]}, "languages"),
    ({"languages": ["es-ES"]}, "languages"),
    ({"languages": [f"{a}{b}" for a in "abcd" for b in "abcd"][: Practice.MAX_LANGUAGES + 1]}, "languages"),
    ({"links": [{"title": "Plan", "url": "javascript:alert(1)"}]}, "links.0.url"),
    ({"links": [{"title": "Plan", "url": "ftp://example.org/x"}]}, "links.0.url"),
    ({"links": [{"title": "", "url": "https://example.org"}]}, "links.0.title"),
    ({"links": [{"title": "ok", "url": "https://example.org"}, {"title": "two\nlines", "url": "https://example.org"}]},
     "links.1.title"),
    ({"links": [{"title": "t", "url": "https://example.org"}] * (Practice.MAX_LINKS + 1)}, "links"),
    ({"started_year": 1949}, "started_year"),
    ({"started_year": 2101}, "started_year"),
    ({"featured_in": "x" * 301}, "featured_in"),
    ({"contact_id": 10 ** 20}, "contact_id"),
])
def test_each_invalid_field_is_a_422_naming_it(client, world, overrides, field):
    body = assert_envelope(api_as(client, world.bcn_coordinator).post("/api/v1/practices", json=valid_body(**overrides)), 422)
    assert field in body["errors"], body
    assert field in body["message"]


def test_every_wrong_field_is_named_at_once(client, world):
    body = assert_envelope(api_as(client, world.bcn_coordinator).post(
        "/api/v1/practices", json=valid_body(title="", commitments=[], languages=["xx-yy"])), 422)
    assert {"title", "commitments", "languages"} <= set(body["errors"])


def test_the_contact_must_be_an_active_member_of_the_city(client, world):
    api = api_as(client, world.bcn_coordinator)
    for contact in (world.bologna_coordinator, make_user("learner"), make_user("learner", city=world.barcelona, active=False)):
        body = assert_envelope(api.post("/api/v1/practices", json=valid_body(contact_id=contact.id)), 422)
        assert "contact_id" in body["errors"]
    # The office editing Bologna's practice may only name a Bologna member either.
    office = api_as(client, world.admin)
    assert_envelope(office.patch(f"/api/v1/practices/{world.bologna_published.id}",
                                 json={"contact_id": world.bcn_learner.id}), 422)
    ok = office.patch(f"/api/v1/practices/{world.bologna_published.id}", json={"contact_id": world.bologna_learner.id})
    assert ok.status_code == 200 and ok.get_json()["contact"]["id"] == world.bologna_learner.id
    cleared = office.patch(f"/api/v1/practices/{world.bologna_published.id}", json={"contact_id": None})
    assert cleared.get_json()["contact"] is None


def test_languages_are_lower_cased_and_deduplicated_in_order(client, world):
    data = api_as(client, world.bcn_coordinator).post(
        "/api/v1/practices", json=valid_body(languages=["CA", "es", "ca", " en "])).get_json()
    assert data["languages"] == ["ca", "es", "en"]


def test_unknown_fields_and_wrong_shapes_are_422(client, world):
    api = api_as(client, world.bcn_coordinator)
    assert_envelope(api.post("/api/v1/practices", json=valid_body(status="published")), 422)
    assert_envelope(api.patch(f"/api/v1/practices/{world.draft.id}", json={"city_id": world.bologna.id}), 422)
    assert_envelope(api.post("/api/v1/practices", json=valid_body(commitments="3")), 422)
    assert_envelope(api.post("/api/v1/practices", json=valid_body(commitments=[True])), 422)


@pytest.mark.parametrize("query,field", [
    ("commitment=11", "commitment"), ("milestone=nope", "milestone"), ("country=Spain", "country"),
    ("language=Spanish", "language"), ("status=lost", "status"), ("q=" + "x" * 201, "q"), ("q=a%0Ab", "q"),
    ("city_id=" + "9" * 20, "city_id"),
])
def test_filters_are_checked(client, world, query, field):
    body = assert_envelope(api_as(client, world.bcn_learner).get(f"/api/v1/practices?{query}"), 422)
    assert field in body["errors"]


def test_pagination_header(client, world):
    for i in range(3):
        make_practice(world.graz, f"Graz practice {i}")
    response = api_as(client, world.bcn_learner).get("/api/v1/practices?page_size=2")
    assert response.status_code == 200 and len(response.get_json()) == 2
    assert json.loads(response.headers["X-Pagination"])["total"] == 5
