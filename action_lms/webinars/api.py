"""JSON API of the webinars domain (API.md, "Webinars"). Parse, call a service, serialise."""

from __future__ import annotations

import csv
import io

from flask_login import current_user

from ..core.api import Blueprint
from ..core.calendar import calendar_response
from ..core.csvfile import csv_response
from ..core.errors import Unauthorized
from ..core.i18n import _
from ..core.pagination import RowsPage, SelectPage
from . import services
from .schemas import (
    AttendanceResultSchema,
    AttendanceSchema,
    MyRegistrationSchema,
    RegistrationQuerySchema,
    RegistrationSchema,
    WebinarCancelSchema,
    WebinarCreateSchema,
    WebinarPatchSchema,
    WebinarQuerySchema,
    WebinarSchema,
)

blp = Blueprint("webinars_api", __name__, url_prefix="/api/v1", description="Webinars")


@blp.before_request
def signed_in_only():
    """Every webinar endpoint needs a signed-in user: say 401 before validating the body."""
    if not current_user.is_authenticated:
        raise Unauthorized(_("You need to sign in to do this."))


class WebinarPage(RowsPage):
    """(Webinar, confirmed, waitlisted) rows, presented for the viewer (their own
    registrations in one query for the page)."""

    def transform(self, items: list) -> list:
        return services.present_rows(current_user, items)


class RegistrationPage(SelectPage):
    def transform(self, items: list) -> list:
        return [services.present_admin_registration(reg) for reg in items]


@blp.route("/webinars", methods=["GET"])
@blp.arguments(WebinarQuerySchema, location="query")
@blp.response(200, WebinarSchema(many=True))
@blp.paginate(WebinarPage)
def list_webinars(args):
    """Published webinars, upcoming first (admins also see drafts)."""
    return services.list_webinars_query(current_user, args.get("from_"), args.get("to"), args.get("include_past"))


@blp.route("/webinars", methods=["POST"])
@blp.arguments(WebinarCreateSchema)
@blp.response(201, WebinarSchema)
@blp.alt_response(403, description="Administrators only")
def create_webinar(data):
    """Schedule a webinar (draft or published)."""
    webinar = services.create_webinar(current_user, data)
    return services.webinar_detail(current_user, webinar.id)


@blp.route("/webinars/<int:webinar_id>", methods=["GET"])
@blp.response(200, WebinarSchema)
@blp.alt_response(404, description="Unknown, or a draft you may not see")
def get_webinar(webinar_id):
    """One webinar with seats left and my registration."""
    return services.webinar_detail(current_user, webinar_id)


@blp.route("/webinars/<int:webinar_id>", methods=["PATCH"])
@blp.arguments(WebinarPatchSchema)
@blp.response(200, WebinarSchema)
@blp.alt_response(409, description="Cancelled webinar, or capacity below the confirmed count")
def update_webinar(data, webinar_id):
    """Edit, publish or reschedule; a change of time notifies everyone registered."""
    services.update_webinar(current_user, webinar_id, data)
    return services.webinar_detail(current_user, webinar_id)


@blp.route("/webinars/<int:webinar_id>/cancel", methods=["POST"])
@blp.arguments(WebinarCancelSchema)
@blp.response(200, WebinarSchema)
@blp.alt_response(409, description="Already cancelled or already past")
def cancel_webinar(data, webinar_id):
    """Cancel with a reason; everyone registered is notified."""
    services.cancel_webinar(current_user, webinar_id, data["reason"])
    return services.webinar_detail(current_user, webinar_id)


@blp.route("/webinars/<int:webinar_id>/registrations", methods=["POST"])
@blp.response(201, MyRegistrationSchema)
@blp.alt_response(409, description="Already registered, registration closed, cancelled or past")
def register(webinar_id):
    """Register myself: confirmed while seats are left, otherwise waitlisted."""
    return services.register(current_user, webinar_id)


@blp.route("/webinars/<int:webinar_id>/registrations/me", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, description="Not registered")
def unregister(webinar_id):
    """Cancel my registration; the first waitlisted person is confirmed and notified."""
    services.cancel_registration(current_user, webinar_id)


@blp.route("/webinars/<int:webinar_id>/registrations", methods=["GET"])
@blp.arguments(RegistrationQuerySchema, location="query")
@blp.response(200, RegistrationSchema(many=True))
@blp.alt_response(
    200, description="`?format=csv`: every registration with attendance as CSV", content_type="text/csv", success=True
)
@blp.paginate()
def list_registrations(args, webinar_id, pagination_parameters):
    """Registrations of a webinar (admins), also as `?format=csv`."""
    if args["format"] == "csv":
        filename, text = services.registrations_csv(current_user, webinar_id, args.get("status"))
        # Rows, not lines: a quoted name may hold a line break.
        pagination_parameters.item_count = sum(1 for __ in csv.reader(io.StringIO(text))) - 1
        return csv_response(text, filename)
    stmt = services.registrations_query(current_user, webinar_id, args.get("status"))
    return RegistrationPage(stmt, pagination_parameters).items


@blp.route("/webinars/<int:webinar_id>/attendance", methods=["POST"])
@blp.arguments(AttendanceSchema)
@blp.response(200, AttendanceResultSchema)
@blp.alt_response(409, description="Not started yet, or cancelled")
def record_attendance(data, webinar_id):
    """Record who attended."""
    return services.record_attendance(current_user, webinar_id, data["user_ids"], data.get("replace", False))


@blp.route("/webinars/<int:webinar_id>/calendar.ics", methods=["GET"])
@blp.response(200, description="RFC 5545 calendar file", content_type="text/calendar")
@blp.alt_response(403, description="Not registered")
def calendar(webinar_id):
    """The webinar as an .ics file (registrants and admins)."""
    events, filename = services.webinar_calendar(current_user, webinar_id)
    return calendar_response(events, filename, name=events[0].summary)
