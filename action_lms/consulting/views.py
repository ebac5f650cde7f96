"""HTML pages of the consulting domain: week of open slots, booking form, bookings, a booking's page
(with cancel/move), the consultant's schedule, the notes form, the profile form, the admin overview."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..core.calendar import calendar_response
from ..core.errors import DomainError, Invalid
from ..core.forms import EmptyForm, apply_errors
from ..core.i18n import _, format_in_zone
from ..core.time import format_local, utcnow, zone
from ..core.validators import EARLIEST_YEAR, LATEST_YEAR
from ..core.web import viewer_timezone
from ..plans.template import COMMITMENTS
from . import services
from .forms import (
    AvailabilityForm,
    BookingForm,
    CancelForm,
    MeetingLinkForm,
    NotesForm,
    ProfileForm,
    RescheduleForm,
    SlotForm,
)
from .models import Booking

bp = Blueprint("consulting", __name__)


def _failed(form, exc: DomainError) -> int:
    """Show a service error on the form; refusals that are not about the form are raised."""
    if exc.code in (401, 403, 404):
        raise exc
    apply_errors(form, exc)
    return exc.code


def _week_start(value: str | None) -> date:
    """The Monday of the week asked for; today's week for a date that is not one, or is
    outside the years the service knows (a week of 9999 would overflow the calendar)."""
    today = utcnow().astimezone(zone(current_user.timezone)).date()
    try:
        day = date.fromisoformat(value) if value else today
    except ValueError:
        day = today
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        day = today
    return day - timedelta(days=day.weekday())


@bp.app_template_filter("slot_time")
def slot_time(value, tz_name: str | None = None, fmt: str = "%a %d %b %Y, %H:%M", zone_name: bool = True) -> str:
    """A slot's time in a zone (the viewer's by default), like `local_time`, optionally
    without the zone's abbreviation (`core.time.to_zone` keeps edge-of-calendar times in UTC)."""
    return format_in_zone(value, tz_name or viewer_timezone(), fmt, zone_name)


@bp.app_template_filter("consulting_status")
def consulting_status(value: str) -> str:
    """A slot's or a booking's status as people read it ("no show"); the value stays the CSS class."""
    return services.status_label(value)


# ---------------------------------------------------------------- slots and booking


@bp.route("/consulting")
@login_required
def slots_week():
    week = _week_start(request.args.get("week"))
    consultant_id = request.args.get("consultant_id", type=int)
    expertise = request.args.get("expertise", type=int)
    data = services.week_of_slots(current_user, week, consultant_id, expertise)
    return render_template(
        "consulting/slots_week.html",
        week=week,
        data=data,
        consultants=services.list_consultants(current_user),
        consultant_id=consultant_id,
        expertise=expertise,
        commitments=COMMITMENTS,
        can_book=services.policy.allows(current_user, "booking.create"),
        scope=services.booking_scope(current_user),
        prev_week=week - timedelta(days=7),
        next_week=week + timedelta(days=7),
    )


@bp.route("/consulting/slots/<int:slot_id>/book", methods=["GET", "POST"])
@login_required
def book(slot_id):
    services.policy.require(current_user, "booking.create")
    slot = services.annotate_slots([services.get_slot(current_user, slot_id)])[0]
    for_any_city = services.can_book_for_any_city(current_user)
    form = BookingForm(cities=services.bookable_cities(current_user))
    if not for_any_city:
        del form.city_id
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                booking = services.book_slot(
                    current_user,
                    slot.id,
                    form.topic.data,
                    form.questions.data,
                    form.milestone_key.data or None,
                    form.city_id.data if for_any_city else None,
                    form.meeting_link.data or None,
                )
            except DomainError as exc:
                status = _failed(form, exc)
            else:
                flash(
                    _("The session is booked. The expert has your questions; you will get a confirmation e-mail."),
                    "success",
                )
                return redirect(url_for("consulting.booking_page", booking_id=booking.id))
    return render_template("consulting/book.html", form=form, slot=slot), status


