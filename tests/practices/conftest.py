"""A small library for the practices tests: four cities, a coordinator and a learner of
each of the first two, the office, a consultant, and a practice in each status."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from action_lms.accounts.models import City, User
from action_lms.practices.models import Practice

from ..factories import make_city, make_practice, make_user


@dataclass
class World:
    barcelona: City
    bologna: City
    graz: City
    botkyrka: City
    admin: User
    bcn_coordinator: User
    bcn_learner: User
    bologna_coordinator: User
    bologna_learner: User
    consultant: User
    published: Practice  # Barcelona's
    bologna_published: Practice
    draft: Practice  # Barcelona's
    submitted: Practice  # Barcelona's
    archived: Practice  # Barcelona's


BARCELONA_DESCRIPTION = (
    "Barcelona treats Islamophobia as a field of action of its own: vigilance, support for people who "
    "experience anti-Muslim racism, and education in schools."
)


@pytest.fixture
def world(app, session) -> World:
    barcelona = make_city("Barcelona", "ES", "Europe/Madrid")
    bologna = make_city("Bologna", "IT", "Europe/Rome")
    graz = make_city("Graz", "AT", "Europe/Vienna")
    botkyrka = make_city("Botkyrka", "SE", "Europe/Stockholm")
    return World(
        barcelona=barcelona,
        bologna=bologna,
        graz=graz,
        botkyrka=botkyrka,
        admin=make_user("admin", name="Office Admin"),
        bcn_coordinator=make_user("coordinator", city=barcelona, name="Núria Coordinator"),
        bcn_learner=make_user("learner", city=barcelona),
        bologna_coordinator=make_user("coordinator", city=bologna, name="Giulia Coordinator"),
        bologna_learner=make_user("learner", city=bologna),
        consultant=make_user("consultant"),
        published=make_practice(
            barcelona, "Municipal Plan against Islamophobia", commitments=(1, 3, 8),
            milestone_keys=("stakeholder_consultation", "draft_plan"), languages=("es", "ca", "en"),
            summary="A city-wide plan against anti-Muslim racism.", description=BARCELONA_DESCRIPTION,
            featured_in="Guidebook on Local Actions against Anti-Muslim Racism",
        ),
        bologna_published=make_practice(
            bologna, "Non-discriminatory administrative action", commitments=(5, 6),
            milestone_keys=("draft_plan",), languages=("it", "en"),
            summary="The administration reviews its own procedures.",
            description="Every department reviews its procedures for equal treatment.",
        ),
        draft=make_practice(barcelona, "Barcelona draft on housing", status="draft", commitments=(7,),
                            description="Still being written: fair access to housing."),
        submitted=make_practice(barcelona, "Barcelona submitted on schools", status="submitted", commitments=(8,)),
        archived=make_practice(barcelona, "Barcelona archived campaign", status="archived", commitments=(9,)),
    )


def valid_body(**overrides) -> dict:
    body = {
        "title": "Anti-rumour agents in libraries",
        "summary": "Volunteers trained to answer prejudice with facts.",
        "description": "Volunteers *trained* by the city.\n\n<script>alert('x')</script>",
        "commitments": [4, 8],
        "languages": ["es", "ca"],
    }
    body.update(overrides)
    return body
