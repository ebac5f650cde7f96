"""The plan page in a browser, on the demo data (Graz's plan, both courses, practices of
other cities): the compact timeline fits one desktop screen and links straight to each
milestone; a failed update shows the error summary at the top, focused, linking to the
field; the fix shows the success message at the top; no serious accessibility problem.
Heights at 1280 and 390 px are printed (`-s`) and screenshots saved under
`$PLAN_PAGE_SHOTS` (default: the test's tmp_path)."""
from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import expect

from .conftest import assert_accessible, sign_in

COORDINATOR = ("coordinator@demo.action-lms.eu", "demo-coordinator-pass")


def demo_world():
    """The demo data with both courses imported; Graz's coordinator enrolled in the main
    course with its first lesson done (so the lessons show every state: done, open, locked
    by a prerequisite, and the other course's *Enroll*)."""
    from sqlalchemy import select

    from action_lms.accounts.models import User
    from action_lms.courses import services as courses
    from action_lms.courses.models import Lesson, Module
    from action_lms.demo import seed
    from action_lms.extensions import db
    from action_lms.plans.models import Plan

    result = courses.import_directory(Path(__file__).resolve().parents[2] / "courses")
    assert result.ok, [str(p) for p in result.problems]
    seed()
    coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR[0]))
    enrollment, _ = courses.enroll(coordinator, "drafting-local-action-plans")
    first = db.session.scalar(
        select(Lesson.id).join(Module, Module.id == Lesson.module_id).where(Lesson.course_id == enrollment.course_id)
        .order_by(Module.position, Lesson.position).limit(1)
    )
    courses.complete_lesson(coordinator, first)
    return Plan.query.filter_by(is_current=True).join(Plan.city).filter_by(name="Graz").one()


def measure(page, width: int, shots: Path, name: str) -> dict:
    page.set_viewport_size({"width": width, "height": 800})
    page.wait_for_timeout(100)
    figures = page.evaluate(
        """() => {
            const tl = document.querySelector('.plan-timeline');
            const box = tl ? tl.getBoundingClientRect() : null;
            return {height: document.documentElement.scrollHeight,
                    timeline_bottom: box ? Math.round(box.bottom + window.scrollY) : null};
        }"""
    )
    page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
    page.screenshot(path=str(shots / f"{name}-{width}-first-screen.png"))
    print(f"\n{name} at {width} px: document {figures['height']} px, timeline ends at {figures['timeline_bottom']} px")
    return figures


def test_timeline_to_milestone_error_summary_then_success(app, page, tmp_path):
    plan = demo_world()
    shots = Path(os.environ.get("PLAN_PAGE_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    sign_in(page, *COORDINATOR)
    page.goto("/my-city")

    desktop = measure(page, 1280, shots, "plan")
    phone = measure(page, 390, shots, "plan")
    assert desktop["timeline_bottom"] <= 800, desktop  # the whole timeline on the first 1280x800 screen
    assert desktop["height"] < 2600 and phone["height"] < 4500, (desktop, phone)  # 6,916 and 13,658 before
    page.set_viewport_size({"width": 1280, "height": 800})
    assert_accessible(page, "plan page")

    timeline = page.get_by_role("list", name="Milestones of the plan")
    expect(timeline.get_by_role("listitem")).to_have_count(9)
    timeline.get_by_role("link", name="Stakeholder consultation").click()
    page.wait_for_url("**milestone=stakeholder_consultation#milestone-stakeholder_consultation")
    step = page.locator("#milestone-stakeholder_consultation")
    expect(step.locator("details")).to_have_attribute("open", "")
    expect(step.get_by_label("Status")).to_be_visible()
    measure(page, 1280, shots, "milestone-open")
    measure(page, 390, shots, "milestone-open")
    page.set_viewport_size({"width": 1280, "height": 800})
    assert_accessible(page, "plan page, one milestone open")

    step.get_by_label("Status").select_option("completed")
    step.get_by_role("button", name="Save stakeholder consultation").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("Add an evidence link or a note")
    box = summary.bounding_box()
    assert box is not None and box["y"] < 400, box  # at the top of the page, not 3,800 px below
    step = page.locator("#milestone-stakeholder_consultation")
    expect(step.locator("details")).to_have_attribute("open", "")
    page.screenshot(path=str(shots / "error-1280-first-screen.png"))
    assert_accessible(page, "plan page with an error")
    summary.get_by_role("link").first.click()
    expect(step.get_by_label("Evidence link")).to_be_focused()

    step.get_by_label("Evidence link").fill("https://www.graz.at/consultation-2027")
    step.get_by_role("button", name="Save stakeholder consultation").click()
    message = page.get_by_text("Stakeholder consultation: saved (completed)")
    expect(message).to_be_in_viewport()
    page.screenshot(path=str(shots / "success-1280-first-screen.png"))
    step = page.locator("#milestone-stakeholder_consultation")
    expect(step.locator("details")).to_have_attribute("open", "")
    expect(step.get_by_text("Status: Not started \u2192 Completed")).to_be_visible()
    assert plan.id
