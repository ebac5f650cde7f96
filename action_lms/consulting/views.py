"""HTML pages of the consulting domain."""
from flask import Blueprint

bp = Blueprint("consulting", __name__)


@bp.route("/consulting")
def slots_week():
    return "todo"


@bp.route("/consulting/schedule")
def schedule():
    return "todo"


@bp.route("/consulting/overview")
def overview():
    return "todo"
