"""The practices pages through the browser's eyes (the Flask test client, signed in with the
form): the library with its search, filters and cards; a practice's page with and without
"Ask for an exchange about this"; the form re-rendering its errors in place; the city's own
list; the office's review queue and its actions."""
from __future__ import annotations

import re

from sqlalchemy import select

from action_lms.core.models import OutboxMessage
from action_lms.practices.models import Practice

from ..factories import make_practice, make_user
from ..helpers import csrf_from, login_session

ASK = "Ask for an exchange about this"


def page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code, response.get_data(as_text=True)[:500])
    return response.get_data(as_text=True)


def cards(html: str) -> list[str]:
    return re.findall(r'<li class="card practice-card">.*?<h2><a href="[^"]+">([^<]+)</a></h2>', html, re.S)


# ---------------------------------------------------------------- the library


def test_library_shows_published_cards_with_city_commitments_and_languages(client, world):
    login_session(client, world.bcn_coordinator)
    html = page(client, "/practices")
    found = cards(html)
    assert set(found) == {world.published.title, world.bologna_published.title}  # not the city's own drafts
    assert "Barcelona · Spain" in html and "Bologna · Italy" in html
    assert "Better support for victims of racism and discrimination" in html  # commitment 3, by its title
    assert "Spanish, Catalan, English" in html and "Italian, English" in html
    assert 'href="/practices/mine"' in html and 'href="/practices/new"' in html
    assert "Review queue" not in html  # for the office only
    assert "2 practices." in html


def test_library_filters_narrow_the_list(client, world):
    login_session(client, world.bcn_learner)
    assert cards(page(client, "/practices?commitment=5")) == [world.bologna_published.title]
    assert cards(page(client, "/practices?country=ES")) == [world.published.title]
    assert cards(page(client, "/practices?language=ca")) == [world.published.title]
    assert cards(page(client, "/practices?milestone=stakeholder_consultation")) == [world.published.title]
    html = page(client, "/practices?language=sv")
    assert cards(html) == [] and "No published practice matches." in html
    # The filters only offer what published practices have.
    full = page(client, "/practices")
    assert '<option value="IT"' in full and '<option value="AT"' not in full
    assert '<option value="ca"' in full


def test_a_bad_filter_is_said_on_the_page(client, world):
    login_session(client, world.bcn_learner)
    html = page(client, "/practices?q=" + "x" * 201, status=422)
    assert 'role="alert"' in html and "q" in html


def test_the_library_pages_through_many_practices(client, world):
    for i in range(14):
        make_practice(world.graz, f"Graz practice {i:02d}")
    login_session(client, world.bcn_learner)
    first = page(client, "/practices?commitment=1")
    assert len(cards(first)) == 12 and "Page 1 of 2" in first
    assert 'href="/practices?page=2&amp;commitment=1"' in first
    assert len(cards(page(client, "/practices?commitment=1&page=2"))) == 3


def test_learners_are_not_offered_to_describe_or_review(client, world):
    login_session(client, world.bcn_learner)
    html = page(client, "/practices")
    assert 'href="/practices/new"' not in html and 'href="/practices/mine"' not in html
    assert ">Good practices<" in html  # the navigation item
    assert "Review practices" not in html


def test_the_office_sees_the_review_queue_link(client, world):
    login_session(client, world.admin)
    html = page(client, "/practices")
    assert "Review queue (1)" in html and ">Review practices<" in html


# ---------------------------------------------------------------- a practice's page


def test_another_citys_coordinator_sees_every_field_and_the_exchange_button(client, world, session):
    world.published.problem = "Prejudice in services."
    world.published.transfer = "A mandate and trusted contacts."
    world.published.contact_id = world.bcn_learner.id
    world.published.started_year = 2016
    world.published.links = [{"title": "The plan (PDF)", "url": "https://example.org/plan.pdf"}]
    session.commit()
    login_session(client, world.bologna_coordinator)
    html = page(client, f"/practices/{world.published.id}")
    for text in ("Municipal Plan against Islamophobia", "A city-wide plan against anti-Muslim racism.",
                 "Prejudice in services.", "A mandate and trusted contacts.", world.bcn_learner.name, "2016",
                 "Guidebook on Local Actions against Anti-Muslim Racism", "The plan (PDF)", "Stakeholder consultation",
                 "Greater vigilance against racism", "Spanish, Catalan, English"):
        assert text in html, text
    assert ASK in html
    assert f'href="/exchanges/new?practice_id={world.published.id}"' in html
    assert "Submit for review" not in html and f"/practices/{world.published.id}/edit" not in html


def test_no_exchange_button_on_the_citys_own_practice_nor_for_learners(client, world):
    login_session(client, world.bcn_coordinator)
    assert ASK not in page(client, f"/practices/{world.published.id}")
    client.post("/logout", data={"csrf_token": csrf_from(page(client, "/practices"))})
    login_session(client, world.bologna_learner)
    assert ASK not in page(client, f"/practices/{world.published.id}")


