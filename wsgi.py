"""Entry point for gunicorn: `gunicorn wsgi:app`. Workers never start the scheduler."""
from action_lms import create_app

app = create_app()
