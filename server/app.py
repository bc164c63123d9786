"""The Flask application: `create_app(config)` opens the store once and registers the one route list."""

from __future__ import annotations

from flask import Flask, request

from luzhi.server.config import Config
from luzhi.server.context import attach
from luzhi.server.routes import ROUTES
from luzhi.server.views import pages, sparql
from luzhi.server.views.common import init_templates


def create_app(config: Config) -> Flask:
    """Build the app around one read-only store; tests pass their own `Config`.

    The backend is chosen once, in `open_store` (store/open.py): pyoxigraph on disk, or a remote
    SPARQL server; the endpoint's executor follows from it. A store directory is followed across
    rebuilds, one snapshot per request (server/context.py).
    """
    app = Flask(__name__)
    attach(app, config)
    init_templates(app)
    for route in ROUTES:
        app.add_url_rule(route.rule, route.endpoint, route.view, methods=route.methods,
                         provide_automatic_options=route.automatic_options)
    app.register_error_handler(404, pages.not_found)
    app.after_request(_sparql_cors)
    return app


def _sparql_cors(response):
    # Only /sparql is a cross-origin API; pages keep the browser's same-origin default.
    if request.endpoint == "sparql.sparql":
        return sparql.cors(response)
    return response
