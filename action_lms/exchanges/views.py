"""HTML pages of the exchanges domain."""

from flask import Blueprint

bp = Blueprint("exchanges", __name__)


@bp.route("/exchanges/new")
def new_exchange():
    """The request form (reachable from a practice and from a milestone)."""
    return "", 501
