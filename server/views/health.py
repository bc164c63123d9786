"""`/health`: for load balancers and process managers; 200 only when the store can be queried.

It names each part (issue 10): the store (`ok`, or `unavailable` with 503 + Retry-After, without the
store's internal URL), and the query workers' confinement as the last one reported it
(`network=netns|seccomp|none memory=…`, "not started" before the first query).
"""

from __future__ import annotations

import logging

from flask import jsonify

from luzhi.server.context import get_executor, get_store
from luzhi.server.limits import RETRY_AFTER
from luzhi.store.remote import RemoteStoreError

_log = logging.getLogger(__name__)


def health():
    workers = getattr(get_executor(), "confinement", "") or "not started"
    try:
        graphs = len(get_store().graph_names())
    except (RemoteStoreError, OSError) as error:
        _log.warning("health: store unavailable: %s", error)
        response = jsonify(status="unavailable", store="unavailable", query_workers=workers)
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response
    return jsonify(status="ok", store="ok", graphs=graphs, query_workers=workers)
