"""HTML pages of the exchanges domain: a city's exchanges, the request form, an exchange's page
(answers, people, and for the office matching, time, attendance and report), the office's
board, and the public stories. Each write is one service call; a refusal about the form is
shown on it (422/409), the others (401/403/404) are raised to the error page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields import FieldList, FormField

from ..core.calendar import calendar_response
from ..core.errors import DomainError, Forbidden, Invalid
from ..core.forms import EmptyForm, apply_errors
from ..core.i18n import _, _l, format_pattern
from ..core.time import format_local, to_zone, utcnow, zone
from ..core.web import viewer_timezone
from ..plans.template import BY_KEY, COMMITMENTS
from . import services
from .forms import (
    FOLLOW_UP_ROWS,
    AttendanceForm,
    CancelForm,
    DeclineForm,
    FindTimeForm,
    InviteForm,
    ParticipantForm,
    ReportForm,
    RequestForm,
    ScheduleForm,
)
from .models import Exchange, Invitation

bp = Blueprint("exchanges", __name__)

STATUS_LABELS = {
    Exchange.REQUESTED: _l("Requested"),
    Exchange.MATCHING: _l("Inviting host cities"),
    Exchange.SCHEDULED: _l("Scheduled"),
    Exchange.HELD: _l("Held"),
    Exchange.REPORTED: _l("Reported"),
    Exchange.WITHDRAWN: _l("Withdrawn"),
    Exchange.CANCELLED: _l("Cancelled"),
}
INVITATION_LABELS = {
    Invitation.PENDING: _l("invited, no answer yet"),
    Invitation.ACCEPTED: _l("accepted to host"),
    Invitation.DECLINED: _l("declined"),
    Invitation.WITHDRAWN: _l("invitation withdrawn"),
}
BOARD_COLUMNS = (Exchange.REQUESTED, Exchange.MATCHING, Exchange.SCHEDULED, Exchange.HELD, Exchange.REPORTED)
SCHEDULE_FIELDS = {"starts_at": "starts_local", "duration_minutes": "duration_minutes", "join_url": "join_url"}


@bp.app_template_filter("exchange_status")
def exchange_status(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@bp.app_template_filter("exchange_date")
def exchange_date(value, fmt: str = "%d %b %Y") -> str:
    """A day in the viewer's zone, without a clock time (so without a zone's name)."""
    local = to_zone(value, viewer_timezone())
    return format_pattern(local, fmt) if local is not None else ""


@bp.app_template_filter("invitation_status")
def invitation_status(status: str) -> str:
    return str(INVITATION_LABELS.get(status, status))


@bp.app_template_filter("exchange_messages")
def field_messages(errors) -> list[str]:
    """A field's own messages (translated ones too), without the nested lists of a FieldList's entries."""
    return [str(m) for m in errors or () if not isinstance(m, list | tuple | dict)]


@bp.app_template_global("exchange_error_links")
def error_links(form) -> list[tuple[str, str]]:
    """Every field message of a form as (id of the input to jump to, sentence), in the order
    of the form, for the error summary at its top."""
    links: list[tuple[str, str]] = []
    for f in form:
        if f.type != "CSRFTokenField":
            links.extend(_field_links(f, f.label.text))
    return links


def _field_links(f, label: str) -> list[tuple[str, str]]:
    if isinstance(f, FieldList):
        found = [(f.entries[0].id if f.entries else f.id, m) for m in field_messages(f.errors)]
        for entry in f.entries:
            found.extend(_field_links(entry, entry.label.text))
        return found
    if isinstance(f, FormField):
        found = []
        for sub in f.form:
            found.extend(_field_links(sub, _("%(group)s, %(field)s", group=label, field=sub.label.text)))
        return found
    target = f"{f.id}-0" if f.type == "MultiCheckboxField" and f.choices else f.id
    return [(target, _("%(field)s: %(message)s", field=label, message=m)) for m in field_messages(f.errors)]


def _failed(form, exc: DomainError, field_map: dict[str, str] | None = None) -> int:
    """Show a service error on the form; refusals that are not about the form are raised."""
    if exc.code in (401, 403, 404):
        raise exc
    apply_errors(form, exc, field_map)
    return exc.code


def _to_detail(exchange_id: int):
    return redirect(url_for("exchanges.detail", exchange_id=exchange_id))


def _when(exchange: Exchange) -> str:
    return format_local(exchange.starts_at, viewer_timezone())


def local_times(starts_at: datetime, ends_at: datetime, cities: list) -> list[tuple[str, str]]:
    """The session in each city's zone, cities sharing a clock time named together:
    [("Berlin, Bologna", "Tue 09 Mar 2027, 10:00–11:00 CET"), ("Lisbon", "... 09:00–10:00 WET")]."""
    grouped: dict[str, list[str]] = {}
    for city in cities:
        start = to_zone(starts_at, city.timezone)
        assert start is not None
        text = f"{format_pattern(start, '%a %d %b %Y, %H:%M')}–{format_local(ends_at, city.timezone, '%H:%M')}"
        grouped.setdefault(text, []).append(city.name)
    return [(", ".join(names), text) for text, names in grouped.items()]


# ---------------------------------------------------------------- a city's exchanges


@bp.route("/exchanges")
@login_required
def index():
    user = current_user
    office = services.is_office(user)
    groups: dict[str, list[Exchange]] = {"requests": [], "invitations": [], "taking_part": []}
    if not office:
        for exchange in services.list_exchanges(user):
            if services.is_requesting_coordinator(user, exchange):
                groups["requests"].append(exchange)
            elif services.invited_city(user, exchange) is not None:
                groups["invitations"].append(exchange)
            else:
                groups["taking_part"].append(exchange)
    for key in groups:  # what is still ahead first, then the ended ones; oldest first in each
        groups[key].sort(key=lambda e: e.status not in (*Exchange.OPEN, Exchange.HELD))
    steps = {e.id: services.next_step(user, e) for items in groups.values() for e in items}
    return render_template(
        "exchanges/index.html",
        groups=groups,
        steps=steps,
        office=office,
        can_request=services.can_request_exchange(user),
        can_see_board=services.policy.allows(user, "board.view"),
    )


# ---------------------------------------------------------------- asking for an exchange


def _prefill(form: RequestForm, practices: list, hosts: list) -> dict:
    """From a practice's page (?practice_id=) or a plan milestone (?milestone_key=)."""
    context: dict = {"practice": None, "milestone": None}
    practice_id = request.args.get("practice_id", type=int)
    practice = next((p for p in practices if p.id == practice_id), None)
    if practice is not None:
        context["practice"] = practice
        form.practice_ids.data = [practice.id]
        form.commitments.data = list(practice.commitments)
        if any(c.id == practice.city_id for c in hosts):
            form.preferred_city_ids.data = [practice.city_id]
    key = request.args.get("milestone_key", "")
    if key in BY_KEY:
        context["milestone"] = BY_KEY[key]
        form.milestone_key.data = key
    return context


