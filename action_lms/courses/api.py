"""JSON API of the courses domain."""
from ..core.api import Blueprint

blp = Blueprint("courses_api", __name__, url_prefix="/api/v1", description="Courses")
