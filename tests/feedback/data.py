"""Events of every format that ended, for the feedback tests."""
from __future__ import annotations

from datetime import timedelta

from action_lms.core.time import utcnow
from action_lms.exchanges.models import Exchange, Invitation, Participant
from action_lms.extensions import db

from ..factories import make_booking, make_consultant, make_registration, make_slot, make_webinar


def ended_webinar(*attendees, absent=(), status="published", hours_ago=3, title="Indicators that show change"):
    webinar = make_webinar(title=title, starts_at=utcnow() - timedelta(hours=hours_ago), duration_minutes=60, status=status)
    for person in attendees:
        make_registration(webinar, person, attended=True)
    for person in absent:
        make_registration(webinar, person, attended=False)
    return webinar


def held_booking(city, coordinator, status="held", hours_ago=5):
    slot = make_slot(make_consultant(), starts_at=utcnow() - timedelta(hours=hours_ago), status="booked")
    return make_booking(slot=slot, city=city, booked_by=coordinator, status=status)


def held_exchange(requester, host, attended, absent=(), status=Exchange.REPORTED, hours_ago=4):
    start = utcnow() - timedelta(hours=hours_ago)
    exchange = Exchange(city_id=requester.id, topic="Consulting communities", objective="Learn.", questions=["How?"],
                        languages=["en"], status=status, starts_at=start, ends_at=start + timedelta(hours=1))
    db.session.add(exchange)
    db.session.flush()
    db.session.add(Invitation(exchange_id=exchange.id, city_id=host.id, requester_city_id=requester.id, status="accepted"))
    for person in attended:
        db.session.add(Participant(exchange_id=exchange.id, user_id=person.id, city_id=person.city_id, attended=True))
    for person in absent:
        db.session.add(Participant(exchange_id=exchange.id, user_id=person.id, city_id=person.city_id, attended=False))
    db.session.commit()
    return exchange


def completed_course(course, person, days_ago=1, completed=True):
    from action_lms.courses.models import Enrollment
    enrollment = Enrollment(user_id=person.id, course_id=course.id, active=True,
                            enrolled_at=utcnow() - timedelta(days=days_ago + 10),
                            completed_at=utcnow() - timedelta(days=days_ago) if completed else None)
    db.session.add(enrollment)
    db.session.commit()
    return enrollment
