"""HTML pages of the plans domain."""
from flask import Blueprint

bp = Blueprint("plans", __name__)
