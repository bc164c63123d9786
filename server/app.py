"""The Flask application: `create_app(config)` and the list of every route's blueprint."""

from __future__ import annotations

from flask import Flask

from luzhi.server.config import Config
from luzhi.server.store import Store, open_store


def create_app(config: Config) -> Flask:
    """Build the app around one read-only store; tests pass their own `Config`.

    The backend is chosen here, once (`open_store`): pyoxigraph on disk, or a remote SPARQL server.
    """
    app = Flask(__name__)
    app.config["LUZHI"] = config
    app.extensions["luzhi.store"] = open_store(config.store_spec, read_only=True, timeout=config.query_timeout)

    # Every blueprint, top to bottom: this is the whole HTTP surface (DESIGN.md §2, HTTP).
    for blueprint in _blueprints():
        app.register_blueprint(blueprint)
    from luzhi.server.hardening import init_app as init_hardening

    init_hardening(app)
    return app


def _blueprints():
    # Imported here so each view module can import `get_store`/`get_config` from this module.
    from luzhi.server.views import health, ontology, pages, resource, sparql, validate, void

    # Linked data (issue 6): home, search, /id → 303 → /doc, /source texts; /def; VoID, dumps, sitemaps.
    # SPARQL 1.1 Protocol endpoint, read-only (issue 5).
    # SHACL validation of submissions: form and POST endpoint (issue 4).
    return [health.bp, pages.bp, resource.bp, ontology.bp, void.bp, sparql.bp, validate.bp]


def get_store(app: Flask | None = None) -> Store:
    from flask import current_app

    return (app or current_app).extensions["luzhi.store"]


def get_config(app: Flask | None = None) -> Config:
    from flask import current_app

    return (app or current_app).config["LUZHI"]