def test_no_exchange_button_on_what_is_not_published(client, world):
    login_session(client, world.admin)
    assert ASK in page(client, f"/practices/{world.published.id}")
    assert ASK not in page(client, f"/practices/{world.submitted.id}")


def test_a_draft_page_offers_the_city_submit_and_edit(client, world, session):
    token = login_session(client, world.bcn_coordinator)
    html = page(client, f"/practices/{world.draft.id}")
    assert "Submit for review" in html and f"/practices/{world.draft.id}/edit" in html
    assert "only your city's coordinators and the ACTION office see it" in html
    done = client.post(f"/practices/{world.draft.id}/submit", data={"csrf_token": token}, follow_redirects=True)
    assert done.status_code == 200 and "Submitted." in done.get_data(as_text=True)
    session.expire_all()
    assert session.get(Practice, world.draft.id).status == "submitted"
    again = client.post(f"/practices/{world.draft.id}/submit", data={"csrf_token": token}, follow_redirects=True)
    assert "Only a draft can be submitted." in again.get_data(as_text=True)  # the 409's sentence, as a message


def test_another_citys_draft_page_is_a_404(client, world):
    login_session(client, world.bologna_coordinator)
    html = page(client, f"/practices/{world.draft.id}", status=404)
    assert world.draft.title not in html


# ---------------------------------------------------------------- the form


def form_data(token, **overrides):
    data = {"csrf_token": token, "title": "Anti-rumour agents", "summary": "Volunteers answer prejudice.",
            "description": "They are *trained*.", "commitments": ["4", "8"], "milestone_keys": ["implementation"],
            "languages": "es, ca", "links-0-title": "", "links-0-url": "", "links-1-title": "", "links-1-url": "",
            "contact_id": "", "started_year": "", "featured_in": ""}
    data.update(overrides)
    return data


def test_the_new_form_rerenders_with_every_error_in_place(client, world, session):
    token = login_session(client, world.bcn_coordinator)
    html = page(client, "/practices/new")
    assert "<legend>Commitments of the Ten-Point Plan</legend>" in html and 'for="languages"' in html
    response = client.post("/practices/new", data=form_data(
        token, title="", commitments=[], languages="Spanish", **{"links-1-title": "Plan", "links-1-url": "ftp://x"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="title-error"' in html and 'id="commitments-error"' in html and 'id="languages-error"' in html
    assert 'id="links-1-url-error"' in html  # the second row, where it was typed
    assert "Please correct these before saving" in html and 'href="#title"' in html and 'href="#commitments-0"' in html
    assert 'value="Volunteers answer prejudice."' in html or "Volunteers answer prejudice." in html  # kept
    assert session.scalar(select(Practice).where(Practice.title == "Anti-rumour agents")) is None


def test_the_new_form_saves_a_draft(client, world, session):
    token = login_session(client, world.bcn_coordinator)
    response = client.post("/practices/new", data=form_data(
        token, contact_id=str(world.bcn_learner.id), started_year="2019",
        **{"links-0-title": "Leaflet", "links-0-url": "https://example.org/leaflet"}))
    assert response.status_code == 302
    practice = session.scalar(select(Practice).where(Practice.title == "Anti-rumour agents"))
    assert practice.status == "draft" and practice.city_id == world.barcelona.id
    assert practice.commitments == [4, 8] and practice.languages == ["es", "ca"]
    assert practice.links == [{"title": "Leaflet", "url": "https://example.org/leaflet"}]
    assert practice.contact_id == world.bcn_learner.id and practice.started_year == 2019
    assert practice.created_by_id == world.bcn_coordinator.id
    assert response.headers["Location"].endswith(f"/practices/{practice.id}")


def test_the_office_chooses_the_city_on_the_form(client, world, session):
    token = login_session(client, world.admin)
    assert 'id="city_id"' in page(client, "/practices/new")
    missing = client.post("/practices/new", data=form_data(token))
    assert missing.status_code == 422 and 'id="city_id-error"' in missing.get_data(as_text=True)
    done = client.post("/practices/new", data=form_data(token, city_id=str(world.graz.id)))
    assert done.status_code == 302
    assert session.scalar(select(Practice).where(Practice.title == "Anti-rumour agents")).city_id == world.graz.id


def test_the_edit_form_is_filled_in_and_rerenders_with_errors(client, world, session):
    world.draft.links = [{"title": "Old link", "url": "https://example.org/old"}]
    session.commit()
    token = login_session(client, world.bcn_coordinator)
    html = page(client, f"/practices/{world.draft.id}/edit")
    assert world.draft.title in html and 'value="Old link"' in html and 'id="links-2-title"' in html  # two spare rows
    bad = client.post(f"/practices/{world.draft.id}/edit", data=form_data(token, summary="", started_year="1800"))
    assert bad.status_code == 422
    assert 'id="summary-error"' in bad.get_data(as_text=True) and 'id="started_year-error"' in bad.get_data(as_text=True)
    good = client.post(f"/practices/{world.draft.id}/edit", data=form_data(token, title="Housing without discrimination"))
    assert good.status_code == 302
    session.expire_all()
    assert session.get(Practice, world.draft.id).title == "Housing without discrimination"


def test_the_city_cannot_open_the_form_of_a_published_practice(client, world):
    login_session(client, world.bcn_coordinator)
    html = page(client, f"/practices/{world.published.id}/edit", status=409)
    assert "only the ACTION office changes it now" in html


# ---------------------------------------------------------------- the city's list


def test_my_citys_practices_show_every_status_and_the_next_step(client, world, session):
    world.draft.review_comment = "Add the results."
    session.commit()
    login_session(client, world.bcn_coordinator)
    html = page(client, "/practices/mine")
    for p in (world.published, world.draft, world.submitted, world.archived):
        assert p.title in html
    assert world.bologna_published.title not in html
    assert "The office sent it back with a comment" in html
    assert "Waiting for the ACTION office to review it" in html
    assert html.count('value="mine"') == 1  # a submit button for the one draft


# ---------------------------------------------------------------- the office's queue


def test_the_review_queue_lists_submitted_practices_oldest_first(client, world):
    from datetime import timedelta

    from action_lms.core.time import utcnow
    newer = make_practice(world.bologna, "Bologna newcomer", status="submitted", submitted_at=utcnow() + timedelta(hours=1))
    older = make_practice(world.graz, "Graz waiting long", status="submitted", submitted_at=utcnow() - timedelta(days=3))
    login_session(client, world.admin)
    html = page(client, "/practices/review")
    assert html.index(older.title) < html.index(world.submitted.title) < html.index(newer.title)
    assert world.draft.title not in html and world.published.title not in html


def test_the_queue_publishes_sends_back_and_archives(client, world, session):
    other = make_practice(world.graz, "Graz to archive", status="submitted")
    third = make_practice(world.bologna, "Bologna to publish", status="submitted")
    token = login_session(client, world.admin)
    prefix = f"p{world.submitted.id}"
    empty = client.post(f"/practices/{world.submitted.id}/send-back",
                        data={f"{prefix}-csrf_token": token, f"{prefix}-comment": "", "back": "review"})
    assert empty.status_code == 422
    html = empty.get_data(as_text=True)
    assert f'id="{prefix}-comment-error"' in html and "This field is required." in html and "<details" in html
    sent = client.post(f"/practices/{world.submitted.id}/send-back",
                       data={f"{prefix}-csrf_token": token, f"{prefix}-comment": "Say what changed.", "back": "review"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/practices/review")
    done = client.post(f"/practices/{third.id}/publish", data={"csrf_token": token, "back": "review"}, follow_redirects=True)
    assert "Published" in done.get_data(as_text=True)
    client.post(f"/practices/{other.id}/archive", data={"csrf_token": token, "back": "review"})
    session.expire_all()
    assert session.get(Practice, world.submitted.id).status == "draft"
    assert session.get(Practice, world.submitted.id).review_comment == "Say what changed."
    assert session.get(Practice, third.id).status == "published"
    assert session.get(Practice, other.id).status == "archived"
    kinds = {m.kind for m in session.scalars(select(OutboxMessage))}
    assert {"practice_sent_back", "practice_published"} <= kinds
    assert "Nothing is waiting for review." in page(client, "/practices/review")


def test_the_detail_page_has_the_review_panel_for_the_office(client, world, session):
    token = login_session(client, world.admin)
    html = page(client, f"/practices/{world.submitted.id}")
    assert "Review (ACTION office)" in html and "Send back to the city" in html
    prefix = f"p{world.submitted.id}"
    bad = client.post(f"/practices/{world.submitted.id}/send-back", data={f"{prefix}-csrf_token": token, f"{prefix}-comment": ""})
    assert bad.status_code == 422 and f'id="{prefix}-comment-error"' in bad.get_data(as_text=True)
    assert "Review (ACTION office)" in bad.get_data(as_text=True)  # the practice's page again
    published = page(client, f"/practices/{world.published.id}")
    assert "Outdated? Archiving takes it out of the library" in published
    client.post(f"/practices/{world.published.id}/archive", data={"csrf_token": token})
    session.expire_all()
    assert session.get(Practice, world.published.id).status == "archived"


def test_a_coordinator_cannot_use_the_review_buttons(client, world):
    token = login_session(client, world.bcn_coordinator)
    assert client.post(f"/practices/{world.submitted.id}/publish", data={"csrf_token": token}).status_code == 403
    assert "Review (ACTION office)" not in page(client, f"/practices/{world.submitted.id}")


def test_new_user_of_no_city_reads_the_library(client, world):
    user = make_user("learner")
    login_session(client, user)
    assert set(cards(page(client, "/practices"))) == {world.published.title, world.bologna_published.title}
