"""JSON API of the exchanges domain: parse, call a service, serialise."""

from flask_login import current_user

from ..core.api import Blueprint
from ..core.calendar import calendar_response
from ..core.i18n import _
from ..core.pagination import SelectPage
from . import services
from .schemas import (
    ExchangeCreateSchema,
    ExchangeQuerySchema,
    ExchangeReasonSchema,
    ExchangeReportSchema,
    ExchangeSchema,
    HeldSchema,
    InvitationCreateSchema,
    InvitationSchema,
    ParticipantCreateSchema,
    ScheduleSchema,
    StorySchema,
    SuggestionSchema,
    TimeOptionSchema,
    TimeOptionsQuerySchema,
)

blp = Blueprint("exchanges_api", __name__, url_prefix="/api/v1", description="Peer exchanges between cities")


class ExchangePage(SelectPage):
    """A page of exchanges, each with what the caller may see of it (the join link)."""

    def transform(self, items: list) -> list:
        return services.annotate(items, current_user)


@blp.route("/exchanges", methods=["POST"])
@blp.arguments(ExchangeCreateSchema)
@blp.response(201, ExchangeSchema)
def create_exchange(data):
    """Ask for an exchange with other cities (coordinator for their city; admin with city_id)."""
    return services.create_exchange(
        current_user,
        topic=data["topic"],
        objective=data["objective"],
        questions=data["questions"],
        languages_=data["languages"],
        commitments_=data.get("commitments"),
        milestone_key=data.get("milestone_key"),
        practice_ids=data.get("practice_ids"),
        preferred_city_ids=data.get("preferred_city_ids"),
        earliest_date=data.get("earliest_date"),
        latest_date=data.get("latest_date"),
        city_id=data.get("city_id"),
    )


@blp.route("/exchanges", methods=["GET"])
@blp.arguments(ExchangeQuerySchema, location="query")
@blp.response(200, ExchangeSchema(many=True))
@blp.paginate(ExchangePage)
def list_exchanges(args):
    """The exchanges the caller may see, oldest request first."""
    return services.list_exchanges_query(current_user, **args)


@blp.route("/exchanges/<int:exchange_id>", methods=["GET"])
@blp.response(200, ExchangeSchema)
@blp.alt_response(404, description="No such exchange, or not visible to you")
def get_exchange(exchange_id):
    return services.get_exchange(current_user, exchange_id)


@blp.route("/exchanges/<int:exchange_id>/suggestions", methods=["GET"])
@blp.response(200, SuggestionSchema(many=True))
def suggestions(exchange_id):
    """Ranked host cities with the reasons (admin); never the requesting city."""
    return services.suggestions(current_user, exchange_id)


@blp.route("/exchanges/<int:exchange_id>/invitations", methods=["POST"])
@blp.arguments(InvitationCreateSchema)
@blp.response(201, InvitationSchema)
@blp.alt_response(409, description="This city is already invited")
def invite(data, exchange_id):
    """Invite a host city (admin); its coordinators receive the questions."""
    return services.invite_city(
        current_user, exchange_id, data["city_id"], data.get("practice_id"), data.get("message")
    )


@blp.route("/exchanges/<int:exchange_id>/invitations/<int:invitation_id>/accept", methods=["POST"])
@blp.response(200, ExchangeSchema)
def accept(exchange_id, invitation_id):
    """The invited city's coordinator accepts to host."""
    return services.accept_invitation(current_user, exchange_id, invitation_id)


@blp.route("/exchanges/<int:exchange_id>/invitations/<int:invitation_id>/decline", methods=["POST"])
@blp.arguments(ExchangeReasonSchema)
@blp.response(200, ExchangeSchema)
def decline(data, exchange_id, invitation_id):
    """The invited city's coordinator declines, with a reason."""
    return services.decline_invitation(current_user, exchange_id, invitation_id, data["reason"])


