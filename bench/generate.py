"""Data of a large deployment for the benchmarks: 60 cities, 20,000 learners, 500,000
lesson completions, 2,000 webinars, 50,000 consulting slots, a plan per city, good
practices, peer exchanges and feedback. `--scale 10` is ten times the deployment (600
cities, 200,000 learners, 5 million lesson completions, 20,000 webinars, 500,000 slots).

Runs against a migrated database with the courses imported (`flask db upgrade` and
`flask courses import courses/`). Rows go in with bulk Core inserts, not the services:
the services are what the benchmarks measure, and building this much data through them
would take an hour. The result is deterministic for a given seed.

    python bench/generate.py sqlite:////tmp/bench.db          # prints the API tokens as JSON
    python bench/generate.py postgresql+psycopg://... 10      # ten times the deployment
"""
from __future__ import annotations

import json
import os
import random
import secrets
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from action_lms import create_app  # noqa: E402
from action_lms.accounts.models import ApiToken, City, User  # noqa: E402
from action_lms.accounts.services import hash_secret  # noqa: E402
from action_lms.consulting.models import Booking, ConsultantExpertise, ConsultantProfile, Slot  # noqa: E402
from action_lms.core.time import UTC  # noqa: E402
from action_lms.courses.models import (  # noqa: E402
    Certificate, Course, Enrollment, Lesson, LessonCompletion, Module, Quiz, QuizAttempt,
)
from action_lms.exchanges.models import Exchange, Invitation, Participant  # noqa: E402
from action_lms.extensions import db  # noqa: E402
from action_lms.feedback.models import FeedbackAnswer, FeedbackRequest  # noqa: E402
from action_lms.plans.models import Milestone, Plan, PlanHistory  # noqa: E402
from action_lms.practices.models import Practice, PracticeCommitment, PracticeLanguage  # noqa: E402
from action_lms.plans.template import MILESTONES  # noqa: E402
from action_lms.webinars.models import Webinar, WebinarRegistration  # noqa: E402


@dataclass(frozen=True)
class Scale:
    cities: int = 60
    learners: int = 20_000
    lesson_completions: int = 500_000
    webinars: int = 2_000
    slots: int = 50_000
    consultants: int = 40
    registrations_per_webinar: int = 30
    practices_per_city: int = 5
    exchanges_per_city: int = 3
    feedback_share: float = 0.5  # of webinar attendances asked for feedback (half of them answer)

    def scaled(self, factor: float) -> "Scale":
        """A smaller or larger deployment with the same shape (per city and per webinar the
        same), e.g. `scaled(0.01)` for the generator's test and `scaled(10)` for scale 10."""
        def part(v: int) -> int:
            return max(1, int(v * factor))
        return Scale(cities=max(2, part(self.cities)), learners=part(self.learners),
                     lesson_completions=part(self.lesson_completions), webinars=part(self.webinars),
                     slots=part(self.slots), consultants=max(2, part(self.consultants)),
                     registrations_per_webinar=self.registrations_per_webinar,
                     practices_per_city=self.practices_per_city, exchanges_per_city=self.exchanges_per_city,
                     feedback_share=self.feedback_share)


ZONES = [("AT", "Europe/Vienna"), ("BE", "Europe/Brussels"), ("DE", "Europe/Berlin"), ("ES", "Europe/Madrid"),
         ("FI", "Europe/Helsinki"), ("FR", "Europe/Paris"), ("GR", "Europe/Athens"), ("IT", "Europe/Rome"),
         ("NL", "Europe/Amsterdam"), ("PL", "Europe/Warsaw"), ("PT", "Europe/Lisbon"), ("SE", "Europe/Stockholm"),
         ("GB", "Europe/London"), ("RO", "Europe/Bucharest")]
CHUNK = 5_000
PASSWORD = "bench-password"


def _insert(model, rows: list[dict]) -> None:
    for i in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[i:i + CHUNK])


