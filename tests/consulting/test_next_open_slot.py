"""An empty week of slots says when the next open slot is, in the viewer's zone, and links to its week."""

from datetime import UTC, datetime, timedelta
from html import unescape

from action_lms.consulting import services
from action_lms.core.time import format_local, utcnow, zone

from ..factories import make_booking, make_consultant, make_slot, make_user
from ..helpers import login_session

VIEWER = "Europe/Lisbon"


def at(day, hour, minute, tz):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone(tz)).astimezone(UTC)


def this_monday():
    today = utcnow().astimezone(zone(VIEWER)).date()
    return today - timedelta(days=today.weekday())


def setup_slots():
    """Next week is empty. Oona (expertise 3) has a booked slot in two weeks and an open one just after
    midnight Helsinki time on the Monday in four weeks, which is still Sunday evening in Lisbon; Pau
    (expertise 5) has an open slot in two weeks; a removed slot of Oona's in two weeks never counts."""
    monday = this_monday()
    oona = make_consultant(name="Oona", timezone="Europe/Helsinki", expertise=[3])
    pau = make_consultant(name="Pau", timezone="Europe/Madrid", expertise=[5])
    make_booking(make_slot(oona, at(monday + timedelta(days=14), 9, 0, "Europe/Helsinki")))
    make_slot(oona, at(monday + timedelta(days=15), 9, 0, "Europe/Helsinki"), status="removed")
    oona_open = make_slot(oona, at(monday + timedelta(days=28), 0, 30, "Europe/Helsinki"))
    pau_open = make_slot(pau, at(monday + timedelta(days=16), 10, 0, "Europe/Madrid"))
    return monday, oona, pau, oona_open, pau_open


def page(client, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = client.get(f"/consulting?{query}")
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def test_empty_week_names_the_next_open_slot_and_links_to_its_week(client):
    monday, _oona, _pau, _oona_open, pau_open = setup_slots()
    login_session(client, make_user("coordinator", timezone=VIEWER))
    html = page(client, week=(monday + timedelta(days=7)).isoformat())
    assert "No open slots this week. The next open slot is on" in html
    assert format_local(pau_open.starts_at, VIEWER) in html and "with Pau" in html
    assert f'href="/consulting?week={(monday + timedelta(days=14)).isoformat()}"' in html


def test_the_next_open_slot_keeps_the_filters_and_its_week_is_the_viewers_week(client):
    monday, oona, _pau, oona_open, _pau_open = setup_slots()
    login_session(client, make_user("coordinator", timezone=VIEWER))
    empty = (monday + timedelta(days=7)).isoformat()
    # 00:30 Monday in Helsinki is 22:30 Sunday in Lisbon: the week before, for this viewer.
    lisbon_week = (monday + timedelta(days=21)).isoformat()
    by_expert = page(client, week=empty, consultant_id=oona.id)
    assert format_local(oona_open.starts_at, VIEWER) in by_expert and "22:30" in by_expert
    assert f'href="/consulting?week={lisbon_week}&consultant_id={oona.id}"' in by_expert
    by_expertise = page(client, week=empty, expertise=3)
    assert f'href="/consulting?week={lisbon_week}&expertise=3"' in by_expertise and "with Oona" in by_expertise
    both = page(client, week=empty, consultant_id=oona.id, expertise=3)
    assert f'href="/consulting?week={lisbon_week}&consultant_id={oona.id}&expertise=3"' in both
    # A viewer in Helsinki sees the slot on the Monday itself, so the link goes to that week.
    helsinki = make_user("coordinator", timezone="Europe/Helsinki")
    data = services.week_of_slots(helsinki, monday + timedelta(days=7), oona.id)
    assert data["next_open"].id == oona_open.id and data["next_week"] == monday + timedelta(days=28)


def test_no_open_slot_after_the_week_says_so(client):
    monday, _oona, _pau, _oona_open, _pau_open = setup_slots()
    login_session(client, make_user("coordinator", timezone=VIEWER))
    nobody = page(client, week=(monday + timedelta(days=7)).isoformat(), expertise=7)
    assert "No open slots this week, and none published after it for this expert or expertise" in nobody
    assert "The next open slot" not in nobody
    after_all = page(client, week=(monday + timedelta(days=35)).isoformat())
    assert "none published after it." in after_all and "The next open slot" not in after_all


def test_a_past_week_points_to_the_soonest_open_slot_from_now(client):
    monday, _oona, _pau, _oona_open, pau_open = setup_slots()
    user = make_user("coordinator", timezone=VIEWER)
    data = services.week_of_slots(user, monday - timedelta(days=21))
    assert data["next_open"].id == pau_open.id and data["next_week"] == monday + timedelta(days=14)


def test_a_week_with_slots_does_not_look_further(client, count_queries):
    monday, _oona, _pau, _oona_open, pau_open = setup_slots()
    user = make_user("coordinator", timezone=VIEWER)
    with count_queries() as full:
        data = services.week_of_slots(user, monday + timedelta(days=14))
    assert data["count"] == 1 and data["next_open"] is None and data["next_week"] is None
    assert not any("LIMIT" in s and "starts_at >=" in s for s in full.statements)
    with count_queries() as empty:
        data = services.week_of_slots(user, monday + timedelta(days=7))
    assert data["next_open"].id == pau_open.id
    assert empty.count == 2  # the week's slots, then the one look-ahead
    login_session(client, user)
    html = page(client, week=(monday + timedelta(days=14)).isoformat())
    assert "The next open slot" not in html and "none published after it" not in html
