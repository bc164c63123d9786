"""`/health`: for load balancers and process managers; answers only when the store can be queried."""

from __future__ import annotations

from flask import Blueprint, jsonify

from luzhi.server.app import get_store

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    store = get_store()
    return jsonify(status="ok", graphs=len(store.graph_names()))
