"""The Flask application: `create_app(config)` opens the store once and registers the one route list."""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.exceptions import HTTPException

from luzhi.server import cors
from luzhi.server.config import Config
from luzhi.server.context import attach
from luzhi.server.hardening import init_app as init_hardening
from luzhi.server.query_string import PercentEncodeQueryString
from luzhi.server.query_string import init_app as init_query_string
from luzhi.server.routes import ROUTES
from luzhi.server.views import pages
from luzhi.server.views.common import http_error, init_templates
from luzhi.server.views.sparql_fast import SparqlFastPath
from luzhi.store.executor import PoolBusy, QueryTimeout, WorkerFailed
from luzhi.store.remote import RemoteQueryTimeout

_log = logging.getLogger(__name__)


def create_app(config: Config) -> Flask:
    """Build the app around one read-only store; tests pass their own `Config`.

    The backend is chosen once, in `open_store` (store/open.py): pyoxigraph on disk, or a remote
    SPARQL server; the endpoint's executor follows from it. A store directory is followed across
    rebuilds, one snapshot per request (server/context.py).
    """
    app = Flask(__name__)
    # For the operator, not the public: /health no longer says them (docs/security.md).
    _log.info("query sandbox settings: %s", config.sandbox_settings)
    attach(app, config)
    init_query_string(app)  # after `attach`: its 400 page reads the snapshot `attach` holds
    init_templates(app)
    for route in ROUTES:
        # Flask adds OPTIONS to a rule's methods only when `provide_automatic_options` is None: passing True
        # answered every OPTIONS (every CORS preflight) with 405 (issue 11).
        app.add_url_rule(route.rule, route.endpoint, route.view, methods=route.methods,
                         provide_automatic_options=None if route.automatic_options else False)
    app.register_error_handler(404, pages.not_found)
    app.register_error_handler(HTTPException, http_error)  # JSON errors for JSON requests
    for slow in (QueryTimeout, PoolBusy, RemoteQueryTimeout):
        app.register_error_handler(slow, pages.too_slow)
    app.register_error_handler(WorkerFailed, pages.worker_died)
    cors.init_app(app)
    init_hardening(app)  # security headers, 503 + Retry-After when the store is down (issue 10)
    # /sparql queries skip Flask's request machinery (server/views/sparql_fast.py, issue 13); raw UTF-8
    # in ?q=… is percent-encoded first, for every route (server/query_string.py).
    app.wsgi_app = PercentEncodeQueryString(SparqlFastPath(app, app.wsgi_app))
    return app