@blp.route("/exchanges/<int:exchange_id>/invitations/<int:invitation_id>/withdraw", methods=["POST"])
@blp.response(200, ExchangeSchema)
def withdraw_invitation(exchange_id, invitation_id):
    """The office takes an invitation back (admin)."""
    return services.withdraw_invitation(current_user, exchange_id, invitation_id)


@blp.route("/exchanges/<int:exchange_id>/participants/me", methods=["PUT"])
@blp.response(200, ExchangeSchema)
def join(exchange_id):
    """Take part (a member of the requesting or of an accepted host city)."""
    return services.join_exchange(current_user, exchange_id)


@blp.route("/exchanges/<int:exchange_id>/participants/me", methods=["DELETE"])
@blp.response(204)
def leave(exchange_id):
    """No longer take part."""
    services.leave_exchange(current_user, exchange_id)


@blp.route("/exchanges/<int:exchange_id>/participants", methods=["POST"])
@blp.arguments(ParticipantCreateSchema)
@blp.response(201, ExchangeSchema)
@blp.alt_response(409, description="Already taking part")
def add_participant(data, exchange_id):
    """A coordinator names a member of their city."""
    return services.add_participant(current_user, exchange_id, data["user_id"])


@blp.route("/exchanges/<int:exchange_id>/time-options", methods=["GET"])
@blp.arguments(TimeOptionsQuerySchema, location="query")
@blp.response(200, TimeOptionSchema(many=True))
def time_options(args, exchange_id):
    """Start times that day inside working hours in every taking-part city's zone (admin)."""
    return services.time_options(current_user, exchange_id, args["date"], args["duration_minutes"])


@blp.route("/exchanges/<int:exchange_id>/schedule", methods=["POST"])
@blp.arguments(ScheduleSchema)
@blp.response(200, ExchangeSchema)
@blp.alt_response(409, description="No accepted host, or outside a city's working hours")
def schedule(data, exchange_id):
    """Set or move the session (admin); everyone taking part is told with a calendar file."""
    return services.schedule_exchange(current_user, exchange_id, **data)


@blp.route("/exchanges/<int:exchange_id>/held", methods=["POST"])
@blp.arguments(HeldSchema)
@blp.response(200, ExchangeSchema)
def held(data, exchange_id):
    """Record that the session took place, and who attended (admin)."""
    return services.record_attendance(current_user, exchange_id, data["attended_user_ids"])


@blp.route("/exchanges/<int:exchange_id>/report", methods=["POST"])
@blp.arguments(ExchangeReportSchema)
@blp.response(200, ExchangeSchema)
def report(data, exchange_id):
    """The report, the follow-ups for the requesting city, and whether it is a public story (admin)."""
    return services.write_report(current_user, exchange_id, data["report"], data["follow_ups"], data["publish"])


@blp.route("/exchanges/<int:exchange_id>/withdraw", methods=["POST"])
@blp.response(200, ExchangeSchema)
def withdraw(exchange_id):
    """The requesting city withdraws its request."""
    return services.withdraw_exchange(current_user, exchange_id)


@blp.route("/exchanges/<int:exchange_id>/cancel", methods=["POST"])
@blp.arguments(ExchangeReasonSchema)
@blp.response(200, ExchangeSchema)
def cancel(data, exchange_id):
    """The office cancels, with a reason."""
    return services.cancel_exchange(current_user, exchange_id, data["reason"])


@blp.route("/exchanges/<int:exchange_id>/calendar.ics", methods=["GET"])
@blp.response(200, content_type="text/calendar")
def calendar(exchange_id):
    """The session as an RFC 5545 calendar file (participants and admins)."""
    events, filename = services.exchange_calendar(current_user, exchange_id)
    return calendar_response(events, filename, name=_("ACTION peer exchanges"))


@blp.route("/stories", methods=["GET"])
@blp.response(200, StorySchema(many=True))
@blp.paginate(SelectPage)
def stories():
    """Published reports of peer exchanges (public)."""
    return services.stories_query()


@blp.route("/stories/<slug>", methods=["GET"])
@blp.response(200, StorySchema)
def story(slug):
    return services.get_story(slug)
