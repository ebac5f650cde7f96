"""Browsable API docs at /api/v1/docs, served from the swagger-ui-bundle package
(no CDN) with an initialiser script of our own (no inline script, so the CSP holds)."""

from pathlib import Path

import swagger_ui_bundle
from flask import Blueprint, render_template, send_from_directory

bp = Blueprint("api_docs", __name__)
SWAGGER_DIR = Path(swagger_ui_bundle.swagger_ui_path)


@bp.route("/api/v1/docs")
def docs():
    return render_template("api_docs.html")


@bp.route("/api/v1/docs/static/<path:filename>")
def docs_static(filename):
    return send_from_directory(SWAGGER_DIR, filename, max_age=3600)
