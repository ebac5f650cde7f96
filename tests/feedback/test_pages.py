"""The feedback pages: "Your feedback" (open and answered), the answer form (once; someone
else's is a 404; errors summarised at the top), and the impact report with its chart and CSV
for the office, a coordinator's own city, nobody else."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from action_lms.core.time import utcnow
from action_lms.feedback import services
from action_lms.feedback.models import FeedbackAnswer, FeedbackRequest

from ..factories import make_city, make_user
from ..helpers import api_as, inline_scripts, login_session, refresh_snapshots
from .data import ended_webinar, held_booking, held_exchange

YEAR = utcnow().year


def _request_of(session, person, kind=None) -> FeedbackRequest:
    stmt = select(FeedbackRequest).where(FeedbackRequest.user_id == person.id).order_by(FeedbackRequest.id)
    if kind:
        stmt = stmt.where(FeedbackRequest.kind == kind)
    return session.scalars(stmt).first()


def _api_answer(client, person, request_id, usefulness=4, will_apply=3, recommend=True, comment=None):
    response = api_as(client, person).post("/api/v1/feedback", json={
        "request_id": request_id, "usefulness": usefulness, "will_apply": will_apply, "recommend": recommend,
        "comment": comment})
    assert response.status_code == 201, response.get_data(as_text=True)


def signed_in(app, user):
    """A fresh browser session for `user`: (client, CSRF token)."""
    client = app.test_client()
    return client, login_session(client, user)


def _form(token, **values) -> dict:
    data = {"csrf_token": token, "usefulness": "4", "will_apply": "5", "recommend": "yes", "comment": ""}
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def _error_summary(html: str) -> str:
    match = re.search(r'<div class="alert alert-error feedback-error-summary".*?</div>', html, re.S)
    assert match, "no error summary on the page"
    return match.group(0)


@pytest.fixture
def person_with_two(app, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    person = make_user("learner", city=graz, name="Gerda Graz")
    ended_webinar(person, title="Indicators that show change")
    ended_webinar(person, title="Budgeting the plan", hours_ago=30)
    services.create_feedback_requests()
    requests = session.scalars(select(FeedbackRequest).order_by(FeedbackRequest.due_since)).all()
    return person, {r.subject_title: r.id for r in requests}


# ---------------------------------------------------------------- your feedback


def test_the_list_shows_what_waits_and_what_was_answered(app, client, session, person_with_two):
    person, ids = person_with_two
    _api_answer(client, person, ids["Budgeting the plan"], usefulness=5, will_apply=2, recommend=False,
                comment="More examples, please.")
    browser, _ = signed_in(app, person)
    page = browser.get("/feedback")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    waiting, answered = html.split('id="answered-heading"')
    assert "Waiting for your answer (1)" in waiting
    assert "Indicators that show change" in waiting and "Budgeting the plan" not in waiting
    assert f'href="/feedback/{ids["Indicators that show change"]}"' in waiting and "Give feedback" in waiting
    assert "Budgeting the plan" in answered and "Indicators that show change" not in answered
    assert "5 of 5" in answered and "2 of 5" in answered and "More examples, please." in answered
    assert re.search(r"<dt>Would recommend it to another city</dt><dd>No</dd>", answered)
    assert 'aria-current="page"' in html and ">Your feedback</a>" in html  # in the navigation


def test_the_empty_list_says_when_requests_appear(app):
    browser, _ = signed_in(app, make_user("learner"))
    html = browser.get("/feedback").get_data(as_text=True)
    assert "Nothing is waiting for your answer." in html
    assert "shortly after you complete a course" in html
    assert "You have not answered a request yet." in html


def test_signed_out_the_link_asks_to_sign_in_and_comes_back(app, person_with_two):
    person, ids = person_with_two
    request_id = ids["Indicators that show change"]
    browser = app.test_client()
    response = browser.get(f"/feedback/{request_id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert f"next=/feedback/{request_id}" in response.headers["Location"].replace("%2F", "/")
    login_page = browser.get(response.headers["Location"])
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page.get_data(as_text=True)).group(1)
    back = browser.post(response.headers["Location"], data={"email": person.email, "password": "correct-horse-battery",
                                                            "csrf_token": token})
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/feedback/{request_id}")
    assert "How useful was this for your city" in browser.get(f"/feedback/{request_id}").get_data(as_text=True)


# ---------------------------------------------------------------- the form


def test_the_form_has_three_questions_as_radio_groups_and_says_it_is_anonymous(app, person_with_two):
    person, ids = person_with_two
    browser, _ = signed_in(app, person)
    page = browser.get(f"/feedback/{ids['Indicators that show change']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<fieldset") == 3 and html.count("<legend>") == 3
    assert "<legend>How useful was this for your city&#39;s action plan?</legend>" in html
    assert "<legend>How likely are you to apply something from it within six months?</legend>" in html
    assert "<legend>Would you recommend it to another city?</legend>" in html
    assert "1 = not useful, 5 = very useful." in html and "1 = unlikely, 5 = very likely." in html
    assert len(re.findall(r'type="radio"[^>]*name="usefulness"|name="usefulness"[^>]*type="radio"', html)) == 5
    assert len(re.findall(r'name="recommend"', html)) == 2
    assert 'for="usefulness-0"' in html and 'id="usefulness-0"' in html
    assert "counted anonymously" in html
    assert "Comment (optional)" in html
    assert "feedback-error-summary" not in html


def test_an_answer_is_saved_once_and_a_second_post_is_a_409(app, session, person_with_two):
    person, ids = person_with_two
    request_id = ids["Indicators that show change"]
    browser, token = signed_in(app, person)
    sent = browser.post(f"/feedback/{request_id}", data=_form(token, comment="Clear and practical."))
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/feedback")
    listed = browser.get("/feedback").get_data(as_text=True)
    assert "Thank you" in listed
    session.expire_all()
    answer = session.scalar(select(FeedbackAnswer).where(FeedbackAnswer.request_id == request_id))
    assert (answer.usefulness, answer.will_apply, answer.recommend, answer.comment) == (4, 5, True,
                                                                                       "Clear and practical.")
    again = browser.post(f"/feedback/{request_id}", data=_form(token, usefulness="1"))
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "You have already answered this feedback request. Thank you!" in html
    assert 'name="usefulness"' not in html
    revisit = browser.get(f"/feedback/{request_id}")
    assert revisit.status_code == 200 and "already answered" in revisit.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(FeedbackAnswer).where(FeedbackAnswer.request_id == request_id)).usefulness == 4


def test_missing_answers_re_render_with_the_summary_at_the_top(app, session, person_with_two):
    person, ids = person_with_two
    request_id = ids["Indicators that show change"]
    browser, token = signed_in(app, person)
    page = browser.post(f"/feedback/{request_id}", data=_form(token, usefulness=None, will_apply=None,
                                                              recommend=None, comment="Kept as written."))
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    summary = _error_summary(html)
    assert "autofocus" in summary and 'tabindex="-1"' in summary and "There is a problem" in summary
    for target in ("usefulness-0", "will_apply-0", "recommend-0"):
        assert f'href="#{target}"' in summary
    assert html.index("feedback-error-summary") < html.index("<h1>")  # first thing in view
    assert "<title>Error:" in html
    assert 'aria-describedby="usefulness-hint usefulness-error"' in html
    assert "Kept as written." in html
    assert session.scalar(select(FeedbackAnswer)) is None


def test_values_the_service_refuses_are_shown_on_their_question(app, session, person_with_two):
    person, ids = person_with_two
    request_id = ids["Indicators that show change"]
    browser, token = signed_in(app, person)
    out_of_range = browser.post(f"/feedback/{request_id}", data=_form(token, usefulness="9"))
    assert out_of_range.status_code == 422
    summary = _error_summary(out_of_range.get_data(as_text=True))
    assert 'href="#usefulness-0"' in summary and "Choose a number from 1 to 5." in summary
    maybe = browser.post(f"/feedback/{request_id}", data=_form(token, recommend="maybe"))
    assert maybe.status_code == 422
    assert 'href="#recommend-0"' in _error_summary(maybe.get_data(as_text=True))
    assert "Say yes or no." in maybe.get_data(as_text=True)
    too_long = browser.post(f"/feedback/{request_id}", data=_form(token, comment="x" * (FeedbackAnswer.MAX_COMMENT + 1)))
    assert too_long.status_code == 422 and 'href="#comment"' in _error_summary(too_long.get_data(as_text=True))
    assert browser.post(f"/feedback/{request_id}", data=_form("not-a-token")).status_code == 400  # CSRF
    assert session.scalar(select(FeedbackAnswer)) is None


def test_someone_elses_request_is_a_404(app, session, person_with_two):
    _, ids = person_with_two
    other = make_user("learner")
    browser, token = signed_in(app, other)
    request_id = ids["Indicators that show change"]
    assert browser.get(f"/feedback/{request_id}").status_code == 404
    assert browser.post(f"/feedback/{request_id}", data=_form(token)).status_code == 404
    assert browser.get("/feedback/987654").status_code == 404
    assert session.scalar(select(FeedbackAnswer)) is None


# ---------------------------------------------------------------- the impact report


@pytest.fixture
def report(app, client, session):
    """Exchanges rated by four people of three cities, consulting by one, a webinar by three."""
    berlin = make_city("Berlin", "DE", "Europe/Berlin")
    bologna = make_city("Bologna", "IT", "Europe/Rome")
    graz = make_city("Graz", "AT", "Europe/Vienna")
    b_learner, b_coord = make_user("learner", city=berlin), make_user("coordinator", city=berlin)
    bo_learner, g_learner = make_user("learner", city=bologna), make_user("learner", city=graz)
    everyone = [b_learner, b_coord, bo_learner, g_learner]
    held_exchange(berlin, bologna, attended=[b_learner, bo_learner, g_learner])
    held_exchange(berlin, bologna, attended=[b_coord], hours_ago=30)
    held_booking(berlin, b_coord)
    ended_webinar(*everyone[:3])
    services.create_feedback_requests()
    ratings = {
        (0, "exchange"): (5, 5, True, "We now call Bologna directly."),
        (2, "exchange"): (4, 4, True, None),
        (3, "exchange"): (5, 3, False, "Too short."),
        (1, "exchange"): (4, 4, True, None),
        (1, "consulting"): (3, 2, True, "Good checklist."),
        (0, "webinar"): (3, 3, True, None),
        (1, "webinar"): (2, 2, False, None),
        (2, "webinar"): (4, 3, True, "Slides please."),
    }
    for (index, kind), (u, w, r, c) in ratings.items():
        _api_answer(client, everyone[index], _request_of(session, everyone[index], kind).id, u, w, r, c)
    return {"admin": make_user("admin"), "berlin": berlin, "bologna": bologna, "graz": graz,
            "coordinator": b_coord, "learner": g_learner, "everyone": everyone}


def _rows(html: str) -> list[tuple[str, str]]:
    """(kind, row html) of the formats table, in the order shown."""
    table = html.split('class="feedback-formats"')[1].split("</table>")[0]
    return re.findall(r'<tr id="format-(\w+)" data-kind="\w+">(.*?)</tr>', table, re.S)


def _cell(row: str, figure: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(rf'data-figure="{figure}">(.*?)</td>', row, re.S).group(1)).strip()


def test_the_office_sees_formats_ranked_the_chart_and_the_csv(app, report):
    browser, _ = signed_in(app, report["admin"])
    page = browser.get(f"/impact?year={YEAR}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rows = _rows(html)
    assert [kind for kind, _ in rows][:2] == ["exchange", "webinar"]  # ranked by usefulness
    assert {kind for kind, _ in rows} == {"exchange", "webinar", "consulting", "course"}
    exchange = dict(rows)["exchange"]
    assert _cell(exchange, "usefulness") == "4.50" and _cell(exchange, "responses") == "4"
    assert "100%" in exchange and "75%" in exchange  # response rate, would recommend
    consulting = dict(rows)["consulting"]
    assert _cell(consulting, "responses") == "1" and _cell(consulting, "usefulness") == "not enough answers"
    assert "not ranked" in consulting
    # The chart: an image with a title and a text alternative; no bar without enough answers.
    svg = re.search(r"<svg class=\"feedback-chart\".*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<title id=\"chart-title\">Mean usefulness per format" in svg
    assert "Peer exchanges: 4.50 out of 5." in svg and "Consulting: not enough answers." in svg
    chart_rows = dict(re.findall(r'<g class="feedback-chart-row" data-kind="(\w+)">(.*?)</g>', svg, re.S))
    assert 'class="feedback-chart-bar"' in chart_rows["exchange"] and "1. Peer exchanges" in chart_rows["exchange"]
    assert 'class="feedback-chart-bar"' not in chart_rows["consulting"]
    assert "not enough answers" in chart_rows["consulting"]
    assert not inline_scripts(html)
    # Per city, comments, and the city select of the office.
    for name in ("Berlin", "Bologna", "Graz"):
        assert f'id="city-{report[name.lower()].id}"' in html
    assert "We now call Bologna directly." in html and "Slides please." in html
    for person in report["everyone"]:
        assert person.name not in html and person.email not in html
    assert 'name="city_id"' in html and 'name="country"' in html
    # The CSV: same filters, as a download.
    link = re.search(r'href="(/impact\.csv[^"]*)"', html).group(1).replace("&amp;", "&")
    assert f"year={YEAR}" in link
    csv = browser.get(link)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.headers["Content-Disposition"] == f'attachment; filename="impact-{YEAR}.csv"'
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0] == ",".join(services.CSV_HEADER)
    assert any(line.startswith("all,exchange,2,2,4,4,1.0,4.5,4.0,0.75,1") for line in lines), lines


def test_the_office_filters_by_country_and_city(app, report):
    browser, _ = signed_in(app, report["admin"])
    italy = browser.get("/impact?country=it").get_data(as_text=True)
    assert f'id="city-{report["bologna"].id}"' in italy and f'id="city-{report["berlin"].id}"' not in italy
    assert '<option value="IT" selected>' in italy
    assert _cell(dict(_rows(italy))["exchange"], "responses") == "1"
    berlin = browser.get(f"/impact?city_id={report['berlin'].id}").get_data(as_text=True)
    assert f'<option value="{report["berlin"].id}" selected>' in berlin
    assert _cell(dict(_rows(berlin))["exchange"], "responses") == "2"
    csv = browser.get(f"/impact.csv?country=IT&year={YEAR}").get_data(as_text=True)
    assert "Bologna" in csv and "Berlin" not in csv
    wrong = browser.get("/impact?year=1999")
    assert wrong.status_code == 302
    assert "between 2000 and 2100" in browser.get(wrong.headers["Location"]).get_data(as_text=True)


def test_a_coordinator_sees_their_own_city_and_nobody_else_the_report(app, report):
    browser, _ = signed_in(app, report["coordinator"])
    page = browser.get("/impact")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Impact report" in html and "Berlin" in html
    assert f'id="city-{report["berlin"].id}"' in html
    assert f'id="city-{report["bologna"].id}"' not in html and f'id="city-{report["graz"].id}"' not in html
    assert 'name="city_id"' not in html  # no city to choose
    assert _cell(dict(_rows(html))["exchange"], "responses") == "2"
    assert browser.get(f"/impact?city_id={report['bologna'].id}").status_code == 403
    assert browser.get(f"/impact.csv?city_id={report['bologna'].id}").status_code == 403
    csv = browser.get("/impact.csv").get_data(as_text=True)
    assert "Berlin" in csv and "Bologna" not in csv
    learner, _ = signed_in(app, report["learner"])
    assert learner.get("/impact").status_code == 403
    assert learner.get("/impact.csv").status_code == 403
    assert ">Impact</a>" not in learner.get("/feedback").get_data(as_text=True)
    signed_out = app.test_client().get("/impact")
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]


def test_the_report_page_takes_a_fixed_number_of_queries(app, client, session, count_queries):
    admin = make_user("admin")
    browser, _ = signed_in(app, admin)
    counts = []
    for n in (3, 12):
        city = make_city(f"City {n}", "FR", "Europe/Paris")
        people = [make_user("learner", city=city) for _ in range(n)]
        ended_webinar(*people, title=f"W{n}")
        services.create_feedback_requests()
        for person in people:
            _api_answer(client, person, _request_of(session, person).id, comment=f"ok {n}")
        refresh_snapshots()  # the scheduler counted the figures since
        with count_queries() as q:
            assert browser.get("/impact").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts
