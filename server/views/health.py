"""`/health`: for load balancers and process managers; answers only when the store can be queried."""

from __future__ import annotations

from flask import jsonify

from luzhi.server.context import get_store


def health():
    store = get_store()
    return jsonify(status="ok", graphs=len(store.graph_names()))
