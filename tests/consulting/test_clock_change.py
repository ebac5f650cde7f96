"""Publishing availability across a clock change, through the API.

The rule (slots service, docs/consulting.md): a wall-clock time that happens twice (clocks go
back) gets one slot, at its first occurrence; the second occurrence is listed in `skipped` with a
reason. A time that does not exist (clocks go forward) is skipped and reported. Each created slot
is listed once, `created_count` is the length of `slots`, and no two slots overlap.
"""

from datetime import UTC, datetime
from itertools import pairwise

import pytest

from action_lms.consulting.models import Slot

from ..factories import make_consultant, make_slot
from ..helpers import api_as

DOES_NOT_EXIST = "This local time does not exist on this day (clock change)."


def publish(client, consultant, **overrides):
    body = {
        "weekdays": [6],  # Sunday
        "start_time": "00:30",
        "end_time": "02:30",
        "timezone": "Europe/Lisbon",
        "slot_minutes": 30,
        "valid_from": "2027-10-31",
        "valid_until": "2027-10-31",
    }
    body.update(overrides)
    response = api_as(client, consultant).post("/api/v1/availability", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def assert_consistent(body, session, consultant):
    """Each slot once, the counts match the lists and the database, no two slots overlap."""
    starts = [s["starts_at"] for s in body["slots"]]
    assert len(starts) == len(set(starts)), f"a slot is listed twice: {starts}"
    assert body["created_count"] == len(body["slots"])
    assert body["skipped_count"] == len(body["skipped"])
    stored = session.query(Slot).filter_by(consultant_id=consultant.id).order_by(Slot.starts_at).all()
    assert len(stored) == body["created_count"]
    for before, after in pairwise(stored):
        assert before.ends_at <= after.starts_at, f"{before.starts_at}–{before.ends_at} overlaps {after.starts_at}"


def test_lisbon_autumn_night_first_occurrence_gets_the_slot_and_the_second_is_reported(client, session):
    # 31 Oct 2027: 02:00 WEST (UTC+1) becomes 01:00 WET (UTC+0); 01:00–02:00 happens twice.
    consultant = make_consultant(timezone="Europe/Lisbon")
    body = publish(client, consultant)
    assert_consistent(body, session, consultant)
    assert [(s["starts_at"], s["ends_at"]) for s in body["slots"]] == [
        ("2027-10-30T23:30:00Z", "2027-10-31T00:00:00Z"),  # 00:30 WEST
        ("2027-10-31T00:00:00Z", "2027-10-31T00:30:00Z"),  # 01:00 WEST, the first 01:00
        ("2027-10-31T00:30:00Z", "2027-10-31T01:00:00Z"),  # 01:30 WEST, the first 01:30
        ("2027-10-31T02:00:00Z", "2027-10-31T02:30:00Z"),  # 02:00 WET
    ]
    assert body["created_count"] == 4
    assert [s["starts_at_consultant"] for s in body["slots"]] == [
        "Sun 31 Oct 2027, 00:30 WEST",
        "Sun 31 Oct 2027, 01:00 WEST",
        "Sun 31 Oct 2027, 01:30 WEST",
        "Sun 31 Oct 2027, 02:00 WET",
    ]
    # The repeated hour is not dropped silently: its second occurrences are reported.
    assert body["skipped"] == [
        {
            "starts_at": "2027-10-31T01:00:00Z",
            "local": "Sun 31 Oct 2027, 01:00 WET",
            "reason": "01:00 happens twice on this night (clocks go back); "
            "the slot was created at the first 01:00 WEST.",
        },
        {
            "starts_at": "2027-10-31T01:30:00Z",
            "local": "Sun 31 Oct 2027, 01:30 WET",
            "reason": "01:30 happens twice on this night (clocks go back); "
            "the slot was created at the first 01:30 WEST.",
        },
    ]
    assert body["skipped_count"] == 2


def test_helsinki_autumn_night_clocks_go_back_at_four(client, session):
    # 31 Oct 2027: 04:00 EEST (UTC+3) becomes 03:00 EET (UTC+2); 03:00–04:00 happens twice.
    consultant = make_consultant(timezone="Europe/Helsinki")
    body = publish(client, consultant, timezone="Europe/Helsinki", start_time="02:00", end_time="05:00")
    assert_consistent(body, session, consultant)
    assert [s["starts_at"] for s in body["slots"]] == [
        "2027-10-30T23:00:00Z",  # 02:00 EEST
        "2027-10-30T23:30:00Z",  # 02:30 EEST
        "2027-10-31T00:00:00Z",  # 03:00 EEST, the first 03:00
        "2027-10-31T00:30:00Z",  # 03:30 EEST, the first 03:30
        "2027-10-31T02:00:00Z",  # 04:00 EET
        "2027-10-31T02:30:00Z",  # 04:30 EET
    ]
    assert [s["starts_at_consultant"].split(", ")[1] for s in body["slots"]] == [
        "02:00 EEST",
        "02:30 EEST",
        "03:00 EEST",
        "03:30 EEST",
        "04:00 EET",
        "04:30 EET",
    ]
    assert [(s["starts_at"], s["local"]) for s in body["skipped"]] == [
        ("2027-10-31T01:00:00Z", "Sun 31 Oct 2027, 03:00 EET"),
        ("2027-10-31T01:30:00Z", "Sun 31 Oct 2027, 03:30 EET"),
    ]
    assert body["skipped"][0]["reason"] == (
        "03:00 happens twice on this night (clocks go back); the slot was created at the first 03:00 EEST."
    )


def test_an_hour_long_slot_in_the_repeated_hour(client, session):
    consultant = make_consultant(timezone="Europe/Lisbon")
    body = publish(client, consultant, start_time="00:00", end_time="03:00", slot_minutes=60)
    assert_consistent(body, session, consultant)
    # 00:00 WEST, 01:00 WEST (first), 02:00 WET; the second 01:00 is reported.
    assert [s["starts_at"] for s in body["slots"]] == [
        "2027-10-30T23:00:00Z",
        "2027-10-31T00:00:00Z",
        "2027-10-31T02:00:00Z",
    ]
    assert [s["local"] for s in body["skipped"]] == ["Sun 31 Oct 2027, 01:00 WET"]
    assert "happens twice" in body["skipped"][0]["reason"]


def test_a_normal_night_has_nothing_to_skip(client, session):
    consultant = make_consultant(timezone="Europe/Lisbon")
    body = publish(client, consultant, valid_from="2027-10-24", valid_until="2027-10-24")
    assert_consistent(body, session, consultant)
    assert [s["starts_at"] for s in body["slots"]] == [
        "2027-10-23T23:30:00Z",
        "2027-10-24T00:00:00Z",
        "2027-10-24T00:30:00Z",
        "2027-10-24T01:00:00Z",
    ]
    assert body["skipped"] == [] and body["created_count"] == 4


def test_spring_night_a_time_that_does_not_exist_is_still_skipped_and_reported(client, session):
    # 28 Mar 2027: 01:00 WET becomes 02:00 WEST; 01:00 and 01:30 do not exist.
    consultant = make_consultant(timezone="Europe/Lisbon")
    body = publish(client, consultant, valid_from="2027-03-28", valid_until="2027-03-28")
    assert_consistent(body, session, consultant)
    assert [s["starts_at"] for s in body["slots"]] == ["2027-03-28T00:30:00Z", "2027-03-28T01:00:00Z"]
    assert body["skipped"] == [
        {"starts_at": None, "local": "Sun 28 Mar 2027, 01:00", "reason": DOES_NOT_EXIST},
        {"starts_at": None, "local": "Sun 28 Mar 2027, 01:30", "reason": DOES_NOT_EXIST},
    ]


def test_spring_night_a_slot_that_would_overlap_the_one_before_is_skipped(client, session):
    # Madrid, 28 Mar 2027 (02:00 CET becomes 03:00 CEST), 90-minute slots from 00:00: the 01:30 CET
    # slot lasts until 04:00 CEST on the clock, so the 03:00 CEST start would overlap it.
    consultant = make_consultant(timezone="Europe/Madrid")
    body = publish(
        client,
        consultant,
        timezone="Europe/Madrid",
        start_time="00:00",
        end_time="04:30",
        slot_minutes=90,
        valid_from="2027-03-28",
        valid_until="2027-03-28",
    )
    assert_consistent(body, session, consultant)
    assert [(s["starts_at"], s["ends_at"]) for s in body["slots"]] == [
        ("2027-03-27T23:00:00Z", "2027-03-28T00:30:00Z"),
        ("2027-03-28T00:30:00Z", "2027-03-28T02:00:00Z"),
    ]
    assert [(s["starts_at"], s["local"]) for s in body["skipped"]] == [
        ("2027-03-28T01:00:00Z", "Sun 28 Mar 2027, 03:00 CEST"),
    ]
    assert "Overlaps the slot before it" in body["skipped"][0]["reason"]
    assert "clocks go forward" in body["skipped"][0]["reason"]


def test_when_the_first_occurrence_is_taken_the_second_says_so(client, session):
    consultant = make_consultant(timezone="Europe/Lisbon")
    make_slot(consultant, datetime(2027, 10, 31, 0, 0, tzinfo=UTC), minutes=30)  # the first 01:00 (WEST)
    body = publish(client, consultant)
    assert body["created_count"] == len(body["slots"]) == 3
    by_local = {s["local"]: s["reason"] for s in body["skipped"]}
    assert by_local["Sun 31 Oct 2027, 01:00 WEST"].startswith("Overlaps your existing slot")
    assert by_local["Sun 31 Oct 2027, 01:00 WET"] == (
        "01:00 happens twice on this night (clocks go back); only the first 01:00 WEST is used, "
        "and it was skipped as well."
    )
    assert "the slot was created at the first 01:30 WEST" in by_local["Sun 31 Oct 2027, 01:30 WET"]


@pytest.mark.parametrize("tz", ["Europe/Lisbon", "Europe/Helsinki"])
def test_publishing_the_same_night_again_creates_nothing(client, session, tz):
    consultant = make_consultant(timezone=tz)
    first = publish(client, consultant, timezone=tz, start_time="00:00", end_time="05:00")
    again = publish(client, consultant, timezone=tz, start_time="00:00", end_time="05:00")
    assert first["created_count"] > 0 and again["created_count"] == 0 and again["slots"] == []
    assert session.query(Slot).filter_by(consultant_id=consultant.id).count() == first["created_count"]
