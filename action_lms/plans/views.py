"""HTML pages of the plans domain: a city's plans, the plan page (timeline, what to learn
next, next consulting session, an edit form per milestone), history, all plans (admin)
and the cross-city overview with its SVG chart and CSV export."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..core.csvfile import csv_response
from ..core.errors import DomainError
from ..core.forms import EmptyForm, apply_errors
from . import services
from .forms import MilestoneForm, PlanForm
from .models import STATUS_LABELS
from .template import COMMITMENTS

bp = Blueprint("plans", __name__)


def _milestone_forms(plan, failed_key=None, failed_form=None):
    forms = {}
    for m in plan.milestones:
        if m.key == failed_key and failed_form is not None:
            forms[m.key] = failed_form
        else:
            forms[m.key] = MilestoneForm(formdata=None, obj=m, prefix=m.key)
    return forms


def _render_plan(plan, dashboard: bool = False, failed_key=None, failed_form=None, status=200):
    page = services.plan_page(current_user, plan)
    return render_template(
        "plans/plan.html",
        plan=plan,
        city=plan.city,
        dashboard=dashboard,
        forms=_milestone_forms(plan, failed_key, failed_form) if page["can_edit"] else {},
        open_key=failed_key,
        empty_form=EmptyForm(),
        **page,
    ), status


@bp.route("/my-city")
@login_required
def my_city():
    """The city dashboard: the city's current plan for its coordinator and learners."""
    city_id = services.viewer_city_id(current_user)
    plan = services.current_plan(current_user, city_id)
    if plan is None:
        data = services.dashboard(current_user, city_id)
        return render_template("plans/no_plan.html", city=data["city"], data=data)
    return _render_plan(plan, dashboard=True)


@bp.route("/cities/<int:city_id>/plans")
@login_required
def city_plans(city_id):
    plans = services.list_city_plans(current_user, city_id)
    city = services.city_or_404(city_id)
    return render_template(
        "plans/city_plans.html",
        city=city,
        plans=plans,
        can_edit=services.can_edit_city(current_user, city_id),
        progress=services.progress_percent,
        phase=services.current_phase,
        empty_form=EmptyForm(),
    )


@bp.route("/cities/<int:city_id>/plans/new", methods=["GET", "POST"])
@login_required
def new_plan(city_id):
    services.policy.require(current_user, "plan.create")
    city = services.city_or_404(city_id)
    services.require_editor(current_user, city_id)
    form = PlanForm(commitments=COMMITMENTS)
    if form.validate_on_submit():
        try:
            plan = services.create_plan(current_user, city_id, form.title.data, form.focus.data, form.commitments.data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash(f"The plan \u201c{plan.title}\u201d is now {city.name}'s current plan.", "success")
            return redirect(url_for("plans.plan_page", plan_id=plan.id))
    status = 422 if request.method == "POST" else 200
    return render_template("plans/plan_form.html", form=form, city=city, plan=None), status


@bp.route("/plans/<int:plan_id>")
@login_required
def plan_page(plan_id):
    plan = services.get_plan(current_user, plan_id)
    return _render_plan(plan)


@bp.route("/plans/<int:plan_id>/milestones/<key>", methods=["POST"])
@login_required
def update_milestone(plan_id, key):
    plan = services.get_plan(current_user, plan_id)
    if key not in {m.key for m in plan.milestones}:
        abort(404)
    form = MilestoneForm(prefix=key)
    if form.validate_on_submit():
        changes = {name: getattr(form, name).data for name in services.MILESTONE_FIELDS}
        try:
            milestone = services.update_milestone(current_user, plan_id, key, changes)
        except DomainError as exc:
            if exc.code != 422:
                raise
            apply_errors(form, exc)
        else:
            flash(f"{milestone.title}: saved ({STATUS_LABELS[milestone.status].lower()}).", "success")
            return redirect(url_for("plans.plan_page", plan_id=plan_id, _anchor=f"milestone-{key}"))
    plan = services.get_plan(current_user, plan_id)
    return _render_plan(plan, failed_key=key, failed_form=form, status=422)


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
def edit_plan(plan_id):
    plan = services.get_plan(current_user, plan_id)
    services.require_editor(current_user, plan.city_id)
    form = PlanForm(obj=plan, commitments=COMMITMENTS)
    if form.validate_on_submit():
        try:
            services.update_plan(
                current_user,
                plan_id,
                {"title": form.title.data, "focus": form.focus.data, "commitments": form.commitments.data},
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash("The plan is saved.", "success")
            return redirect(url_for("plans.plan_page", plan_id=plan_id))
    status = 422 if request.method == "POST" else 200
    return render_template("plans/plan_form.html", form=form, city=plan.city, plan=plan), status


@bp.route("/plans/<int:plan_id>/make-current", methods=["POST"])
@login_required
def make_current(plan_id):
    if EmptyForm().validate_on_submit():
        plan = services.make_current(current_user, plan_id)
        flash(f"\u201c{plan.title}\u201d is now the city's current plan.", "success")
    return redirect(url_for("plans.plan_page", plan_id=plan_id))


@bp.route("/plans/<int:plan_id>/history")
@login_required
def history(plan_id):
    plan = services.get_plan(current_user, plan_id)
    entries = services.history_page(current_user, plan_id, request.args.get("page", 1, type=int))
    return render_template("plans/history.html", plan=plan, entries=entries, label=services.history_label)


@bp.route("/plans")
@login_required
def all_plans():
    country = (request.args.get("country") or "").strip().upper() or None
    plans = services.list_all_plans(current_user, country)
    return render_template(
        "plans/all_plans.html",
        plans=plans,
        country=country,
        progress=services.progress_percent,
        phase=services.current_phase,
    )


def _overview_args() -> dict:
    return {
        "country": (request.args.get("country") or "").strip() or None,
        "phase": request.args.get("phase") or None,
        "sort": request.args.get("sort") or "city",
        "order": request.args.get("order") or "asc",
    }


@bp.route("/progress/cities")
@login_required
def overview():
    services.policy.require(current_user, "overview.view")
    args = _overview_args()
    try:
        data = services.overview(current_user, **args)
    except DomainError as exc:
        if exc.code != 422:
            raise
        flash(exc.message + " " + " ".join(m for ms in (exc.errors or {}).values() for m in ms), "error")
        return redirect(url_for("plans.overview"))
    from ..accounts.services import all_cities

    countries = sorted({c.country for c in all_cities()})
    return render_template(
        "plans/overview.html",
        data=data,
        args=args,
        countries=countries,
        phases=services.ALL_PHASES,
        base_sorts=services.BASE_SORTS,
    )


@bp.route("/progress/cities.csv")
@login_required
def overview_csv():
    data = services.overview(current_user, **_overview_args())
    return csv_response(services.overview_csv(data), "cities-progress.csv")