@bp.route("/exchanges/new", methods=["GET", "POST"])
@login_required
def new_exchange():
    """The request form (reachable from a practice and from a milestone)."""
    user = current_user
    services.policy.require(user, "exchange.request", _("Coordinators and the office ask for peer exchanges."))
    if not services.can_request_exchange(user):
        raise Forbidden(_("Your account is not linked to a city yet: ask the office to add you to your city."))
    cities = services.requestable_cities(user)
    practices = services.published_practices()
    hosts = services.other_cities(user)
    for_any_city = services.is_office(user)
    if request.method == "GET":
        form = RequestForm(formdata=None, cities=cities, practices=practices, hosts=hosts)
        if not for_any_city:
            del form.city_id
        form.languages.data = ["en"]
        context = _prefill(form, practices, hosts)
        return render_template("exchanges/new.html", form=form, city=None if for_any_city else cities[0], **context)
    form = RequestForm(cities=cities, practices=practices, hosts=hosts)
    if not for_any_city:
        del form.city_id
    status = 422
    if form.validate_on_submit():
        try:
            exchange = services.create_exchange(
                user,
                topic=form.topic.data,
                objective=form.objective.data,
                questions=form.question_list(),
                languages_=form.language_list(),
                commitments_=form.commitments.data or [],
                milestone_key=form.milestone_key.data or None,
                practice_ids=form.practice_ids.data or [],
                preferred_city_ids=form.preferred_city_ids.data or [],
                earliest_date=form.earliest_date.data,
                latest_date=form.latest_date.data,
                city_id=form.city_id.data if form.city_id else None,
            )
        except DomainError as exc:
            status = _failed(form, exc)
        else:
            flash(
                _(
                    "Your request is sent to the ACTION office. It will invite host cities; "
                    "you will get an e-mail at each step."
                ),
                "success",
            )
            return _to_detail(exchange.id)
    return render_template(
        "exchanges/new.html",
        form=form,
        city=None if for_any_city else cities[0],
        practice=next((p for p in practices if p.id == request.args.get("practice_id", type=int)), None),
        milestone=BY_KEY.get(form.milestone_key.data or ""),
    ), status


