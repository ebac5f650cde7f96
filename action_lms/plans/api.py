"""JSON API of the plans domain."""
from ..core.api import Blueprint

blp = Blueprint("plans_api", __name__, url_prefix="/api/v1", description="Plans")
