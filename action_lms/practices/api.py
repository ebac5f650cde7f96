"""JSON API of the practices domain: parse, call a service, serialise."""

from ..core.api import Blueprint

blp = Blueprint("practices_api", __name__, url_prefix="/api/v1", description="Practices")
