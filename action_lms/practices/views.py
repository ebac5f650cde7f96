"""HTML pages of the practices domain."""

from flask import Blueprint

bp = Blueprint("practices", __name__)
