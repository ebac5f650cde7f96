"""The plan page's layout: a compact timeline of the nine milestones linking to each one's
details; recommended learning once, with the viewer's state and never a link that answers
403; a failed update summarised first in the page with the form kept open; the success
message after saving; the history in words, on the history page and under each milestone."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from action_lms.plans.template import MILESTONE_KEYS

from ..factories import make_booking, make_city, make_plan, make_practice, make_user, make_webinar
from ..helpers import login_session

COURSES = Path(__file__).resolve().parents[2] / "courses"
MAIN_COURSE = "drafting-local-action-plans"
OTHER_COURSE = "tackling-anti-muslim-racism-locally"


@pytest.fixture
def graz(session):
    return make_city("Graz", "AT", "Europe/Vienna")


@pytest.fixture
def coordinator(graz):
    return make_user("coordinator", city=graz, name="Grete Graz", timezone="Europe/Vienna")


def timeline_html(html: str) -> str:
    match = re.search(r'<ol class="plan-timeline".*?</ol>', html, re.S)
    assert match, "no timeline"
    return match.group(0)


def milestone_html(html: str, key: str) -> str:
    match = re.search(rf'<li class="plan-step[^"]*" id="milestone-{key}">.*?</details>\s*</li>', html, re.S)
    assert match, key
    return match.group(0)


def learn_next_html(html: str) -> str:
    match = re.search(r'aria-labelledby="learn-heading">.*?</section>', html, re.S)
    assert match, "no learn-next panel"
    return match.group(0)


def open_milestones(html: str) -> list[str]:
    return re.findall(r'id="milestone-([a-z_]+)">\s*<details class="plan-milestone" open>', html)


def base_form(key: str, csrf: str, **values) -> dict:
    data = {"csrf_token": csrf}
    for name in ("status", "due_date", "evidence_url", "note", "owner", "blocked_reason"):
        data[f"{key}-{name}"] = values.get(name, "")
    data[f"{key}-status"] = values.get("status", "not_started")
    return data


# ---------------------------------------------------------------- the timeline


def test_the_timeline_lists_the_nine_milestones_each_linking_to_its_details(client, graz, coordinator):
    plan = make_plan(graz, statuses={"political_mandate": "completed"}, due={"coordination_team": date(2020, 1, 1)})
    login_session(client, coordinator)
    html = client.get("/my-city").get_data(as_text=True)
    timeline = timeline_html(html)
    assert timeline.count("<li ") == 9
    links = re.findall(r'<a class="plan-tl-title" href="([^"]+)"', timeline)
    assert links == [f"/my-city?milestone={key}#milestone-{key}" for key in MILESTONE_KEYS]
    for key in MILESTONE_KEYS:
        assert f'id="milestone-{key}"' in html
    assert "Completed" in timeline and "Overdue" in timeline and "1 Jan 2020" in timeline
    assert timeline.index("Political mandate") < timeline.index("Monitoring and reporting")
    # the timeline comes before every milestone's details, which start closed
    assert html.index('class="plan-timeline"') < html.index('id="milestone-political_mandate"')
    assert open_milestones(html) == []
    # a milestone's link opens its details (and only them), without JavaScript
    html = client.get("/my-city?milestone=draft_plan").get_data(as_text=True)
    assert open_milestones(html) == ["draft_plan"]
    assert 'aria-current="step">Draft plan</a>' in html
    assert 'name="draft_plan-status"' in milestone_html(html, "draft_plan")
    # the plan's own address links to itself; an unknown key opens nothing
    html = client.get(f"/plans/{plan.id}?milestone=nonsense").get_data(as_text=True)
    assert open_milestones(html) == []
    assert f'href="/plans/{plan.id}?milestone=adoption#milestone-adoption"' in html


# ---------------------------------------------------------------- recommended learning


@pytest.fixture
def learning_world(graz, coordinator):
    """Both real courses; the coordinator enrolled in the main one with its first lesson
    done; other cities' practices, a webinar, a consulting session about milestones."""
    from action_lms.courses import services as courses

    result = courses.import_directory(COURSES)
    assert result.ok, [str(p) for p in result.problems]
    plan = make_plan(graz, statuses={"political_mandate": "completed"})
    enrollment, _ = courses.enroll(coordinator, MAIN_COURSE)
    state = courses.course_state(coordinator, enrollment.course)
    first = state.lessons[0]
    courses.complete_lesson(coordinator, first.id)
    barcelona = make_city("Barcelona", "ES", "Europe/Madrid")
    make_practice(barcelona, "Municipal Plan against Islamophobia", milestone_keys=("baseline_assessment",))
    make_webinar("Baseline data in practice", milestone_keys=["baseline_assessment"])
    make_booking(city=graz, booked_by=coordinator, milestone_key="coordination_team")
    return {"plan": plan, "first": first, "course": enrollment.course}


