"""HTML pages of the webinars domain: list, webinar page, my webinars, and the admin
pages to schedule, edit, cancel, see registrations and mark attendance."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..core.calendar import calendar_response
from ..core.csvfile import csv_response
from ..core.errors import DomainError, Invalid
from ..core.forms import EmptyForm, apply_errors
from ..core.i18n import _
from . import services
from .forms import CancelForm, WebinarForm

bp = Blueprint("webinars", __name__)

FIELD_MAP = {"starts_at": "starts_local", "registration_closes_at": "closes_local"}


@bp.route("/webinars")
@login_required
def index():
    when = "past" if request.args.get("when") == "past" else "upcoming"
    pagination = services.webinars_page(current_user, when, request.args.get("page", 1, type=int))
    return render_template(
        "webinars/index.html",
        pagination=pagination,
        items=pagination.items,
        when=when,
        can_create=services.can_create_webinar(current_user),
    )


@bp.route("/webinars/<int:webinar_id>")
@login_required
def detail(webinar_id):
    item = services.webinar_detail(current_user, webinar_id)
    return render_template(
        "webinars/detail.html",
        w=item,
        form=EmptyForm(),
        milestones=services.milestone_titles(),
        modules=services.module_titles(item["course_module_keys"]),
        can=services.webinar_permissions(current_user, item["obj"], item["my_registration"]),
    )


@bp.route("/webinars/<int:webinar_id>/register", methods=["POST"])
@login_required
def register(webinar_id):
    if EmptyForm().validate_on_submit():
        try:
            reg = services.register(current_user, webinar_id)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            if reg.status == "confirmed":
                flash(_("You are registered. A confirmation with a calendar file is on its way."), "success")
            else:
                flash(
                    _(
                        "The webinar is full: you are on the waitlist at position %(position)s.",
                        position=reg.waitlist_position,
                    ),
                    "warning",
                )
    return redirect(url_for("webinars.detail", webinar_id=webinar_id))


@bp.route("/webinars/<int:webinar_id>/unregister", methods=["POST"])
@login_required
def unregister(webinar_id):
    if EmptyForm().validate_on_submit():
        try:
            services.cancel_registration(current_user, webinar_id)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Your registration is cancelled."), "info")
    return redirect(url_for("webinars.detail", webinar_id=webinar_id))


@bp.route("/webinars/<int:webinar_id>/calendar.ics")
@login_required
def calendar(webinar_id):
    events, filename = services.webinar_calendar(current_user, webinar_id)
    return calendar_response(events, filename, name=events[0].summary)


@bp.route("/my/webinars")
@login_required
def mine():
    return render_template("webinars/mine.html", mine=services.my_webinars(current_user))


# ---------------------------------------------------------------- admin pages


def _form_data(form: WebinarForm, webinar=None) -> dict:
    """The form's fields as service input; local wall-clock times become UTC here."""
    tz = form.timezone.data
    data = {
        "title": form.title.data,
        "description": form.description.data or "",
        "timezone": tz,
        "duration_minutes": form.duration_minutes.data,
        "capacity": form.capacity.data,
        "join_url": form.join_url.data,
        "recording_url": form.recording_url.data,
        "status": form.status.data,
        "milestone_keys": form.milestone_keys.data or [],
        "course_module_keys": form.course_module_keys.data or [],
    }
    errors: dict = {}
    try:
        starts_at = services.local_to_utc(form.starts_local.data, tz, "starts_at")
        # The form has minute precision: an unchanged minute keeps the stored time.
        if webinar is None or starts_at != webinar.starts_at.replace(second=0, microsecond=0):
            data["starts_at"] = starts_at
    except Invalid as exc:
        errors.update(exc.errors or {})
    try:
        data["registration_closes_at"] = (
            services.local_to_utc(form.closes_local.data, tz, "registration_closes_at")
            if form.closes_local.data
            else None
        )
    except Invalid as exc:
        errors.update(exc.errors or {})
    if errors:
        raise Invalid(_("Some fields are invalid."), errors)
    return data


