"""Access-matrix rows of the exchanges domain, with the part of the scenario they need, built
only when a row asks for it (the rest of the matrix does not pay for it).

The scenario's city A (learner, coordinator) asks; city B (the probe's) is invited and has
accepted. `scheduled` also has a time and the learner as participant; `story` is reported
and published."""
from __future__ import annotations

from datetime import timedelta

from action_lms.core.time import utcnow, zone
from action_lms.exchanges import services
from action_lms.exchanges.models import Exchange


def _weekday_at_ten(tz: str, days: int = 21):
    from datetime import datetime, time
    day = (utcnow() + timedelta(days=days)).date()
    day += timedelta(days=(0 - day.weekday()) % 7)  # a Monday
    return datetime.combine(day, time(10, 0), tzinfo=zone(tz))


def world(s):
    """The exchanges of the scenario, made once per test case on first use."""
    cached = getattr(s, "_exchanges", None)
    if cached is not None:
        return cached
    op = services.OPERATOR

    def asked(topic):
        exchange = services.create_exchange(op, topic=topic, objective="Learn from city B.", questions=["How?"],
                                            languages_=["en"], city_id=s.city_a.id)
        invitation = services.invite_city(op, exchange.id, s.city_b.id)
        return exchange, invitation

    open_, open_inv = asked("Consulting communities")
    pending, pending_inv = asked("Monitoring")
    services.accept_invitation(op, open_.id, open_inv.id)
    scheduled, scheduled_inv = asked("Baseline data")
    services.accept_invitation(op, scheduled.id, scheduled_inv.id)
    services.add_participant(op, scheduled.id, s.learner.id)
    services.schedule_exchange(op, scheduled.id, _weekday_at_ten("Europe/Vienna"), 60, "https://meet.example.org/x")
    story, story_inv = asked("A story")
    services.accept_invitation(op, story.id, story_inv.id)
    services.schedule_exchange(op, story.id, _weekday_at_ten("Europe/Vienna", 28), 60, "https://meet.example.org/y")
    from action_lms.extensions import db
    row = db.session.get(Exchange, story.id)
    row.starts_at, row.ends_at = utcnow() - timedelta(days=1), utcnow() - timedelta(days=1) + timedelta(hours=1)
    db.session.commit()
    services.record_attendance(op, story.id, [])
    services.write_report(op, story.id, "City B shared its plan.", [], True)
    from ..factories import make_city
    s._exchanges = {
        "city_c": make_city("City C", "PT", "Europe/Lisbon"),
        "open": open_, "pending": pending, "pending_inv": pending_inv, "scheduled": scheduled, "story": story,
        "open_inv": open_inv,
    }
    return s._exchanges


def rows(Row, only, everyone, public, A, L, C, S, D, P):
    def ex(key):
        return lambda s: world(s)[key].id

    base = "/api/v1/exchanges/<int:exchange_id>"

    def at(key, suffix=""):
        return lambda s: f"/api/v1/exchanges/{ex(key)(s)}{suffix}"

    return [
        Row("POST", "/api/v1/exchanges", only({C: 201, D: 201}),
            body=lambda s: {"topic": "Data", "objective": "Learn.", "questions": ["How?"], "languages": ["en"],
                            "city_id": s.city_a.id}),
        Row("GET", "/api/v1/exchanges", everyone(200)),
        Row("GET", base, only({C: 200, D: 200}, others=404), path=at("open")),
        Row("GET", f"{base}/suggestions", only({D: 200}), path=at("open", "/suggestions")),
        Row("POST", f"{base}/invitations", only({D: 201}), path=at("open", "/invitations"),
            body=lambda s: {"city_id": world(s)["city_c"].id}),
        # The coordinator of city A sees the exchange but is not the invited city: 404.
        Row("POST", f"{base}/invitations/<int:invitation_id>/accept", only({C: 404, D: 200}),
            path=lambda s: f"/api/v1/exchanges/{world(s)['pending'].id}/invitations/{world(s)['pending_inv'].id}/accept"),
        Row("POST", f"{base}/invitations/<int:invitation_id>/decline", only({C: 404, D: 200}),
            path=lambda s: f"/api/v1/exchanges/{world(s)['pending'].id}/invitations/{world(s)['pending_inv'].id}/decline",
            body=lambda s: {"reason": "Not this spring."}),
        Row("POST", f"{base}/invitations/<int:invitation_id>/withdraw", only({D: 200}),
            path=lambda s: f"/api/v1/exchanges/{world(s)['pending'].id}/invitations/{world(s)['pending_inv'].id}/withdraw"),
        # Members of the requesting city join; the office is no member (403); others see nothing.
        Row("PUT", f"{base}/participants/me", only({L: 200, C: 200, D: 403}, others=404), path=at("open", "/participants/me")),
        Row("DELETE", f"{base}/participants/me", only({L: 204, C: 204, D: 403}, others=404),
            path=at("open", "/participants/me")),
        Row("POST", f"{base}/participants", only({C: 201, D: 201}), path=at("open", "/participants"),
            body=lambda s: {"user_id": s.learner.id}),
        Row("GET", f"{base}/time-options", only({D: 200}),
            path=lambda s: f"/api/v1/exchanges/{world(s)['open'].id}/time-options?date={_weekday_at_ten('UTC').date().isoformat()}"),
        Row("POST", f"{base}/schedule", only({D: 200}), path=at("open", "/schedule"),
            body=lambda s: {"starts_at": _weekday_at_ten("Europe/Vienna").isoformat(), "duration_minutes": 60,
                            "join_url": "https://meet.example.org/z"}),
        # Attendance and report wait for the session: the office gets the rule's 409.
        Row("POST", f"{base}/held", only({D: 409}), path=at("scheduled", "/held"), body=lambda s: {"attended_user_ids": []}),
        Row("POST", f"{base}/report", only({D: 409}), path=at("scheduled", "/report"), body=lambda s: {"report": "Notes."}),
        Row("POST", f"{base}/withdraw", only({C: 200, D: 200}), path=at("open", "/withdraw")),
        Row("POST", f"{base}/cancel", only({D: 200}), path=at("open", "/cancel"), body=lambda s: {"reason": "No host."}),
        # The learner takes part in the scheduled exchange; the coordinator sees it but is no participant.
        Row("GET", f"{base}/calendar.ics", only({L: 200, C: 403, D: 200}, others=404), path=at("scheduled", "/calendar.ics")),
        Row("GET", "/api/v1/stories", public(200)),
        Row("GET", "/api/v1/stories/<slug>", public(200), path=lambda s: f"/api/v1/stories/{world(s)['story'].story_slug}"),
    ]