def _token(user_id: int, name: str, now: datetime) -> tuple[str, dict]:
    plain = secrets.token_urlsafe(32)
    return plain, {"user_id": user_id, "name": name, "token_hash": hash_secret(plain),
                   "prefix": plain[:12], "created_at": now, "revoked": False}


def _ids(model, column, values) -> dict:
    return dict(db.session.execute(select(column, model.id).where(column.in_(values))).all())


def _completion_counts(rng: random.Random, learners: int, total: int, max_each: int) -> list[int]:
    """How many lessons each learner finished: spread around the mean, summing to `total`."""
    total = min(total, learners * max_each)
    mean = total / learners
    counts = [min(max_each, max(0, round(rng.gauss(mean, max_each / 4)))) for _ in range(learners)]
    diff = total - sum(counts)
    step = 1 if diff > 0 else -1
    while diff:
        i = rng.randrange(learners)
        if 0 <= counts[i] + step <= max_each:
            counts[i] += step
            diff -= step
    return counts


def generate(scale: Scale = Scale(), seed: int = 7, now: datetime | None = None,
             contention_learners: int = 500) -> dict:
    """Fill the database of the current app context; returns API tokens and a few ids."""
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    password_hash = generate_password_hash(PASSWORD)

    # ---------------------------------------------------------------- cities and people
    cities = []
    for i in range(scale.cities):
        country, tz = ZONES[i % len(ZONES)]
        cities.append({"name": f"Bench City {i + 1:03d}", "country": country, "timezone": tz, "created_at": now})
    _insert(City, cities)
    city_ids = list(_ids(City, City.name, [c["name"] for c in cities]).values())
    city_tz = dict(db.session.execute(select(City.id, City.timezone).where(City.id.in_(city_ids))).all())

    users = [{"email": "bench-admin@bench.example", "name": "Bench Admin", "role": "admin",
              "timezone": "Europe/Brussels", "city_id": None}]
    for n, city_id in enumerate(city_ids):
        users += [{"email": f"coordinator{n + 1}-{k}@bench.example", "name": f"Coordinator {n + 1}.{k}",
                   "role": "coordinator", "timezone": city_tz[city_id], "city_id": city_id} for k in (1, 2)]
    for n in range(scale.consultants):
        users.append({"email": f"consultant{n + 1}@bench.example", "name": f"Consultant {n + 1}",
                      "role": "consultant", "timezone": ZONES[n % len(ZONES)][1], "city_id": None})
    for n in range(scale.learners):
        city_id = city_ids[n % len(city_ids)]
        users.append({"email": f"learner{n + 1}@bench.example", "name": f"Learner {n + 1}", "role": "learner",
                      "timezone": city_tz[city_id], "city_id": city_id})
    for u in users:
        u.update(password_hash=password_hash, active=True, created_at=now)
    _insert(User, users)
    user_ids = dict(db.session.execute(select(User.email, User.id).where(User.email.like("%@bench.example"))).all())
    admin_id = user_ids["bench-admin@bench.example"]
    coordinator_ids = [user_ids[f"coordinator{n + 1}-1@bench.example"] for n in range(len(city_ids))]
    consultant_ids = [user_ids[f"consultant{n + 1}@bench.example"] for n in range(scale.consultants)]
    learners = [(user_ids[f"learner{n + 1}@bench.example"], city_ids[n % len(city_ids)]) for n in range(scale.learners)]

    _insert(ConsultantProfile, [{"user_id": uid, "languages": ["en"], "bio": "Expert of the ACTION project.",
                                 "timezone": ZONES[n % len(ZONES)][1], "updated_at": now}
                                for n, uid in enumerate(consultant_ids)])
    _insert(ConsultantExpertise, [{"user_id": uid, "commitment": c} for n, uid in enumerate(consultant_ids)
                                  for c in sorted({n % 10 + 1, (n * 3) % 10 + 1})])

    # ---------------------------------------------------------------- learning
    courses = db.session.scalars(select(Course).order_by(Course.id)).all()
    if not courses:
        raise SystemExit("No courses: run `flask courses import courses/` first.")
    lessons = db.session.execute(
        select(Lesson.id, Lesson.course_id, Lesson.module_id)
        .join(Module, Module.id == Lesson.module_id).order_by(Lesson.course_id, Module.position, Lesson.position)).all()
    quizzes = dict(db.session.execute(select(Quiz.module_id, Quiz.id)).all())
    lessons_of_course = {c.id: [l for l in lessons if l.course_id == c.id] for c in courses}
    ordered = [l for c in courses for l in lessons_of_course[c.id]]
    counts = _completion_counts(rng, len(learners), scale.lesson_completions, len(ordered))

    enrollments, completions, attempts, certificates = [], [], [], []
    for (user_id, _city), count in zip(learners, counts):
        done = ordered[:count]
        started = now - timedelta(days=rng.randint(30, 700))
        for course in courses:
            course_lessons = lessons_of_course[course.id]
            finished = [l for l in done if l.course_id == course.id]
            if not finished:
                continue
            when = started
            for lesson in finished:
                when += timedelta(hours=rng.randint(1, 72))
                completions.append({"user_id": user_id, "lesson_id": lesson.id, "completed_at": min(when, now)})
            modules_done = {l.module_id for l in course_lessons} - {l.module_id for l in course_lessons if l not in finished}
            for module_id in modules_done:
                if module_id in quizzes:
                    score = rng.choice((70, 80, 90, 100))
                    attempts.append({"user_id": user_id, "quiz_id": quizzes[module_id], "attempt_number": 1,
                                     "score": score, "passed": True, "answers": {}, "results": {},
                                     "submitted_at": min(when, now)})
            complete = len(finished) == len(course_lessons)
            enrollments.append({"user_id": user_id, "course_id": course.id, "active": True, "enrolled_at": started,
                                "completed_at": min(when, now) if complete else None})
            if complete:
                certificates.append({"code": secrets.token_urlsafe(16), "user_id": user_id, "course_id": course.id,
                                     "learner_name": f"Learner {user_id}", "course_title": course.title,
                                     "issued_at": min(when, now)})
    _insert(Enrollment, enrollments)
    _insert(LessonCompletion, completions)
    _insert(QuizAttempt, attempts)
    _insert(Certificate, certificates)

    # ---------------------------------------------------------------- webinars
    webinars = []
    span = timedelta(days=730)
    for n in range(scale.webinars):
        starts = (now - span * 2 / 3 + span * n / scale.webinars).replace(minute=0, second=0)
        status = "cancelled" if n % 40 == 0 else ("draft" if n % 53 == 0 else "published")
        webinars.append({"title": f"Peer-to-peer session {n + 1}", "description": "Cities learn from each other.",
                         "description_html": "<p>Cities learn from each other.</p>", "starts_at": starts,
                         "duration_minutes": 90, "ends_at": starts + timedelta(minutes=90),
                         "timezone": "Europe/Brussels", "capacity": 40, "status": status,
                         "join_url": "https://meet.example/session", "course_module_keys": [], "milestone_keys": [],
                         "sequence": 0, "created_by_id": admin_id, "created_at": now, "updated_at": now,
                         "cancel_reason": "Speaker unavailable" if status == "cancelled" else None,
                         "cancelled_at": now if status == "cancelled" else None})
    _insert(Webinar, webinars)
    webinar_rows = db.session.execute(select(Webinar.id, Webinar.ends_at, Webinar.status)).all()
    registrations = []
    for webinar in webinar_rows:
        if webinar.status == "draft":
            continue
        people = rng.sample(learners, min(len(learners), rng.randint(scale.registrations_per_webinar // 2,
                                                                      scale.registrations_per_webinar * 3 // 2)))
        past = webinar.ends_at <= now
        for user_id, _city in people:
            registrations.append({"webinar_id": webinar.id, "user_id": user_id, "status": "confirmed",
                                  "waitlist_position": None, "attended": past and rng.random() < 0.7,
                                  "created_at": now, "confirmed_at": now})
    _insert(WebinarRegistration, registrations)

    # ---------------------------------------------------------------- consulting
    per_consultant = -(-scale.slots // len(consultant_ids))
    first_day = (now - timedelta(days=180)).date()
    slots = []
    for n, consultant_id in enumerate(consultant_ids):
        for k in range(per_consultant):
            if len(slots) >= scale.slots:
                break
            day = first_day + timedelta(days=k // 4)
            starts = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=8 + (k % 4) * 2)
            slots.append({"consultant_id": consultant_id, "starts_at": starts, "ends_at": starts + timedelta(hours=1),
                          "status": "open", "created_at": now})
    # 4 % booked: about three sessions per city and month, under the default quota of four.
    booked = set(rng.sample(range(len(slots)), len(slots) // 25))
    for i in booked:
        slots[i]["status"] = "booked"
    _insert(Slot, slots)
    slot_rows = db.session.execute(select(Slot.id, Slot.starts_at).where(Slot.status == "booked")).all()
    bookings = []
    for slot in slot_rows:
        city_id = rng.choice(city_ids)
        held = slot.starts_at < now
        bookings.append({"slot_id": slot.id, "city_id": city_id, "booked_by_id": coordinator_ids[city_ids.index(city_id)],
                         "topic": "Our next milestone", "questions": "How did other cities do it?",
                         "milestone_key": rng.choice(MILESTONES).key, "status": "held" if held else "booked",
                         "sequence": 0, "created_at": now, "updated_at": now,
                         "reminded_at": slot.starts_at - timedelta(hours=24) if held else None,
                         "summary": "Discussed the next steps." if held else None,
                         "notes_recorded_at": slot.starts_at + timedelta(hours=2) if held else None})
    _insert(Booking, bookings)

    # ---------------------------------------------------------------- plans
    _insert(Plan, [{"city_id": city_id, "title": "Local action plan against racism", "focus": "The ten commitments",
                    "commitments": list(range(1, 11)), "is_current": True, "created_by_id": coordinator_ids[n],
                    "created_at": now, "updated_at": now} for n, city_id in enumerate(city_ids)])
    plan_ids = dict(db.session.execute(select(Plan.city_id, Plan.id).where(Plan.city_id.in_(city_ids))).all())
    milestones, history = [], []
    for n, city_id in enumerate(city_ids):
        reached = rng.randint(0, len(MILESTONES))
        for position, template in enumerate(MILESTONES):
            due = (now + timedelta(days=60 * (position - reached))).date()
            status = "completed" if position < reached else ("in_progress" if position == reached else "not_started")
            milestones.append({"plan_id": plan_ids[city_id], "key": template.key, "position": position,
                               "status": status, "due_date": due,
                               "completed_at": now - timedelta(days=30 * (reached - position)) if status == "completed" else None,
                               "note": "Council decision published." if status == "completed" else None,
                               "owner": "Equality office", "updated_at": now})
            if status == "completed":
                history.append({"plan_id": plan_ids[city_id], "milestone_key": template.key, "field": "status",
                                "old_value": "not_started", "new_value": "completed", "actor_id": coordinator_ids[n],
                                "actor_name": f"Coordinator {n + 1}.1", "changed_at": now})
    _insert(Milestone, milestones)
    _insert(PlanHistory, history)

    # ---------------------------------------------------------------- good practices
    practices = []
    for n, city_id in enumerate(city_ids):
        for k in range(scale.practices_per_city):
            title = f"Practice {k + 1} of Bench City {n + 1:03d}: anti-discrimination counselling"
            summary = "A counselling office run with civil-society partners, open to every resident."
            status = "published" if k < scale.practices_per_city - 1 else rng.choice(("draft", "submitted"))
            practices.append({"city_id": city_id, "title": title, "summary": summary, "description": summary,
                              "description_html": f"<p>{summary}</p>", "links": [], "status": status,
                              "search_text": f"{title} bench city {summary}".lower(),
                              "contact_id": coordinator_ids[n], "created_by_id": coordinator_ids[n],
                              "created_at": now - timedelta(days=k * 40), "updated_at": now - timedelta(days=k * 40),
                              "published_at": now - timedelta(days=k * 40) if status == "published" else None,
                              "submitted_at": now - timedelta(days=k * 40) if status != "draft" else None})
    _insert(Practice, practices)
    practice_rows = db.session.execute(select(Practice.id, Practice.city_id)).all()
    _insert(PracticeCommitment, [{"practice_id": pid, "commitment": c} for pid, _city in practice_rows
                                 for c in sorted({pid % 10 + 1, (pid * 7) % 10 + 1})])
    _insert(PracticeLanguage, [{"practice_id": pid, "language": "en", "position": 0} for pid, _city in practice_rows])

    # ---------------------------------------------------------------- peer exchanges
    exchanges = []
    for n, city_id in enumerate(city_ids):
        for k in range(scale.exchanges_per_city):
            starts = now - timedelta(days=rng.randint(-60, 300), hours=rng.randint(0, 8))
            past = starts < now
            status = ("reported" if rng.random() < 0.6 else "held") if past else rng.choice(("requested", "scheduled"))
            exchanges.append({"city_id": city_id, "requested_by_id": coordinator_ids[n],
                              "topic": f"Exchange {k + 1} of Bench City {n + 1:03d}",
                              "objective": "Learn how another city runs its counselling office.",
                              "questions": ["How did you start?"], "commitments": [k % 10 + 1], "languages": ["en"],
                              "status": status, "starts_at": starts if status != "requested" else None,
                              "ends_at": starts + timedelta(hours=1) if status != "requested" else None,
                              "sequence": 0, "created_at": starts - timedelta(days=30), "updated_at": now,
                              "held_at": starts + timedelta(hours=1) if status in ("held", "reported") else None,
                              "report": "We learned a lot." if status == "reported" else None,
                              "reported_at": starts + timedelta(days=2) if status == "reported" else None})
    _insert(Exchange, exchanges)
    exchange_rows = db.session.execute(select(Exchange.id, Exchange.city_id, Exchange.status)).all()
    invitations, participants = [], []
    for exchange_id, city_id, status in exchange_rows:
        host = rng.choice([c for c in city_ids if c != city_id] or city_ids)
        invitations.append({"exchange_id": exchange_id, "city_id": host, "requester_city_id": city_id,
                            "status": "pending" if status == "requested" else "accepted", "created_at": now})
        if status != "requested":
            for cid in (city_id, host):
                participants.append({"exchange_id": exchange_id, "city_id": cid,
                                     "user_id": coordinator_ids[city_ids.index(cid)],
                                     "attended": True if status in ("held", "reported") else None, "created_at": now})
    _insert(Invitation, invitations)
    _insert(Participant, participants)

    # ---------------------------------------------------------------- feedback
    city_of = dict(learners)
    country_of = {c_id: cities[i]["country"] for i, c_id in enumerate(city_ids)}
    webinar_end = {w.id: w.ends_at for w in webinar_rows}
    asked, answered = [], []
    for reg in registrations:
        if not reg["attended"] or rng.random() >= scale.feedback_share:
            continue
        ended = webinar_end[reg["webinar_id"]]
        city_id = city_of[reg["user_id"]]
        request = {"user_id": reg["user_id"], "kind": "webinar", "subject_id": reg["webinar_id"],
                   "subject_title": f"Peer-to-peer session {reg['webinar_id']}", "city_id": city_id,
                   "year": ended.year, "due_since": ended, "created_at": ended, "reminded_at": None,
                   "answered_at": None}
        if rng.random() < 0.5:
            request["answered_at"] = ended + timedelta(days=1)
            answered.append({"kind": "webinar", "subject_id": reg["webinar_id"],
                             "subject_title": request["subject_title"], "city_id": city_id,
                             "country": country_of[city_id], "year": ended.year,
                             "usefulness": rng.randint(2, 5), "will_apply": rng.randint(1, 5),
                             "recommend": rng.random() < 0.8,
                             "comment": "Useful for our plan." if rng.random() < 0.1 else None,
                             "created_at": ended + timedelta(days=1)})
        asked.append(request)
    _insert(FeedbackRequest, asked)
    _insert(FeedbackAnswer, answered)

    # ---------------------------------------------------------------- contention fixtures
    # One open slot of a consultant of its own, far beyond the generated slots (so no city
    # has used its monthly quota then), and one webinar with 100 seats nobody has taken.
    contention_consultant = {"email": "contention-consultant@bench.example", "name": "Contention Consultant",
                             "role": "consultant", "timezone": "Europe/Brussels", "city_id": None,
                             "password_hash": password_hash, "active": True, "created_at": now}
    _insert(User, [contention_consultant])
    consultant_id = db.session.scalar(select(User.id).where(User.email == contention_consultant["email"]))
    slot_start = datetime.combine((now + timedelta(days=250)).date(), datetime.min.time(), UTC) + timedelta(hours=9)
    _insert(Slot, [{"consultant_id": consultant_id, "starts_at": slot_start, "ends_at": slot_start + timedelta(hours=1),
                    "status": "open", "created_at": now}])
    contention_slot = db.session.scalar(select(Slot.id).where(Slot.consultant_id == consultant_id))
    webinar_start = slot_start + timedelta(days=1)
    _insert(Webinar, [{"title": "Contention webinar", "description": "", "description_html": "", "starts_at": webinar_start,
                       "duration_minutes": 60, "ends_at": webinar_start + timedelta(minutes=60),
                       "timezone": "Europe/Brussels", "capacity": 100, "status": "published",
                       "course_module_keys": [], "milestone_keys": [], "sequence": 0, "created_by_id": admin_id,
                       "created_at": now, "updated_at": now}])
    contention_webinar = db.session.scalar(select(Webinar.id).where(Webinar.title == "Contention webinar"))

    # ---------------------------------------------------------------- tokens for the load runs
    tokens, token_rows = {}, []
    for role, uid in (("admin", admin_id), ("coordinator", coordinator_ids[0]), ("learner", learners[0][0])):
        plain, row = _token(uid, f"bench {role}", now)
        tokens[role] = plain
        token_rows.append(row)
    coordinator_tokens, learner_tokens = [], []
    all_coordinators = [user_ids[f"coordinator{n + 1}-{k}@bench.example"] for n in range(len(city_ids)) for k in (1, 2)]
    for uid in all_coordinators:
        plain, row = _token(uid, "bench contention", now)
        coordinator_tokens.append(plain)
        token_rows.append(row)
    for uid, _city in learners[-contention_learners:]:
        plain, row = _token(uid, "bench contention", now)
        learner_tokens.append(plain)
        token_rows.append(row)
    _insert(ApiToken, token_rows)
    db.session.commit()
    return {"tokens": tokens, "course_slug": courses[0].slug, "city_id": city_ids[0],
            "contention": {"slot_id": contention_slot, "webinar_id": contention_webinar, "webinar_capacity": 100,
                           "coordinator_tokens": coordinator_tokens, "learner_tokens": learner_tokens},
            "counts": {"cities": len(city_ids), "learners": len(learners), "lesson_completions": len(completions),
                       "enrollments": len(enrollments), "quiz_attempts": len(attempts),
                       "certificates": len(certificates), "webinars": len(webinars),
                       "webinar_registrations": len(registrations), "slots": len(slots),
                       "bookings": len(bookings), "plans": len(plan_ids), "milestones": len(milestones),
                       "practices": len(practices), "exchanges": len(exchanges), "feedback_requests": len(asked),
                       "feedback_answers": len(answered)}}


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit(__doc__)
    os.environ["DATABASE_URL"] = argv[0]
    factor = float(argv[1]) if len(argv) > 1 else 1.0
    app = create_app({"SCHEDULER_IN_PROCESS": False})
    with app.app_context():
        result = generate(Scale().scaled(factor) if factor != 1.0 else Scale())
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
