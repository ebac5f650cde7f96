"""HTML pages of the courses domain."""
from flask import Blueprint

bp = Blueprint("courses", __name__)
