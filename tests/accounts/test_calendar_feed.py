"""The personal calendar feed: secret URL, no session needed, can be reset."""
import re

from icalendar import Calendar

from action_lms.core import calendar

from ..factories import make_user
from ..helpers import login_session


def test_feed_works_without_session_and_reset_kills_the_old_url(app, client):
    user = make_user()
    csrf = login_session(client, user)
    page = client.post("/account/calendar", data={"csrf_token": csrf}).get_data(as_text=True)
    url = re.search(r'id="feed-url">([^<]+)<', page).group(1)
    path = url.replace("http://localhost", "")
    anonymous = app.test_client()
    response = anonymous.get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert Calendar.from_ical(response.data).get("x-wr-calname").startswith("ACTION LMS")

    client.post("/account/calendar", data={"csrf_token": csrf})
    assert anonymous.get(path).status_code == 404


def test_build_calendar_writes_utc_times_and_status(app):
    from datetime import datetime
    from zoneinfo import ZoneInfo
    start = datetime(2027, 3, 28, 10, 0, tzinfo=ZoneInfo("Europe/Madrid"))  # DST day in Madrid
    ics = calendar.build_calendar([calendar.CalendarEvent(uid="x-1@test", starts_at=start, ends_at=start.replace(hour=11),
                                                          summary="Peer session", sequence=2, cancelled=True)])
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert event.decoded("dtstart").utcoffset().total_seconds() == 0
    assert event.decoded("dtstart").hour == 8  # 10:00 CEST is 08:00 UTC
    assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 2