# ---------------------------------------------------------------- an exchange's page


def _default_day(exchange: Exchange) -> date:
    """The first working day from the request's window (or a week ahead) for the time finder."""
    day = max(exchange.earliest_date or date.min, (utcnow() + timedelta(days=7)).date())
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _time_finder(user, exchange: Exchange):
    """The GET form of the time options and, when a day is asked, the options."""
    asked = "date" in request.values
    finder = FindTimeForm(request.values if asked else None)
    if not asked:
        finder.date.data = _default_day(exchange)
        finder.duration.data = exchange.duration_minutes or 60
        return finder, None
    if not finder.validate():
        return finder, None
    try:
        return finder, services.time_options(user, exchange.id, finder.date.data, finder.duration.data)
    except Invalid as exc:
        apply_errors(finder, exc, {"date": "date", "duration_minutes": "duration"})
        return finder, None


def _report_form(exchange: Exchange) -> ReportForm:
    form = ReportForm(
        formdata=None,
        data={
            "report": exchange.report or "",
            "publish": exchange.story_published_at is not None,
            "follow_ups": [
                {"text": f.text, "owner": f.owner, "due_date": f.due_date, "milestone_key": f.milestone_key or ""}
                for f in exchange.follow_ups
            ],
        },
    )
    while len(form.follow_ups) < len(exchange.follow_ups) + FOLLOW_UP_ROWS:
        form.follow_ups.append_entry()
    return form


def _detail_page(exchange_id: int, status: int = 200, failed: str | None = None, **forms):
    """The page of one exchange; `failed` names the section whose form was refused (shown
    again with its errors, and linked from the top of the page)."""
    user = current_user
    exchange = services.get_exchange(user, exchange_id)
    office = services.is_office(user)
    now = utcnow()
    is_open = exchange.status in Exchange.OPEN
    participant = services.is_participant(user, exchange)
    invitation = services.invited_city(user, exchange)
    accepted = services.accepted_city_ids(exchange)
    started = exchange.starts_at is not None and exchange.starts_at <= now
    people = services.members_to_add(user, exchange) if services.can_add_participants(user, exchange) else []
    can = {
        "respond": invitation is not None
        and is_open
        and invitation.status == Invitation.PENDING
        and services.can_respond(user, invitation),
        "join": is_open and not participant and services.can_join(user, exchange),
        "leave": is_open and participant and services.can_join(user, exchange),
        "add": is_open and bool(people),
        "withdraw": is_open and not office and services.can_withdraw(user, exchange),
        "calendar": exchange.starts_at is not None and (office or participant),
        "match": services.can_match(user) and exchange.status in (Exchange.REQUESTED, Exchange.MATCHING),
        "schedule": services.can_match(user) and is_open and bool(accepted),
        "cancel": services.can_match(user) and is_open,
        "attendance": services.can_record(user) and exchange.status in (Exchange.SCHEDULED, Exchange.HELD) and started,
        "report": services.can_record(user) and exchange.status in (Exchange.HELD, Exchange.REPORTED),
    }
    context: dict = {
        "suggestions": [],
        "practices_by_city": {},
        "other_cities": [],
        "invite_row": None,
        "finder": None,
        "options": None,
    }
    if can["match"]:
        context["suggestions"] = services.suggestions(user, exchange.id)
        by_city: dict[int, list] = {}
        for practice in services.published_practices():
            by_city.setdefault(practice.city_id, []).append(practice)
        context["practices_by_city"] = by_city
        taken = {i.city_id for i in exchange.invitations if i.status != Invitation.WITHDRAWN} | {exchange.city_id}
        context["other_cities"] = [c for c in services.other_cities(user) if c.id not in taken]
        posted = forms.get("invite_form")
        context["invite_row"] = next(
            (
                s.city.id
                for s in context["suggestions"]
                if posted is not None and s.invitation is None and s.city.id == posted.city_id.data
            ),
            None,
        )
    if can["schedule"]:
        context["finder"], context["options"] = _time_finder(user, exchange)
        schedule_form = forms.get("schedule_form")
        if schedule_form is None:
            schedule_form = ScheduleForm(formdata=None)
            schedule_form.duration_minutes.data = context["finder"].duration.data or 60
            schedule_form.join_url.data = exchange.join_url or ""
            if exchange.starts_at is not None:
                local = exchange.starts_at.astimezone(zone(viewer_timezone()))
                schedule_form.starts_local.data = local.strftime("%Y-%m-%dT%H:%M")
            forms["schedule_form"] = schedule_form
    if can["attendance"] and "attendance_form" not in forms:
        form = AttendanceForm(formdata=None, participants=exchange.participants)
        form.attended.data = [p.user_id for p in exchange.participants if p.attended]
        forms["attendance_form"] = form
    if can["report"] and "report_form" not in forms:
        forms["report_form"] = _report_form(exchange)
    if can["add"] and "participant_form" not in forms:
        forms["participant_form"] = ParticipantForm(formdata=None, people=people)
    forms.setdefault("decline_form", DeclineForm(formdata=None))
    forms.setdefault("cancel_form", CancelForm(formdata=None))
    forms.setdefault("invite_form", None)
    forms.setdefault("schedule_form", None)
    step, yours, step_section = services.next_step(user, exchange)
    return render_template(
        "exchanges/detail.html",
        exchange=exchange,
        can=can,
        office=office,
        participant=participant,
        invitation=invitation,
        taking_part=services.cities_taking_part(exchange),
        step=step,
        step_is_yours=yours,
        step_section=step_section,
        local_times=local_times(exchange.starts_at, exchange.ends_at, services.cities_taking_part(exchange))
        if exchange.starts_at and exchange.ends_at
        else [],
        started=started,
        failed=failed,
        commitments=COMMITMENTS,
        milestone=BY_KEY.get(exchange.milestone_key or ""),
        milestones=BY_KEY,
        **context,
        **forms,
    ), status


