"""HTML pages of the plans domain: a city's plans, the plan page (a compact timeline linking
to each milestone's details: evidence, latest changes, resources, actions and its update
form, whose errors are summarised at the top), history in words, all plans (admin) and
the cross-city overview with its SVG chart and CSV export."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..core.csvfile import csv_response
from ..core.errors import DomainError
from ..core.forms import EmptyForm, apply_errors
from ..core.i18n import _
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


def error_summary(form) -> list[tuple[str, str]]:
    """(field id, message) for the summary at the top of the page, each message once: the
    form's own errors point at its first field, a field's errors at the field."""
    first = next((f.id for name, f in form._fields.items() if name != "csrf_token"), "")
    found: list[tuple[str, str]] = [(first, message) for message in getattr(form, "form_errors", [])]
    for name, f in form._fields.items():
        for message in f.errors or []:
            found.append((first if name == "csrf_token" else f.id, str(message)))
    seen: set[str] = set()
    unique = []
    for target, message in found:
        if message not in seen:
            seen.add(message)
            unique.append((target, message))
    return unique


def _render_plan(plan, dashboard: bool = False, failed_key=None, failed_form=None, status=200):
    page = services.plan_page(current_user, plan)
    keys = {m.key for m in plan.milestones}
    selected = failed_key or (request.args.get("milestone") if request.args.get("milestone") in keys else None)

    def milestone_url(key: str) -> str:
        """The plan page with this milestone open, scrolled to it (no JavaScript needed)."""
        if dashboard:
            return url_for("plans.my_city", milestone=key, _anchor=f"milestone-{key}")
        return url_for("plans.plan_page", plan_id=plan.id, milestone=key, _anchor=f"milestone-{key}")

    return render_template(
        "plans/plan.html",
        plan=plan,
        city=plan.city,
        dashboard=dashboard,
        forms=_milestone_forms(plan, failed_key, failed_form) if page["can_edit"] else {},
        open_key=selected,
        failed_key=failed_key,
        errors=error_summary(failed_form) if failed_form is not None else [],
        milestone_url=milestone_url,
        describe=services.describe_change,
        actor=services.actor_label,
        format_day=services.format_day,
        phase_label=services.phase_label,
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
        phase_label=services.phase_label,
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
            flash(
                _("The plan \u201c%(title)s\u201d is now %(city)s's current plan.", title=plan.title, city=city.name),
                "success",
            )
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
            flash(
                _(
                    "%(milestone)s: saved (%(status)s).",
                    milestone=milestone.title,
                    status=str(STATUS_LABELS[milestone.status]).lower(),
                ),
                "success",
            )
            # No #anchor: the page opens at the top, where the message is, with the milestone open.
            return redirect(url_for("plans.plan_page", plan_id=plan_id, milestone=key))
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
            flash(_("The plan is saved."), "success")
            return redirect(url_for("plans.plan_page", plan_id=plan_id))
    status = 422 if request.method == "POST" else 200
    return render_template("plans/plan_form.html", form=form, city=plan.city, plan=plan), status


@bp.route("/plans/<int:plan_id>/make-current", methods=["POST"])
@login_required
def make_current(plan_id):
    if EmptyForm().validate_on_submit():
        plan = services.make_current(current_user, plan_id)
        flash(_("\u201c%(title)s\u201d is now the city's current plan.", title=plan.title), "success")
    return redirect(url_for("plans.plan_page", plan_id=plan_id))


@bp.route("/plans/<int:plan_id>/history")
@login_required
def history(plan_id):
    plan = services.get_plan(current_user, plan_id)
    entries = services.history_page(current_user, plan_id, request.args.get("page", 1, type=int))
    return render_template(
        "plans/history.html",
        plan=plan,
        entries=entries,
        label=services.history_label,
        describe=services.describe_change,
        actor=services.actor_label,
    )


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
        phase_label=services.phase_label,
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
        flash(" ".join(str(m) for m in [exc.message, *(m for ms in (exc.errors or {}).values() for m in ms)]), "error")
        return redirect(url_for("plans.overview"))
    from ..accounts.services import all_cities

    countries = sorted({c.country for c in all_cities()})
    return render_template(
        "plans/overview.html",
        data=data,
        args=args,
        countries=countries,
        phases=services.ALL_PHASES,
        phase_label=services.phase_label,
        base_sorts=services.BASE_SORTS,
    )


@bp.route("/progress/cities/recount", methods=["POST"])
@login_required
def recount_overview():
    """The office's "Count again now": the counted figures, now rather than at the next refresh."""
    services.recount_city_figures(current_user)
    flash(_("The figures were counted again."), "success")
    return redirect(url_for("plans.overview", **{k: v for k, v in _overview_args().items() if v}))


@bp.route("/progress/cities.csv")
@login_required
def overview_csv():
    data = services.overview(current_user, **_overview_args())
    return csv_response(services.overview_csv(data), "cities-progress.csv")