@bp.route("/webinars/new", methods=["GET", "POST"])
@bp.route("/webinars/<int:webinar_id>/edit", methods=["GET", "POST"])
@login_required
def edit(webinar_id=None):
    services.policy.require(current_user, "webinar.update" if webinar_id else "webinar.create")
    webinar = services.get_webinar(current_user, webinar_id) if webinar_id else None
    modules, module_groups = services.module_picker(webinar.course_module_keys if webinar else ())
    form = WebinarForm(
        milestones=services.milestone_choices(),
        modules=modules,
        closes_minutes_before=services.registration_closes_minutes_before(),
    )
    if request.method == "GET":
        if webinar is not None:
            _fill(form, webinar)
        else:
            form.timezone.data = current_user.timezone
            form.duration_minutes.data = 60
            form.capacity.data = 50
            form.status.data = "published"
    if form.validate_on_submit():
        try:
            data = _form_data(form, webinar)
            if webinar is None:
                webinar = services.create_webinar(current_user, data)
                flash(
                    _("The webinar is scheduled.") if webinar.status == "published" else _("The draft is saved."),
                    "success",
                )
            else:
                services.update_webinar(current_user, webinar.id, data)
                flash(_("The webinar is saved. People registered are told of any change of time."), "success")
            return redirect(url_for("webinars.detail", webinar_id=webinar.id))
        except DomainError as exc:
            apply_errors(form, exc, FIELD_MAP)
    status = 200 if request.method == "GET" else 422
    return render_template("webinars/form.html", form=form, webinar=webinar, module_groups=module_groups), status


def _fill(form: WebinarForm, webinar) -> None:
    form.title.data = webinar.title
    form.description.data = webinar.description
    form.timezone.data = webinar.timezone
    form.starts_local.data = services.utc_to_local(webinar.starts_at, webinar.timezone)
    # A deadline the office did not choose stays empty, so that it keeps following the start.
    closes = webinar.registration_closes_at
    if services.is_default_deadline(closes, webinar.starts_at):
        closes = None
    form.closes_local.data = services.utc_to_local(closes, webinar.timezone)
    form.duration_minutes.data = webinar.duration_minutes
    form.capacity.data = webinar.capacity
    form.join_url.data = webinar.join_url or ""
    form.recording_url.data = webinar.recording_url or ""
    form.status.data = webinar.status if webinar.status != "cancelled" else "published"
    form.milestone_keys.data = list(webinar.milestone_keys or [])
    form.course_module_keys.data = list(webinar.course_module_keys or [])


@bp.route("/webinars/<int:webinar_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(webinar_id):
    services.policy.require(current_user, "webinar.cancel")
    item = services.webinar_detail(current_user, webinar_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            services.cancel_webinar(current_user, webinar_id, form.reason.data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash(_("The webinar is cancelled and everyone registered has been told."), "success")
            return redirect(url_for("webinars.detail", webinar_id=webinar_id))
    return render_template("webinars/cancel.html", form=form, w=item), 200 if request.method == "GET" else 422


@bp.route("/webinars/<int:webinar_id>/registrations", methods=["GET", "POST"])
@login_required
def registrations(webinar_id):
    services.policy.require(current_user, "webinar.registrations")
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        ids = [int(v) for v in request.form.getlist("attended") if v.isdigit()]
        try:
            result = services.record_attendance(current_user, webinar_id, ids, replace=True)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Attendance saved: %(num)s attended.", num=result["attended_count"]), "success")
        return redirect(url_for("webinars.registrations", webinar_id=webinar_id))
    item = services.webinar_detail(current_user, webinar_id)
    regs = services.list_registrations(current_user, webinar_id)
    return render_template("webinars/registrations.html", w=item, regs=regs, form=form)


@bp.route("/webinars/<int:webinar_id>/registrations.csv")
@login_required
def registrations_csv(webinar_id):
    filename, text = services.registrations_csv(current_user, webinar_id)
    return csv_response(text, filename)
