"""Every e-mail is multipart: the text part (as before) and an HTML part made from it in
core.outbox through the one layout. Each template under templates/email/ is queued through
its domain's own notify functions and built as the sender builds it; the HTML must parse,
keep every link of the text, carry the button for the message's action, and hold no CR."""
from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import template_rendered
from sqlalchemy import select

from action_lms.core import outbox
from action_lms.core.models import OutboxMessage
from action_lms.core.time import utcnow
from action_lms.extensions import db

from ..factories import (
    make_booking, make_city, make_consultant, make_plan, make_practice, make_registration, make_slot, make_user,
    make_webinar,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "email"
EMAIL_TEMPLATES = sorted(
    str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.txt") if not p.name.startswith("_")
)
URL = re.compile(r"https?://[^\s<>\"'`]+")
BASE = "http://lms.test"


class Parsed(HTMLParser):
    """Links, the button, the text; raises on nothing, so also count what it could not close."""

    VOID = {"meta", "br", "link", "img", "input", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.buttons: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.mismatched: list[str] = []
        self._button: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "a":
            self.hrefs.append(attrs.get("href") or "")
            if "email-button" in (attrs.get("class") or ""):
                self._button = attrs.get("href")
                self.buttons.append((attrs["href"], ""))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.mismatched.append(tag)
        else:
            self.stack.pop()
        if tag == "a" and self._button is not None:
            self._button = None

    def handle_data(self, data):
        self.text.append(data)
        if self._button is not None:
            href, label = self.buttons[-1]
            self.buttons[-1] = (href, label + data)


def parse(html: str) -> Parsed:
    parser = Parsed()
    parser.feed(html)
    parser.close()
    return parser


def text_urls(text: str) -> list[str]:
    return [u.rstrip(".,;:!?)]}»”’") for u in URL.findall(text)]


def parts(message: OutboxMessage):
    """The message as the SMTP sender builds it, parsed back: (text, html, mime message)."""
    built = outbox._build_email(message)
    mime = email.message_from_bytes(built.as_bytes(), policy=email.policy.default)
    text = mime.get_body(("plain",)).get_content()
    html = mime.get_body(("html",)).get_content()
    return text, html, mime


# ---------------------------------------------------------------- every kind, through its domain


def queue_every_kind(app) -> set[str]:
    """Queue at least one message of every template through the domains' own functions.
    Returns the e-mail templates rendered."""
    from action_lms.accounts import services as accounts
    from action_lms.consulting.services import notifications as consulting
    from action_lms.exchanges.models import Exchange, Invitation, Participant
    from action_lms.exchanges.services import notifications as exchanges
    from action_lms.feedback.models import FeedbackRequest
    from action_lms.feedback.services import requesting as feedback
    from action_lms.plans.services import send_overdue_digests
    from action_lms.practices.services import notifications as practices
    from action_lms.webinars.services import notifications as webinars
    from action_lms.webinars.services.rules import Reg

    rendered: set[str] = set()

    def record(sender, template, context, **extra):
        if template.name and template.name.startswith("email/") and template.name.endswith(".txt"):
            rendered.add(template.name.removeprefix("email/"))

    template_rendered.connect(record, app)
    try:
        city = make_city("Graz", "AT", "Europe/Vienna")
        coordinator = make_user("coordinator", city=city, name="Grete", email="grete@example.org")
        admin = make_user("admin", name="Office", email="office@example.org")
        with app.test_request_context():
            # accounts: welcome + join request, decision both ways, password reset
            applicant = accounts.register("ana@example.org", "long-enough-pw", "Ana", city_id=city.id)
            accounts.approve_join_request(coordinator, city.id, applicant.id)
            other = accounts.register("bo@example.org", "long-enough-pw", "Bo", city_id=city.id)
            accounts.decline_join_request(coordinator, city.id, other.id)
            accounts.request_password_reset("ana@example.org")
        # courses: the certificate (the same call as courses.services.certificates)
        outbox.queue(applicant, "course_certificate", "Your certificate: Drafting a plan", "courses/certificate.txt",
                     {"course_title": "Drafting a plan", "code": "ABC123"}, "t:certificate")
        # webinars: every kind
        webinar = make_webinar(title="Indicators", timezone="Europe/Lisbon")
        reg = make_registration(webinar, applicant)
        waiting = make_registration(webinar, make_user(email="wait@example.org"), status="waitlisted",
                                    waitlist_position=1)
        for kind in ("confirmed", "promoted", "rescheduled", "join_link", "reminder", "registration_cancelled",
                     "cancelled"):
            webinars.notify(reg, webinar, f"webinar_{kind}", f"Webinar {kind}", f"t:webinar:{kind}",
                            reminder_label="in 24 hours", old_when_local="1 Mar 2027 10:00", reason="Speaker ill")
        assert waiting.status == Reg.WAITLISTED
        webinars.notify(waiting, webinar, "webinar_waitlisted", "On the waitlist", "t:webinar:waitlisted")
        # consulting: every kind, with questions typed in a form (CR/LF)
        booking = make_booking(make_slot(make_consultant(), utcnow() + timedelta(days=3)), booked_by=coordinator,
                               questions="How do we collect data?\r\nWho owns it?")
        for kind in consulting.SUBJECTS:
            consulting.notify(booking, kind, actor=admin, previous_start=utcnow() + timedelta(days=2))
        # exchanges: every kind; the questions sent ahead carry CR/LF from the form
        starts = utcnow() + timedelta(days=5)
        exchange = Exchange(city_id=city.id, topic="Consulting communities", objective="Learn from Bologna.",
                            questions=["How did you\r\ninvolve communities?", "Who owns\rthe measures?"],
                            languages=["en"], status=Exchange.SCHEDULED, starts_at=starts,
                            ends_at=starts + timedelta(hours=1), join_url="https://meet.example.org/x",
                            report="Bologna shared its plan.", cancel_reason="Council meeting")
        db.session.add(exchange)
        db.session.flush()
        host = make_city("Bologna", "IT", "Europe/Rome")
        host_coordinator = make_user("coordinator", city=host, email="host@example.org")
        invitation = Invitation(exchange_id=exchange.id, city_id=host.id, requester_city_id=city.id,
                                status="accepted", message="We would love to hear from you.\r\nThank you!")
        db.session.add(invitation)
        db.session.add(Participant(exchange_id=exchange.id, user_id=coordinator.id, city_id=city.id))
        db.session.commit()
        for kind in exchanges.SUBJECTS:
            exchanges.notify(exchange, kind, [coordinator, host_coordinator], actor=admin, invitation=invitation,
                             previous_start=starts - timedelta(days=1))
        # feedback: request and reminder
        request = FeedbackRequest(user_id=applicant.id, kind="webinar", subject_id=webinar.id,
                                  subject_title=webinar.title, city_id=city.id, year=2027, due_since=utcnow())
        db.session.add(request)
        db.session.flush()
        feedback._queue(request, applicant, "request")
        feedback._queue(request, applicant, "reminder")
        # practices: submitted, published, sent back
        practice = make_practice(city, title="Community map", status="submitted")
        practices.notify_submitted(practice)
        practices.notify_published(practice)
        practices.notify_sent_back(practice, "Please add the budget.\r\nThanks.")
        # plans: the overdue digest (the job itself)
        make_plan(city, due={"political_mandate": (utcnow() - timedelta(days=9)).date()})
        send_overdue_digests()
        db.session.commit()
    finally:
        template_rendered.disconnect(record, app)
    return rendered


def test_every_template_renders_a_multipart_message_with_an_accessible_html_part(app):
    rendered = queue_every_kind(app)
    assert set(EMAIL_TEMPLATES) - rendered == set(), "templates no flow of this test renders"
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    kinds = {m.kind for m in messages}
    assert len(kinds) >= len(EMAIL_TEMPLATES) - 1  # every template has its kind (webinar kinds share none)
    problems = []
    for message in messages:
        text, html, mime = parts(message)
        assert mime.get_content_type() in ("multipart/alternative", "multipart/mixed"), message.kind
        parsed = parse(html)
        hrefs = set(parsed.hrefs)
        missing = [u for u in text_urls(text) if u not in hrefs]
        if missing:
            problems.append(f"{message.kind}: links of the text missing in the HTML: {missing}")
        if parsed.mismatched or parsed.stack:
            problems.append(f"{message.kind}: unbalanced HTML {parsed.mismatched} {parsed.stack}")
        if "\r" in text or "\r" in html or "\r" in message.body_text:
            problems.append(f"{message.kind}: a CR in a part")
        if "European Coalition of Cities Against Racism · ACTION" not in html:
            problems.append(f"{message.kind}: no coalition name")
        app_urls = [u for u in text_urls(text) if u.startswith(BASE + "/")
                    and u not in (f"{BASE}/account", f"{BASE}/account/emails")]
        if app_urls:
            if parsed.buttons != [(app_urls[0], "Open in ACTION LMS")]:
                problems.append(f"{message.kind}: button {parsed.buttons}, expected {app_urls[0]}")
        elif parsed.buttons:
            problems.append(f"{message.kind}: a button without an action {parsed.buttons}")
        if "<img" in html:
            problems.append(f"{message.kind}: an image")
        if message.attachment:
            assert mime.get_content_type() == "multipart/mixed"
            assert [p.get_filename() for p in mime.iter_attachments()] == [message.attachment_name]
    assert problems == []


def test_questions_keep_their_own_line_breaks_in_both_parts(app):
    queue_every_kind(app)
    invited = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "exchange_invited")).first()
    text, html, _ = parts(invited)
    assert "  1. How did you\ninvolve communities?\n  2. Who owns\nthe measures?\n" in text
    assert "How did you<br>\ninvolve communities?" in html and "Who owns<br>\nthe measures?" in html
    assert "\r" not in invited.body_text and "\r" not in (invited.body_html or "")
    booked = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "consulting_confirmed")).first()
    assert "\r" not in booked.body_text and "How do we collect data?\nWho owns it?" in booked.body_text