def test_recommended_learning_is_listed_once_with_the_viewers_state(client, coordinator, learning_world):
    login_session(client, coordinator)
    html = client.get("/my-city").get_data(as_text=True)
    # the next open milestones are the coordination team and the baseline: a lesson tagged
    # with both was listed twice; now once, naming both
    learn = learn_next_html(html)
    assert learn.count("Mapping what the city already does") == 1
    assert re.search(r"Mapping what the city already does.*?for Coordination team, Baseline assessment", learn, re.S)
    for key in MILESTONE_KEYS:
        section = milestone_html(html, key)
        titles = re.findall(r'<li class="plan-resource plan-resource-\w+">\s*(?:<a href="[^"]+">|<span class="plan-resource-title">)([^<]+)<', section)
        assert len(titles) == len(set(titles)), (key, titles)
    # each state: done (the first lesson), open, locked (a prerequisite, with why), enroll
    mandate = milestone_html(html, "political_mandate")
    first = learning_world["first"]
    assert re.search(rf'plan-resource-done">\s*<a href="/lessons/{first.id}">', mandate)
    assert "plan-resource-open" in milestone_html(html, "baseline_assessment")
    consultation = milestone_html(html, "stakeholder_consultation")
    assert "plan-resource-locked" in consultation and "Finish the module" in consultation
    assert "plan-resource-enroll" in consultation
    assert f'action="/courses/{OTHER_COURSE}/enroll"' in consultation and ">Enroll<" in consultation
    assert f'action="/courses/{OTHER_COURSE}/enroll"' in learn
    # other kinds are still there, each under its milestone
    baseline = milestone_html(html, "baseline_assessment")
    assert "Municipal Plan against Islamophobia" in baseline and "Baseline data in practice" in baseline
    assert "Consulting session: Baseline data" in milestone_html(html, "coordination_team")


def test_no_link_on_the_plan_page_answers_403_404_or_500_for_the_coordinator(client, coordinator, learning_world):
    """Every link of the page, followed with the coordinator's session (the page had 32
    lesson links, all of them 403 for a coordinator not enrolled)."""
    login_session(client, coordinator)
    for page in ("/my-city", f"/plans/{learning_world['plan'].id}?milestone=stakeholder_consultation"):
        html = client.get(page).get_data(as_text=True)
        hrefs = set(re.findall(r'href="([^"]+)"', html))
        internal = {urlsplit(h.replace("&amp;", "&"))._replace(fragment="").geturl() for h in hrefs
                    if h.startswith("/") and not h.startswith("/static/")}
        lessons = {h for h in internal if h.startswith("/lessons/")}
        assert lessons, "expected links to the lessons the coordinator can open"
        answers = {h: client.get(h).status_code for h in sorted(internal)}
        bad = {h: code for h, code in answers.items() if code in (403, 404) or code >= 500}
        assert bad == {}, bad


def test_enroll_from_the_plan_page_opens_the_courses_lessons(client, coordinator, learning_world):
    csrf = login_session(client, coordinator)
    html = client.get("/my-city").get_data(as_text=True)
    assert "plan-resource-enroll" in html
    response = client.post(f"/courses/{OTHER_COURSE}/enroll", data={"csrf_token": csrf})
    assert response.status_code == 302
    html = client.get("/my-city").get_data(as_text=True)
    assert "plan-resource-enroll" not in html and f"/courses/{OTHER_COURSE}/enroll" not in html


def test_the_lessons_resource_without_a_viewer_is_as_before(learning_world):
    """Other callers (no viewer) get the same items, with no state."""
    from action_lms.core.hooks import contributions

    found = contributions().all_milestone_resources(None, ["baseline_assessment"])
    items = found["lessons"]["baseline_assessment"]
    assert items and all("state" not in item and item["url"].startswith("/lessons/") for item in items)


# ---------------------------------------------------------------- updating


