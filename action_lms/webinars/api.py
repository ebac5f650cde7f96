"""JSON API of the webinars domain."""
from ..core.api import Blueprint

blp = Blueprint("webinars_api", __name__, url_prefix="/api/v1", description="Webinars")
