"""JSON API of the practices domain: parse, call a service, serialise."""

from flask_login import current_user

from ..core.api import Blueprint
from ..core.pagination import SelectPage
from . import services
from .schemas import (
    PracticeCreateSchema,
    PracticeQuerySchema,
    PracticeSchema,
    PracticeSendBackSchema,
    PracticeUpdateSchema,
)

blp = Blueprint("practices_api", __name__, url_prefix="/api/v1", description="Good practices")


@blp.route("/practices", methods=["GET"])
@blp.arguments(PracticeQuerySchema, location="query")
@blp.response(200, PracticeSchema(many=True))
@blp.paginate(SelectPage)
def list_practices(args):
    """Published practices, and for admins and the owning city's coordinators also their
    drafts, submitted and archived ones; `q` searches title, summary, description and city
    name (case- and accent-insensitive), best matches first."""
    return services.list_practices_query(current_user, **args)


@blp.route("/practices", methods=["POST"])
@blp.arguments(PracticeCreateSchema)
@blp.response(201, PracticeSchema)
@blp.alt_response(403, description="Not a coordinator of this city, nor an admin")
def create_practice(data):
    """Describe a practice (a coordinator for their own city; admin with city_id): a draft."""
    return services.create_practice(current_user, **data)


@blp.route("/practices/<int:practice_id>", methods=["GET"])
@blp.response(200, PracticeSchema)
@blp.alt_response(404, description="No such practice, or not visible to you (another city's draft)")
def get_practice(practice_id):
    return services.get_practice(current_user, practice_id)


@blp.route("/practices/<int:practice_id>", methods=["PATCH"])
@blp.arguments(PracticeUpdateSchema)
@blp.response(200, PracticeSchema)
@blp.alt_response(409, description="Published or archived: only the office edits it")
def update_practice(data, practice_id):
    """Change the fields given: the city while draft or submitted, the office at any time."""
    return services.update_practice(current_user, practice_id, **data)


@blp.route("/practices/<int:practice_id>/submit", methods=["POST"])
@blp.response(200, PracticeSchema)
@blp.alt_response(409, description="Not a draft")
def submit_practice(practice_id):
    """The city hands its draft to the office for review (status `submitted`)."""
    return services.submit_practice(current_user, practice_id)


@blp.route("/practices/<int:practice_id>/publish", methods=["POST"])
@blp.response(200, PracticeSchema)
@blp.alt_response(409, description="Not submitted (nor archived)")
def publish_practice(practice_id):
    """The office publishes a submitted practice (admin)."""
    return services.publish_practice(current_user, practice_id)


@blp.route("/practices/<int:practice_id>/send-back", methods=["POST"])
@blp.arguments(PracticeSendBackSchema)
@blp.response(200, PracticeSchema)
@blp.alt_response(409, description="Not submitted")
def send_back_practice(data, practice_id):
    """The office returns a submitted practice to the city as a draft, with a comment (admin)."""
    return services.send_back_practice(current_user, practice_id, data["comment"])


@blp.route("/practices/<int:practice_id>/archive", methods=["POST"])
@blp.response(200, PracticeSchema)
@blp.alt_response(409, description="Already archived")
def archive_practice(practice_id):
    """The office archives an outdated practice (admin)."""
    return services.archive_practice(current_user, practice_id)
