"""`flask plans list`: every city's current plan for the operator, one line each."""

from datetime import date, timedelta

from action_lms.core.time import utcnow
from action_lms.plans.template import MILESTONES

from ..factories import make_city, make_plan


def _lines(result) -> list[list[str]]:
    assert result.exit_code == 0, result.output
    return [line.split("\t") for line in result.output.splitlines()]


def _cities(session):
    graz = make_city("Graz", country="AT", timezone="Europe/Vienna")
    make_city("Bologna", country="IT", timezone="Europe/Rome")
    heidelberg = make_city("Heidelberg", country="DE", timezone="Europe/Berlin")
    make_plan(graz, title="Graz plan 2020", created_at=utcnow() - timedelta(days=900))
    make_plan(
        graz,
        title="Graz plan 2027",
        statuses={"political_mandate": "completed", "coordination_team": "completed"},
        due={"baseline_assessment": date(2024, 1, 31), "stakeholder_consultation": date(2099, 1, 31)},
    )
    make_plan(heidelberg, title="Heidelberg plan")


def test_lists_each_citys_current_plan_with_progress_phase_and_overdue_count(app, session):
    _cities(session)
    rows = _lines(app.test_cli_runner().invoke(args=["plans", "list"]))
    assert rows == [
        ["Bologna", "", "", "No plan", "", ""],
        ["Graz", "Graz plan 2027", "22%", MILESTONES[2].phase, "1", "current"],
        ["Heidelberg", "Heidelberg plan", "0%", MILESTONES[0].phase, "0", "current"],
    ]


def test_all_adds_earlier_plans_and_city_keeps_one_city(app, session):
    _cities(session)
    runner = app.test_cli_runner()
    rows = _lines(runner.invoke(args=["plans", "list", "--all"]))
    assert [(r[0], r[1], r[5]) for r in rows] == [
        ("Bologna", "", ""),
        ("Graz", "Graz plan 2027", "current"),
        ("Graz", "Graz plan 2020", "earlier"),
        ("Heidelberg", "Heidelberg plan", "current"),
    ]
    assert [r[1] for r in _lines(runner.invoke(args=["plans", "list", "--city", "graz"]))] == ["Graz plan 2027"]
    assert [r[1] for r in _lines(runner.invoke(args=["plans", "list", "--city", "GRAZ", "--all"]))] == [
        "Graz plan 2027",
        "Graz plan 2020",
    ]
    assert _lines(runner.invoke(args=["plans", "list", "--city", "Bologna"])) == [
        ["Bologna", "", "", "No plan", "", ""]
    ]


def test_refuses_an_unknown_city_and_says_when_there_are_no_cities(app, session):
    runner = app.test_cli_runner()
    assert _lines(runner.invoke(args=["plans", "list"])) == [["No cities."]]
    unknown = runner.invoke(args=["plans", "list", "--city", "Atlantis"])
    assert unknown.exit_code != 0 and "Atlantis" in unknown.output


def test_the_list_takes_a_fixed_number_of_queries(app, session, count_queries):
    runner = app.test_cli_runner()

    def count_for(n):
        for i in range(n):
            make_plan(make_city(f"City {n}-{i}"), statuses={"political_mandate": "completed"})
        with count_queries() as q:
            assert len(_lines(runner.invoke(args=["plans", "list", "--all"]))) >= n
        return q.count

    assert count_for(2) == count_for(6)
