"""`flask consulting bookings`: every city's bookings for the operator, one line each."""

from datetime import UTC, datetime, timedelta

from action_lms.core.time import utcnow

from ..factories import make_booking, make_city, make_consultant, make_slot, make_user


def _lines(result) -> list[list[str]]:
    assert result.exit_code == 0, result.output
    return [line.split("\t") for line in result.output.splitlines()]


def test_lists_every_booking_with_its_start_city_consultant_topic_and_status(app, session):
    ana = make_consultant(name="Ana Expert")
    graz = make_city("Graz", country="AT", timezone="Europe/Vienna")
    bologna = make_city("Bologna", country="IT", timezone="Europe/Rome")
    past = make_booking(
        make_slot(ana, datetime(2025, 3, 3, 9, tzinfo=UTC)),
        booked_by=make_user("coordinator", city=graz),
        topic="Baseline data",
        status="held",
    )
    soon = make_booking(
        make_slot(ana, utcnow().replace(microsecond=0, second=0) + timedelta(days=3)),
        booked_by=make_user("coordinator", city=bologna),
        topic="Indicators",
    )
    runner = app.test_cli_runner()

    rows = _lines(runner.invoke(args=["consulting", "bookings"]))
    assert rows == [
        [str(past.id), "2025-03-03T09:00:00Z", "Graz", "Ana Expert", "Baseline data", "held"],
        [
            str(soon.id),
            soon.slot.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Bologna",
            "Ana Expert",
            "Indicators",
            "booked",
        ],
    ]
    assert [r[0] for r in _lines(runner.invoke(args=["consulting", "bookings", "--upcoming"]))] == [str(soon.id)]
    assert [r[0] for r in _lines(runner.invoke(args=["consulting", "bookings", "--city", "graz"]))] == [str(past.id)]
    assert [r[0] for r in _lines(runner.invoke(args=["consulting", "bookings", "--status", "booked"]))] == [
        str(soon.id)
    ]
    assert _lines(runner.invoke(args=["consulting", "bookings", "--city", "Graz", "--upcoming"])) == [["No bookings."]]


def test_refuses_an_unknown_city_or_status(app, session):
    runner = app.test_cli_runner()
    unknown_city = runner.invoke(args=["consulting", "bookings", "--city", "Atlantis"])
    assert unknown_city.exit_code != 0 and "Atlantis" in unknown_city.output
    unknown_status = runner.invoke(args=["consulting", "bookings", "--status", "lost"])
    assert unknown_status.exit_code != 0 and "lost" in unknown_status.output
