"""HTML pages of the consulting domain."""
from flask import Blueprint

bp = Blueprint("consulting", __name__)
