"""The Flask application: `create_app(config)` opens the store once and registers the one route list."""

from __future__ import annotations

from flask import Flask, request

from luzhi.server.config import Config
from luzhi.server.context import attach
from luzhi.server.routes import ROUTES
from luzhi.server.views import pages, sparql
from luzhi.server.views.common import init_templates
from luzhi.store.executor import PoolBusy, QueryTimeout
from luzhi.store.open import open_store
from luzhi.store.remote import RemoteQueryTimeout


def create_app(config: Config) -> Flask:
    """Build the app around one read-only store; tests pass their own `Config`.

    The backend is chosen once, in `open_store` (store/open.py): pyoxigraph on disk, or a remote
    SPARQL server; the endpoint's executor follows from it.
    """
    app = Flask(__name__)
    opened = open_store(config.store_spec, state_dir=config.store_path, read_only=True, timeout=config.query_timeout)
    executor = opened.query_executor(processes=config.query_processes, timeout=config.query_timeout)
    pages_store = opened.page_store(processes=config.page_query_processes, timeout=config.page_timeout)
    attach(app, config, opened, executor, pages_store)
    init_templates(app)
    for route in ROUTES:
        app.add_url_rule(route.rule, route.endpoint, route.view, methods=route.methods,
                         provide_automatic_options=route.automatic_options)
    app.register_error_handler(404, pages.not_found)
    for slow in (QueryTimeout, PoolBusy, RemoteQueryTimeout):
        app.register_error_handler(slow, pages.too_slow)
    app.after_request(_sparql_cors)
    return app


def _sparql_cors(response):
    # Only /sparql is a cross-origin API; pages keep the browser's same-origin default.
    if request.endpoint == "sparql.sparql":
        return sparql.cors(response)
    return response