# ---------------------------------------------------------------- bookings


@bp.route("/consulting/bookings")
@login_required
def bookings():
    status = request.args.get("status") or None
    upcoming, past = services.upcoming_and_past_bookings(current_user, status)
    return render_template(
        "consulting/bookings.html",
        upcoming=upcoming,
        past=past,
        status=status,
        statuses=Booking.STATUSES,
        scope=services.booking_scope(current_user),
    )


def _booking_page(booking, cancel_form=None, reschedule_form=None, meeting_link_form=None, status=200):
    services.annotate_slots([booking])
    can = {
        "cancel": services.can_cancel_booking(current_user, booking),
        "reschedule": services.can_reschedule_booking(current_user, booking),
        "notes": services.can_write_notes(current_user, booking),
        "meeting_link": services.can_set_meeting_link(current_user, booking),
    }
    if meeting_link_form is None and booking.status == Booking.BOOKED and can["meeting_link"]:
        meeting_link_form = MeetingLinkForm(formdata=None, data={"meeting_link": booking.meeting_link or ""})
    if reschedule_form is None and booking.status == Booking.BOOKED and can["reschedule"]:
        reschedule_form = RescheduleForm(formdata=None)
    if reschedule_form is not None:
        reschedule_form.slot_id.choices = [("", _("— choose a new time —"))] + [
            (s.id, format_local(s.starts_at, current_user.timezone))
            for s in services.open_slots_for_reschedule(current_user, booking)
        ]
    return render_template(
        "consulting/booking.html",
        booking=booking,
        can=can,
        cancel_form=cancel_form or CancelForm(formdata=None),
        reschedule_form=reschedule_form,
        meeting_link_form=meeting_link_form,
        now=utcnow(),
    ), status


@bp.route("/consulting/bookings/<int:booking_id>")
@login_required
def booking_page(booking_id):
    return _booking_page(services.get_booking(current_user, booking_id))


def _post_on_booking(booking_id: int, form, form_arg: str, change: Callable[[], object], done: str):
    """A form posted from a booking's page: make the change and go back to the page, or show
    the page again with the form's errors (422 when the form itself does not validate)."""
    status = 422
    if form.validate_on_submit():
        try:
            change()
        except DomainError as exc:
            status = _failed(form, exc)
        else:
            flash(done, "success")
            return redirect(url_for("consulting.booking_page", booking_id=booking_id))
    return _booking_page(services.get_booking(current_user, booking_id), status=status, **{form_arg: form})


@bp.route("/consulting/bookings/<int:booking_id>/cancel", methods=["POST"])
@login_required
def cancel(booking_id):
    form = CancelForm()
    return _post_on_booking(
        booking_id,
        form,
        "cancel_form",
        lambda: services.cancel_booking(current_user, booking_id, form.reason.data),
        _("The booking is cancelled and both sides are told. The slot is open again."),
    )


@bp.route("/consulting/bookings/<int:booking_id>/reschedule", methods=["POST"])
@login_required
def reschedule(booking_id):
    form = RescheduleForm()
    form.slot_id.choices = (
        [(int(request.form.get("slot_id") or 0), "")] if request.form.get("slot_id", "").isdigit() else []
    )
    return _post_on_booking(
        booking_id,
        form,
        "reschedule_form",
        lambda: services.reschedule_booking(current_user, booking_id, form.slot_id.data),
        _("The session has moved. Both sides get the new time and calendar file."),
    )


@bp.route("/consulting/bookings/<int:booking_id>/meeting-link", methods=["POST"])
@login_required
def meeting_link(booking_id):
    form = MeetingLinkForm()
    return _post_on_booking(
        booking_id,
        form,
        "meeting_link_form",
        lambda: services.set_meeting_link(current_user, booking_id, form.meeting_link.data),
        _("Where to meet is saved. Both sides are told, with the updated calendar file."),
    )


