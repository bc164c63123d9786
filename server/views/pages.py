"""Pages that are not one resource: home, search (page and JSON), the list of categories and townships, 404.

Search is a substring match on labels (`CONTAINS`): Chinese has no spaces between words, so
森林防火 must match inside 做好森林防火工作. That scans every label; at national scale a
full-text index belongs in front of it (docs/linked-data.md).
"""

from __future__ import annotations

import json

from flask import Response, abort, jsonify, request
from werkzeug.exceptions import HTTPException

from luzhi.server import page_queries as q
from luzhi.server.conneg import choose
from luzhi.server.context import get_config, get_store
from luzhi.server.describe import fetch_labels, pick_label
from luzhi.server.i18n import lang
from luzhi.server.links import href, link
from luzhi.server.views.common import conditional, page_arg, render_page
from luzhi.server.views.dataset import structured_data

MAX_QUERY_CHARS = 100


def _cached(key: str, compute):
    """Per-process cache of whole-store figures: the store is read-only, so they change only with a rebuild."""
    cache = get_store().__dict__.setdefault("_luzhi_page_cache", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def home():
    store = get_store()
    numbers = _cached("counts", lambda: q.counts(store))
    townships = _cached("townships", lambda: q.townships(store))
    categories = _cached("categories", lambda: q.categories(store))
    labels = fetch_labels(store, [r["t"] for r in townships] + [r["c"] for r in categories])
    return render_page("home.html", counts=numbers, townships=townships, categories=categories, labels=labels,
                       title=None, structured_data=structured_data())


def search():
    """`/search?q=森林防火[&kind=duty|department|division][&page=N]`; JSON at `/search.json` or by Accept."""
    text = request.args.get("q", "").strip()
    kind = request.args.get("kind") or None
    if kind is not None and kind not in q.SEARCH_KINDS:
        abort(400, description=f"参数 kind 只能是 {', '.join(q.SEARCH_KINDS)} / parameter `kind` must be one of "
                               f"{', '.join(q.SEARCH_KINDS)}, got {kind!r}")
    if len(text) > MAX_QUERY_CHARS:
        abort(400, description=f"参数 q 过长（最多 {MAX_QUERY_CHARS} 字）/ parameter `q` longer than {MAX_QUERY_CHARS}")
    page = page_arg()
    wants_json = request.path.endswith(".json") or (
        choose(request.headers.get("Accept"), ["text/html", "application/json"]) == "application/json"
    )
    store = get_store()
    rows, paging = ([], None)
    if text:
        rows, paging = q.search(store, text, page=page, page_size=get_config().page_size, kind=kind)
    labels = fetch_labels(store, [hit.township for hit in rows if hit.township is not None])
    if wants_json:
        return _search_json(text, kind, rows, paging, labels)
    response = render_page("search.html", q=text, kind=kind, rows=rows, paging=paging, labels=labels,
                           title=text or None)
    response.vary.add("Accept")
    return response


def _search_json(text, kind, rows, paging, labels) -> Response:
    def township(hit: q.SearchHit):
        if hit.township is None:
            return None
        label = pick_label(labels.get(hit.township, ()), lang())
        return {"iri": str(hit.township), "label": str(label) if label else None}

    body = {
        "q": text,
        "kind": kind,
        "page": paging.page if paging else 1,
        "page_size": get_config().page_size,
        "total": paging.total if paging else 0,
        "next": link("/search.json", page=paging.page + 1) if paging and paging.has_next else None,
        "results": [
            {
                "iri": str(hit.iri),
                "kind": hit.kind,
                "label": str(hit.label),
                "page": href(hit.iri),
                "township": township(hit),
                "matched_in": list(hit.matched_in),
                "excerpt": str(hit.excerpt) if hit.excerpt is not None else None,
            }
            for hit in rows
        ],
    }
    # Chinese stays readable in the JSON (RFC 8259 allows UTF-8 as is).
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
    response.vary.add("Accept")
    return conditional(response)


def not_found(error: HTTPException):
    """A real 404: an HTML page with a search box for people, plain text for programs."""
    wanted = choose(request.headers.get("Accept"), ["text/html", "application/json", "text/plain"])
    if wanted == "text/html":
        path = request.path
        return render_page("404.html", status=404, path=path, title=None)
    if wanted == "application/json":
        return jsonify(error="not found", path=request.path), 404
    return Response(f"404 未找到 / Not Found: {request.path}\n", status=404, mimetype="text/plain")