def test_an_update_with_an_error_shows_the_summary_first_and_keeps_the_form_open(client, graz, coordinator):
    plan = make_plan(graz)
    csrf = login_session(client, coordinator)
    response = client.post(f"/plans/{plan.id}/milestones/adoption",
                           data=base_form("adoption", csrf, status="completed"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    main = html[html.index("<main"):]
    summary = re.search(r'<div class="error-summary"[^>]*>', main)
    assert summary, "no error summary"
    tag = summary.group(0)
    assert 'role="alert"' in tag and 'tabindex="-1"' in tag and "autofocus" in tag
    # the very first thing of the main content, before the heading and the timeline
    after_main_tag = main[main.index(">") + 1:]
    assert after_main_tag.lstrip().startswith('<div class="error-summary"')
    assert main.index("error-summary") < main.index("<h1") < main.index('class="plan-timeline"')
    assert "There is a problem with Adoption" in main
    assert '<a href="#adoption-evidence_url">Add an evidence link or a note to complete this milestone.</a>' in main
    assert main.count("Add an evidence link or a note to complete this milestone.</a>") == 1
    assert "<title>Error: " in html
    assert open_milestones(html) == ["adoption"]
    adoption = milestone_html(html, "adoption")
    assert 'id="adoption-evidence_url"' in adoption and 'id="adoption-evidence_url-error"' in adoption
    assert 'aria-invalid="true"' in adoption
    # a blocked milestone without a reason points at the reason
    html = client.post(f"/plans/{plan.id}/milestones/adoption",
                       data=base_form("adoption", csrf, status="blocked")).get_data(as_text=True)
    assert '<a href="#adoption-blocked_reason">' in html


def test_a_successful_update_shows_the_message_at_the_top_with_the_milestone_open(client, graz, coordinator):
    plan = make_plan(graz)
    csrf = login_session(client, coordinator)
    response = client.post(f"/plans/{plan.id}/milestones/adoption", data=base_form(
        "adoption", csrf, status="completed", evidence_url="https://graz.at/adopted"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/plans/{plan.id}?milestone=adoption"  # no anchor: the top, with the message
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    main = html[html.index("<main"):]
    assert "Adoption: saved (completed)." in main
    assert main.index("Adoption: saved (completed).") < main.index("<h1")
    assert open_milestones(html) == ["adoption"]
    assert "error-summary" not in html


# ---------------------------------------------------------------- history in words


def test_history_in_words_on_the_history_page_and_under_the_milestone(client, graz, coordinator):
    plan = make_plan(graz)
    csrf = login_session(client, coordinator)
    client.post(f"/plans/{plan.id}/milestones/political_mandate", data=base_form(
        "political_mandate", csrf, status="in_progress", due_date="2027-02-01", owner="Mayor's office"))
    client.post(f"/plans/{plan.id}/milestones/political_mandate", data=base_form(
        "political_mandate", csrf, status="completed", due_date="2027-02-01", owner="Mayor's office",
        note="Council decision of 3 March"))
    history = client.get(f"/plans/{plan.id}/history").get_data(as_text=True)
    for words in ("Status: Not started \u2192 In progress", "Status: In progress \u2192 Completed",
                  "Due date: \u2014 \u2192 1 Feb 2027", "Owner: \u2014 \u2192 Mayor&#39;s office",
                  "Note: \u2014 \u2192 Council decision of 3 March"):
        assert words in history, words
    assert "in_progress" not in history and "2027-02-01" not in history
    html = client.get(f"/plans/{plan.id}?milestone=political_mandate").get_data(as_text=True)
    section = milestone_html(html, "political_mandate")
    assert "Latest changes" in section and "Grete Graz" in section
    assert "Status: In progress \u2192 Completed" in section and "Due date: \u2014 \u2192 1 Feb 2027" in section
    assert "No changes yet." in milestone_html(html, "adoption")


def test_describe_change_for_the_plan_itself(app, graz):
    from action_lms.plans.models import PlanHistory
    from action_lms.plans.services import describe_change

    def entry(field, old, new):
        return PlanHistory(field=field, old_value=old, new_value=new, actor_name="x")

    assert describe_change(entry("plan", None, "created: Graz plan")) == "Plan created: \u201cGraz plan\u201d"
    assert describe_change(entry("is_current", "true", "false")) == "No longer the city's current plan"
    assert describe_change(entry("is_current", "false", "true")) == "Made the city's current plan"
    assert describe_change(entry("commitments", "1, 3", "1, 3, 8")) == "Commitments: 1, 3 \u2192 1, 3, 8"
    assert describe_change(entry("status", "blocked", "not_started")) == "Status: Blocked \u2192 Not started"
    long = "x" * 400
    assert len(describe_change(entry("note", None, long))) < 200
    assert long in describe_change(entry("note", None, long), shorten=False)


def test_the_plan_page_takes_the_same_queries_however_long_its_history(client, graz, coordinator, count_queries):
    plan = make_plan(graz)
    csrf = login_session(client, coordinator)
    counts = []
    for owners in (1, 8):
        for n in range(owners):
            client.post(f"/plans/{plan.id}/milestones/adoption",
                        data=base_form("adoption", csrf, owner=f"Owner {owners}-{n}"))
        with count_queries() as q:
            assert client.get(f"/plans/{plan.id}").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]
