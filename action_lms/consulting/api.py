"""JSON API of the consulting domain."""
from ..core.api import Blueprint

blp = Blueprint("consulting_api", __name__, url_prefix="/api/v1", description="Consulting")