@bp.route("/exchanges/<int:exchange_id>")
@login_required
def detail(exchange_id):
    return _detail_page(exchange_id)


def _post_on_exchange(
    exchange_id: int,
    form,
    form_arg: str,
    section: str,
    change: Callable[[], Any],
    done: str | Callable[[Any], str],
    field_map: dict[str, str] | None = None,
):
    """A form posted from an exchange's page: make the change and go back to the page, or show
    the page again with the form's errors (422 when the form itself does not validate)."""
    status = 422
    if form.validate_on_submit():
        try:
            result = change()
        except DomainError as exc:
            status = _failed(form, exc, field_map)
        else:
            flash(done(result) if callable(done) else done, "success")
            return _to_detail(exchange_id)
    return _detail_page(exchange_id, status=status, failed=section, **{form_arg: form})


def _button(exchange_id: int, change: Callable[[], object], done: str):
    """A button without fields (accept, join, withdraw...): refusals about the state are
    flashed on the exchange's page; the others are raised."""
    if EmptyForm().validate_on_submit():
        try:
            change()
        except DomainError as exc:
            if exc.code in (401, 403, 404):
                raise
            flash(str(exc.message), "error")
        else:
            flash(done, "success")
    else:
        flash(_("The form had expired. Please try again."), "error")
    return _to_detail(exchange_id)


# ---------------------------------------------------------------- the invited cities


@bp.route("/exchanges/<int:exchange_id>/invitations", methods=["POST"])
@login_required
def invite(exchange_id):
    form = InviteForm()

    def change():
        return services.invite_city(
            current_user, exchange_id, form.city_id.data, form.practice_id.data, form.message.data or None
        )

    return _post_on_exchange(
        exchange_id,
        form,
        "invite_form",
        "matching",
        change,
        lambda invitation: _(
            "%(city)s is invited; its coordinators get the questions by e-mail.", city=invitation.city.name
        ),
    )


@bp.route("/exchanges/<int:exchange_id>/invitations/<int:invitation_id>/accept", methods=["POST"])
@login_required
def accept(exchange_id, invitation_id):
    return _button(
        exchange_id,
        lambda: services.accept_invitation(current_user, exchange_id, invitation_id),
        _(
            "Thank you: your city hosts this exchange. Name the people who will take part below; "
            "the office will set a time that suits every city."
        ),
    )


