"""The dataset described: /.well-known/void (VoID + DCAT) and one township's named graph, /graph/{code}."""

from __future__ import annotations

from flask import Response, abort, request
from markupsafe import Markup
from rdflib import Graph

from luzhi.ontology.namespaces import PREFIXES
from luzhi.server.conneg import choose, choose_or_refuse
from luzhi.server.context import build_info, get_config, get_store, per_snapshot
from luzhi.server.describe import check_iri
from luzhi.server.i18n import lang
from luzhi.server.links import format_links, iri_for_path
from luzhi.server.publication import Publication, schema_org
from luzhi.server.views.common import conditional, rdf_response, render_page, serialize
from luzhi.server.views.dumps import dumps
from luzhi.server.void_description import statistics, void_graph
from luzhi.store.dump import DUMP_FILES, media_type
from luzhi.store.formats import DESCRIPTION_MIMES, EXTENSIONS, GRAPH_FORMATS


def publication() -> Publication:
    """The publisher's settings with this build's time (server/publication.py)."""
    return Publication.of(get_config(), build_info().time)


def structured_data() -> Markup:
    """schema.org `Dataset` JSON-LD for the landing pages (home, the VoID page): what search engines read.

    The dumps are listed by name, not written: a home page must not wait for a whole-store dump.
    """
    pub = publication()
    downloads = [(media_type(name), pub.iris.dump(name)) for name in DUMP_FILES]
    return schema_org(pub, downloads, lang())


def _void_graph() -> Graph:
    """The VoID + DCAT graph, built once per snapshot: its statistics are the build's, its dumps are
    written once per build (issue 13: rebuilt on every request, 46 → 91 ms as the store grew)."""
    def build() -> Graph:
        pub = publication()
        return void_graph(get_store(), pub, statistics(get_store(), pub.iris), dumps())

    return per_snapshot("void-graph", build)


def void(ext: str | None = None):
    """VoID + DCAT. Turtle for `*/*` (what VoID crawlers expect), HTML for browsers that ask for it."""
    if ext is not None:
        if ext not in EXTENSIONS:
            abort(404)
        mime = EXTENSIONS[ext]
    else:
        mime = choose_or_refuse(request.headers.get("Accept"), [*DESCRIPTION_MIMES, "text/html"])
        # A browser lists text/html explicitly; honour that over the Turtle default for */*.
        accept = request.headers.get("Accept", "")
        if "text/html" in accept and choose(accept, ["text/html", *DESCRIPTION_MIMES]) == "text/html":
            mime = "text/html"
    graph = _void_graph()
    alternates = format_links("/.well-known/void")
    if mime == "text/html":
        turtle = per_snapshot(("void", "text/turtle"), lambda: serialize(graph, "text/turtle")).decode("utf-8")
        return render_page("void.html", alternates=alternates, turtle=turtle, title="VoID / DCAT",
                           structured_data=structured_data(), cache_key="void")
    return rdf_response(graph, mime, body=per_snapshot(("void", mime), lambda: serialize(graph, mime)))


def named_graph(code: str):
    """The named graph of one township document (what the build replaced atomically), or `kinds`, as RDF."""
    stem, dot, ext = code.partition(".")
    if dot:
        if ext not in EXTENSIONS:
            abort(404)
        mime = EXTENSIONS[ext]
    else:
        mime = choose_or_refuse(request.headers.get("Accept"), list(DESCRIPTION_MIMES))
    if not ((stem.isascii() and stem.isdigit()) or stem in ("kinds", "shared")):  # etl/kinds_rdf.py; etl/shared.py
        abort(404)
    graph_iri = check_iri(iri_for_path(f"/graph/{stem}"))
    if graph_iri not in get_store().graph_names():
        abort(404)
    prefixes = {name: str(ns) for name, ns in PREFIXES.items()} if mime != "application/n-triples" else None
    body = get_store().dump_graph(graph_iri, GRAPH_FORMATS[mime], prefixes)
    response = Response(body, mimetype=mime)
    return conditional(response)
