"""`/health`: for load balancers and process managers; 200 only when the store can be queried.

It names each part (issue 10): the store (`ok`, or `unavailable` with 503 + Retry-After, without the
store's internal URL), and the query workers' confinement as the last one reported it
(`network=netns|seccomp|none memory=…`, "not started" before the first query).
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify

from luzhi.server.app import get_store
from luzhi.server.limits import RETRY_AFTER
from luzhi.server.remote_store import RemoteStoreError

bp = Blueprint("health", __name__)
_log = logging.getLogger(__name__)


@bp.get("/health")
def health():
    executor = current_app.extensions.get("luzhi.sparql")
    workers = getattr(executor, "confinement", "") or "not started"
    try:
        graphs = len(get_store().graph_names())
    except (RemoteStoreError, OSError) as error:
        _log.warning("health: store unavailable: %s", error)
        response = jsonify(status="unavailable", store="unavailable", query_workers=workers)
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response
    return jsonify(status="ok", store="ok", graphs=graphs, query_workers=workers)
