"""The OpenAPI side of flask-smorest, tuned for start-up time (no imports of the app)."""

from __future__ import annotations

from flask_smorest import Api as _Api


class Api(_Api):
    """flask-smorest's Api, documenting the blueprints when the OpenAPI document is first
    read (`/api/v1/openapi.json`, `flask openapi`) instead of at start-up: building it deep-
    copies every schema (about 175 ms), which every process and `flask` command paid before."""

    def __init__(self, *args, **kwargs):
        self._pending_docs: list[tuple] = []
        self._documenting = False
        super().__init__(*args, **kwargs)

    @property
    def spec(self):
        if self._pending_docs and not self._documenting:
            self._document_pending()
        return self._spec

    @spec.setter
    def spec(self, value) -> None:
        self._spec = value  # a new app's spec: the blueprints it registers are documented anew
        self._pending_docs = []

    def register_blueprint(self, blp, *, parameters=None, **options) -> None:
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._pending_docs.append((blp, name, parameters))

    def _document_pending(self) -> None:
        self._documenting = True
        try:
            while self._pending_docs:
                blp, name, parameters = self._pending_docs.pop(0)
                blp.register_views_in_doc(self, self._app, self._spec, name=name, parameters=parameters)
                self._spec.tag({"name": name, "description": blp.description})
        finally:
            self._documenting = False