@bp.route("/consulting/bookings/<int:booking_id>/calendar.ics")
@login_required
def booking_ics(booking_id):
    events, filename = services.booking_calendar(current_user, booking_id)
    return calendar_response(events, filename, name=_("ACTION consulting"))


@bp.route("/consulting/bookings/<int:booking_id>/notes", methods=["GET", "POST"])
@login_required
def notes(booking_id):
    services.policy.require(current_user, "booking.notes")
    booking = services.get_booking(current_user, booking_id)
    if request.method == "GET":
        form = NotesForm(
            formdata=None,
            data={
                "status": booking.status if booking.status in ("held", "no_show") else "held",
                "summary": booking.summary or "",
                "follow_ups": [
                    {"text": f.text, "owner": f.owner, "due_date": f.due_date, "milestone_key": f.milestone_key or ""}
                    for f in booking.follow_ups
                ],
            },
        )
        while len(form.follow_ups) < len(booking.follow_ups) + 2:
            form.follow_ups.append_entry()
        return render_template("consulting/notes.html", form=form, booking=booking)
    form = NotesForm()
    status = 422
    if form.validate_on_submit():
        filled = [e for e in form.follow_ups if (e.form.text.data or "").strip() or (e.form.owner.data or "").strip()]
        items = [
            {
                "text": e.form.text.data,
                "owner": e.form.owner.data,
                "due_date": e.form.due_date.data,
                "milestone_key": e.form.milestone_key.data or None,
            }
            for e in filled
        ]
        try:
            services.record_notes(current_user, booking.id, form.summary.data, items, form.status.data)
        except DomainError as exc:
            if exc.code in (401, 403, 404):
                raise
            status = exc.code
            if not _place_follow_up_errors(filled, exc):
                apply_errors(form, exc)
        else:
            flash(_("The notes are saved; the city sees them on its booking."), "success")
            return redirect(url_for("consulting.booking_page", booking_id=booking_id))
    booking = services.get_booking(current_user, booking_id)
    return render_template("consulting/notes.html", form=form, booking=booking), status


def _place_follow_up_errors(filled: list, exc: DomainError) -> bool:
    """The service names a follow-up field `follow_ups.<i>.<name>`, <i> counting the rows it was
    given (the filled ones): show each message on that row's field. True if any was placed."""
    placed = False
    for key, messages in (exc.errors or {}).items() if isinstance(exc, Invalid) else ():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "follow_ups" and parts[1].isdigit() and int(parts[1]) < len(filled):
            field = getattr(filled[int(parts[1])].form, parts[2], None)
            if field is not None:
                field.errors = list(field.errors or []) + list(messages)
                placed = True
    return placed


# ---------------------------------------------------------------- consultant's schedule and profile


def _consultant_arg(consultant_id: int | None) -> int | None:
    """The consultant named in the page's links and forms: only for those who manage anyone's."""
    return consultant_id if services.can_manage_any_consultant(current_user) else None


def _schedule_page(availability_form=None, slot_form=None, status=200):
    consultant_id = request.values.get("consultant_id", type=int)
    if services.can_manage_any_consultant(current_user) and consultant_id is None:
        services.policy.require(current_user, "slot.manage")
        consultants = services.list_consultants(current_user)
        return render_template("consulting/choose_consultant.html", consultants=consultants), status
    data = services.consultant_schedule(current_user, consultant_id)
    if availability_form is None:
        availability_form = AvailabilityForm(formdata=None)
        availability_form.timezone.data = data["zone"]
        availability_form.slot_minutes.data = 60
        availability_form.buffer_minutes.data = 0
        availability_form.start_time.data, availability_form.end_time.data = "09:00", "12:00"
    return render_template(
        "consulting/schedule.html",
        data=data,
        availability_form=availability_form,
        slot_form=slot_form or SlotForm(formdata=None),
        result=None,
        consultant_arg=_consultant_arg(consultant_id),
    ), status