@bp.route("/exchanges/<int:exchange_id>/invitations/<int:invitation_id>/decline", methods=["POST"])
@login_required
def decline(exchange_id, invitation_id):
    form = DeclineForm()
    return _post_on_exchange(
        exchange_id,
        form,
        "decline_form",
        "answer",
        lambda: services.decline_invitation(current_user, exchange_id, invitation_id, form.decline_reason.data),
        _("The invitation is declined. The requesting city and the office are told, with your reason."),
        {"reason": "decline_reason"},
    )


@bp.route("/exchanges/<int:exchange_id>/invitations/<int:invitation_id>/withdraw", methods=["POST"])
@login_required
def withdraw_invitation(exchange_id, invitation_id):
    return _button(
        exchange_id,
        lambda: services.withdraw_invitation(current_user, exchange_id, invitation_id),
        _("The invitation is withdrawn. The city may be invited again later."),
    )


# ---------------------------------------------------------------- the people taking part


@bp.route("/exchanges/<int:exchange_id>/join", methods=["POST"])
@login_required
def join(exchange_id):
    return _button(
        exchange_id,
        lambda: services.join_exchange(current_user, exchange_id),
        _("You take part in this exchange. You will get the time and the link by e-mail."),
    )


@bp.route("/exchanges/<int:exchange_id>/leave", methods=["POST"])
@login_required
def leave(exchange_id):
    return _button(
        exchange_id,
        lambda: services.leave_exchange(current_user, exchange_id),
        _("You no longer take part in this exchange."),
    )


@bp.route("/exchanges/<int:exchange_id>/participants", methods=["POST"])
@login_required
def add_participant(exchange_id):
    exchange = services.get_exchange(current_user, exchange_id)
    form = ParticipantForm(people=services.members_to_add(current_user, exchange))
    return _post_on_exchange(
        exchange_id,
        form,
        "participant_form",
        "people",
        lambda: services.add_participant(current_user, exchange_id, form.user_id.data),
        _("The person is added and gets an e-mail about the exchange."),
    )


# ---------------------------------------------------------------- ending a request


@bp.route("/exchanges/<int:exchange_id>/withdraw", methods=["POST"])
@login_required
def withdraw(exchange_id):
    return _button(
        exchange_id,
        lambda: services.withdraw_exchange(current_user, exchange_id),
        _("Your request is withdrawn. Everyone invited is told."),
    )


@bp.route("/exchanges/<int:exchange_id>/cancel", methods=["POST"])
@login_required
def cancel(exchange_id):
    form = CancelForm()
    return _post_on_exchange(
        exchange_id,
        form,
        "cancel_form",
        "cancel",
        lambda: services.cancel_exchange(current_user, exchange_id, form.cancel_reason.data),
        _("The exchange is cancelled. Everyone involved is told, with your reason."),
        {"reason": "cancel_reason"},
    )


# ---------------------------------------------------------------- the session


def _chosen_start(form: ScheduleForm) -> datetime | None:
    """The time offered that was picked (a UTC instant), else the one typed in the viewer's zone."""
    if form.starts_option.data:
        try:
            value = datetime.fromisoformat(form.starts_option.data)
        except ValueError:
            value = None
        if value is not None and value.tzinfo is not None:
            return value
        form.starts_local.errors = [_("Choose one of the times offered again.")]
        return None
    if not form.starts_local.data:
        form.starts_local.errors = [_("Choose one of the times offered, or enter another start time.")]
        return None
    try:
        local = datetime.strptime(form.starts_local.data, "%Y-%m-%dT%H:%M")
    except ValueError:
        form.starts_local.errors = [_("Use a date and time, e.g. 2027-03-09 10:00.")]
        return None
    return local.replace(tzinfo=zone(viewer_timezone()))