def test_the_footer_link_to_the_preferences_is_exactly_in_the_optional_kinds(app):
    queue_every_kind(app)
    messages = db.session.scalars(select(OutboxMessage)).all()
    line = f"Choose which e-mails you get: {BASE}/account/emails"
    with_link = {m.kind for m in messages if line in m.body_text}
    assert with_link == set(outbox.KIND_GROUPS)
    for message in messages:
        assert (f'href="{BASE}/account/emails"' in message.body_html) == (message.kind in outbox.KIND_GROUPS)


def test_the_kinds_table_names_real_kinds_only(app):
    queue_every_kind(app)
    kinds = set(db.session.scalars(select(OutboxMessage.kind)))
    assert set(outbox.KIND_GROUPS) <= kinds
    assert set(outbox.KIND_GROUPS.values()) == set(outbox.OPTIONAL_GROUPS)
    never_optional = {"webinar_confirmed", "webinar_cancelled", "consulting_confirmed", "consulting_cancelled",
                      "exchange_invited", "exchange_cancelled", "password_reset", "membership.approved",
                      "membership.declined", "welcome"}
    assert never_optional <= kinds and not never_optional & set(outbox.KIND_GROUPS)


# ---------------------------------------------------------------- the HTML builder itself


def test_html_escapes_the_text_and_keeps_paragraphs_and_links(app):
    with app.test_request_context():
        html = outbox.render_html(
            "Hello <b>Ana</b> & co,\n\nline one\nline two: https://x.example/a?b=1&c=2.\n\n--\nfooter",
            "Subject <x>",
        )
    parsed = parse(html)
    assert "<b>" not in html and "&lt;b&gt;Ana&lt;/b&gt; &amp; co," in html
    assert "line one<br>\nline two: " in html
    assert "https://x.example/a?b=1&c=2" in parsed.hrefs  # the sentence's full stop is not part of the link
    assert parsed.buttons == []  # not a link into the application
    assert "<title>Subject &lt;x&gt;</title>" in html
    assert 'name="color-scheme" content="light dark"' in html
    assert 'name="supported-color-schemes" content="light dark"' in html
    assert "prefers-color-scheme: dark" in html


def test_an_explicit_action_makes_the_button(app):
    with app.app_context():
        user = make_user(email="ana@example.org")
        assert outbox.queue(user, "welcome", "Welcome", "welcome.txt", {}, "k-action",
                            action=("Sign in", f"{BASE}/login"))
        db.session.commit()
        message = db.session.scalars(select(OutboxMessage)).one()
        assert parse(message.body_html).buttons == [(f"{BASE}/login", "Sign in")]


def test_rows_queued_before_the_html_part_get_it_at_send_time(app):
    with app.app_context():
        user = make_user(email="ana@example.org")
        outbox.queue(user, "welcome", "Welcome", "welcome.txt", {}, "k-old")
        message = db.session.scalars(select(OutboxMessage)).one()
        message.body_html = None
        message.body_text = "Old row\r\nwith CR/LF: http://lms.test/login\r\n"
        db.session.commit()
        text, html, _ = parts(message)
        assert "\r" not in text and parse(html).buttons == [(f"{BASE}/login", "Open in ACTION LMS")]


@pytest.mark.parametrize("text", ["", "\n\n", "no links at all"])
def test_degenerate_bodies_still_build(app, text):
    with app.test_request_context():
        parse(outbox.render_html(text, "s"))