@bp.route("/consulting/schedule")
@login_required
def schedule():
    return _schedule_page()


@bp.route("/consulting/schedule/availability", methods=["POST"])
@login_required
def publish():
    form = AvailabilityForm()
    if form.validate_on_submit():
        try:
            result = services.publish_availability(
                current_user,
                form.weekdays.data,
                form.start_time.data,
                form.end_time.data,
                form.timezone.data,
                form.slot_minutes.data,
                form.valid_from.data,
                form.valid_until.data,
                form.buffer_minutes.data or 0,
                request.form.get("consultant_id", type=int),
            )
        except DomainError as exc:
            return _schedule_page(availability_form=form, status=_failed(form, exc))
        flash(_("%(num)d slots published.", num=len(result.slots)), "success")
        for skipped in result.skipped[:20]:
            flash(_("Skipped %(time)s: %(reason)s", time=skipped.local, reason=skipped.reason), "warning")
        if len(result.skipped) > 20:
            flash(_("… and %(num)d more times skipped.", num=len(result.skipped) - 20), "warning")
        return redirect(url_for("consulting.schedule", consultant_id=request.form.get("consultant_id", type=int)))
    return _schedule_page(availability_form=form, status=422)


@bp.route("/consulting/schedule/slots", methods=["POST"])
@login_required
def add_slot():
    form = SlotForm()
    consultant_id = request.form.get("consultant_id", type=int)
    if form.validate_on_submit():
        try:
            local = datetime.strptime(form.starts_at.data, "%Y-%m-%dT%H:%M")
        except ValueError:
            form.starts_at.errors = [_("Use a date and time, e.g. 2027-03-01 10:00.")]
        else:
            try:
                services.create_local_slot(current_user, local, form.duration_minutes.data, consultant_id)
            except DomainError as exc:
                return _schedule_page(slot_form=form, status=_failed(form, exc))
            flash(_("The slot is added."), "success")
            return redirect(url_for("consulting.schedule", consultant_id=consultant_id))
    return _schedule_page(slot_form=form, status=422)


@bp.route("/consulting/slots/<int:slot_id>/remove", methods=["POST"])
@login_required
def remove_slot(slot_id):
    if EmptyForm().validate_on_submit():
        try:
            services.delete_slot(current_user, slot_id)
        except DomainError as exc:
            if exc.code in (401, 403, 404):
                raise
            flash(exc.message, "error")
        else:
            flash(_("The slot is removed."), "success")
    return redirect(url_for("consulting.schedule", consultant_id=request.form.get("consultant_id", type=int)))


@bp.route("/consulting/profile", methods=["GET", "POST"])
@login_required
def profile():
    services.policy.require(current_user, "profile.edit")
    if services.can_manage_any_consultant(current_user):
        user_id = request.values.get("consultant_id", type=int)
    else:
        user_id = current_user.id
    if user_id is None:
        return redirect(url_for("consulting.schedule"))
    card = services.get_consultant(current_user, user_id)
    form = (
        ProfileForm(data={**card, "languages": ", ".join(card["languages"])})
        if request.method == "GET"
        else ProfileForm()
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                services.update_profile(
                    current_user,
                    user_id,
                    form.expertise.data or [],
                    [x.strip() for x in (form.languages.data or "").split(",")],
                    form.bio.data or "",
                    form.timezone.data,
                )
            except DomainError as exc:
                status = _failed(form, exc)
            else:
                flash(_("The profile is saved."), "success")
                return redirect(url_for("consulting.schedule", consultant_id=_consultant_arg(user_id)))
    return render_template(
        "consulting/profile.html", form=form, card=card, consultant_arg=_consultant_arg(user_id)
    ), status


# ---------------------------------------------------------------- admin


@bp.route("/consulting/overview")
@login_required
def overview():
    data = services.overview(current_user)
    upcoming = services.list_bookings(current_user, status="booked", upcoming=True, limit=50)
    return render_template("consulting/overview.html", data=data, upcoming=upcoming)
