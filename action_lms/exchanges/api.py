"""JSON API of the exchanges domain: parse, call a service, serialise."""

from ..core.api import Blueprint

blp = Blueprint("exchanges_api", __name__, url_prefix="/api/v1", description="Exchanges")
