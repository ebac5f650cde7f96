"""HTML pages of the webinars domain."""
from flask import Blueprint

bp = Blueprint("webinars", __name__)
