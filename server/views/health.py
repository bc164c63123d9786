"""`/health`: for load balancers and process managers; 200 only when the store can be queried.

It says what monitoring needs (issue 10): `status`, the store (`ok`, or `unavailable` with 503 +
Retry-After, without the store's internal URL), how many named graphs it holds and which build it
serves (`build`, the build.json id that also makes the ETags), so a rollout can be checked. It does not
publish the query sandbox's settings (the network wall, memory caps, worker counts): a public health
check told anyone the limits to work around (cold review). The operator reads them in the server's log
(`luzhi serve` prints them at startup; store/executor.py logs what the first query worker reports;
docs/security.md).
"""

from __future__ import annotations

import logging

from flask import jsonify

from luzhi.server.context import build_info, get_store
from luzhi.server.limits import RETRY_AFTER
from luzhi.store.remote import RemoteStoreError

_log = logging.getLogger(__name__)


def health():
    try:
        graphs = len(get_store().graph_names())
    except (RemoteStoreError, OSError) as error:
        _log.warning("health: store unavailable: %s", error)
        response = jsonify(status="unavailable", store="unavailable")
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response
    return jsonify(status="ok", store="ok", graphs=graphs, build=build_info().build_id)