@bp.route("/exchanges/<int:exchange_id>/schedule", methods=["POST"])
@login_required
def schedule(exchange_id):
    form = ScheduleForm()
    status = 422
    if form.validate_on_submit():
        starts_at = _chosen_start(form)
        if starts_at is not None:
            try:
                exchange = services.schedule_exchange(
                    current_user,
                    exchange_id,
                    starts_at,
                    form.duration_minutes.data,
                    form.join_url.data,
                    outside_hours_ok=bool(form.outside_hours_ok.data),
                )
            except DomainError as exc:
                status = _failed(form, exc, SCHEDULE_FIELDS)
                if "starts_at" in (exc.errors or {}) and exc.code == 409:
                    form.outside_hours_asked = True  # the page shows the confirmation checkbox
            else:
                flash(
                    _(
                        "The session is set for %(when)s. Everyone taking part gets an e-mail with the calendar file.",
                        when=_when(exchange),
                    ),
                    "success",
                )
                return _to_detail(exchange_id)
    return _detail_page(exchange_id, status=status, failed="schedule", schedule_form=form)


@bp.route("/exchanges/<int:exchange_id>/attendance", methods=["POST"])
@login_required
def attendance(exchange_id):
    exchange = services.get_exchange(current_user, exchange_id)
    form = AttendanceForm(participants=exchange.participants)
    return _post_on_exchange(
        exchange_id,
        form,
        "attendance_form",
        "attendance",
        lambda: services.record_attendance(current_user, exchange_id, form.attended.data or []),
        _("Attendance is recorded. You can now write the report."),
        {"attended_user_ids": "attended"},
    )


def _place_follow_up_errors(filled: list, exc: DomainError) -> bool:
    """The service names a follow-up field `follow_ups.<i>.<name>`, <i> counting the rows it was
    given (the filled ones): show each message on that row's field. True if any was placed."""
    placed = False
    for key, messages in (exc.errors or {}).items() if isinstance(exc, Invalid) else ():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "follow_ups" and parts[1].isdigit() and int(parts[1]) < len(filled):
            target = getattr(filled[int(parts[1])].form, parts[2], None)
            if target is not None:
                target.errors = list(target.errors or []) + list(messages)
                placed = True
    return placed


@bp.route("/exchanges/<int:exchange_id>/report", methods=["POST"])
@login_required
def report(exchange_id):
    form = ReportForm()
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
            exchange = services.write_report(
                current_user, exchange_id, form.report.data, items, bool(form.publish.data)
            )
        except DomainError as exc:
            if exc.code in (401, 403, 404):
                raise
            status = exc.code
            if not _place_follow_up_errors(filled, exc):
                apply_errors(form, exc)
        else:
            published = exchange.story_published_at is not None
            flash(
                _("The report is saved and published as a public story. The follow-ups appear on the city's plan page.")
                if published
                else _("The report is saved. It is not public. The follow-ups appear on the city's plan page."),
                "success",
            )
            return _to_detail(exchange_id)
    return _detail_page(exchange_id, status=status, failed="write-report", report_form=form)


@bp.route("/exchanges/<int:exchange_id>/calendar.ics")
@login_required
def calendar(exchange_id):
    events, filename = services.exchange_calendar(current_user, exchange_id)
    return calendar_response(events, filename, name=_("ACTION peer exchanges"))


# ---------------------------------------------------------------- the office's board


@bp.route("/exchanges/board")
@login_required
def board():
    data = services.board(current_user)
    columns = data["columns"]
    steps = {e.id: services.next_step(current_user, e) for items in columns.values() for e in items}
    return render_template(
        "exchanges/board.html",
        columns=[(status, columns[status]) for status in BOARD_COLUMNS],
        ended=[(status, columns[status]) for status in Exchange.ENDED],
        steps=steps,
    )


# ---------------------------------------------------------------- public stories


@bp.route("/stories")
def stories():
    pagination = services.stories_page(request.args.get("page", 1, type=int))
    return render_template(
        "exchanges/stories.html",
        pagination=pagination,
        items=[(e, services.story_cities(e)) for e in pagination.items],
    )


def _shared_practices(exchange: Exchange) -> list:
    """The practices the request named and those the accepted hosts came to talk about."""
    found = list(exchange.practices)
    for invitation in exchange.invitations:
        practice = invitation.practice
        if (
            invitation.status == Invitation.ACCEPTED
            and practice is not None
            and all(p.id != practice.id for p in found)
        ):
            found.append(practice)
    return found


@bp.route("/stories/<slug>")
def story(slug):
    exchange = services.get_story(slug)
    return render_template(
        "exchanges/story.html",
        story=exchange,
        cities=services.story_cities(exchange),
        practices=_shared_practices(exchange),
    )
