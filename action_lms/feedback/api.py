"""JSON API of the feedback domain: parse, call a service, serialise."""

from flask import Response
from flask_login import current_user

from ..core.api import Blueprint
from ..core.csvfile import attachment_headers
from ..core.pagination import SelectPage
from . import services
from .schemas import FeedbackAnswerSchema, FeedbackInputSchema, FeedbackRequestSchema, ImpactQuerySchema, ImpactSchema

blp = Blueprint("feedback_api", __name__, url_prefix="/api/v1", description="Feedback and impact")


@blp.route("/me/feedback-requests", methods=["GET"])
@blp.response(200, FeedbackRequestSchema(many=True))
@blp.paginate(SelectPage)
def my_requests():
    """The caller's feedback requests still waiting for an answer."""
    return services.open_requests_query(current_user)


@blp.route("/feedback", methods=["POST"])
@blp.arguments(FeedbackInputSchema)
@blp.response(201, FeedbackAnswerSchema)
@blp.alt_response(409, description="Already answered")
@blp.alt_response(404, description="Not your request")
def answer(data):
    """Answer one of your feedback requests (once)."""
    return services.answer(
        current_user, data["request_id"], data["usefulness"], data["will_apply"], data["recommend"], data.get("comment")
    )


@blp.route("/impact", methods=["GET"])
@blp.arguments(ImpactQuerySchema, location="query")
@blp.response(200, ImpactSchema)
def impact(args):
    """Per format and per city: events, requests, feedback and how useful it was (admin; a
    coordinator for their own city). `format=csv` downloads the same figures."""
    data = services.impact(current_user, args.get("year"), args.get("city_id"), args.get("country"))
    if args.get("format") == "csv":
        return Response(
            services.impact_csv(data),
            mimetype="text/csv",
            headers=attachment_headers(f"impact-{data['year']}.csv"),
        )
    return data
