"""The dataset described: /.well-known/void (VoID + DCAT) and one township's named graph, /graph/{code}."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask, Response, abort, current_app, request
from markupsafe import Markup
from rdflib import Graph

from luzhi.ontology.namespaces import PREFIXES
from luzhi.server.conneg import choose, negotiate
from luzhi.server.context import build_info, get_config, get_opened, get_store, per_snapshot, snapshot_of
from luzhi.server.describe import check_iri
from luzhi.server.i18n import lang
from luzhi.server.links import FormatLink, format_links, iri_for_path, link
from luzhi.server.offers import not_offered, resource_offers
from luzhi.server.publication import Publication, schema_org
from luzhi.server.views.common import rdf_response, render_page, serialize
from luzhi.server.views.conditional import conditional
from luzhi.server.views.dumps import dumps
from luzhi.server.void_description import STORE_WIDE_GRAPHS, statistics, void_graph
from luzhi.store.dump import DUMP_FILES, media_type
from luzhi.store.formats import BY_MIME, DESCRIPTION_MIMES, EXTENSIONS, GRAPH_FORMATS
from luzhi.store.oxigraph import OxigraphStore


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
            raise not_offered(ext, resource_offers("/.well-known/void"))
        mime = EXTENSIONS[ext]
    else:
        mime = negotiate([*DESCRIPTION_MIMES, "text/html"])
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


# Store-wide graphs: a duty per township in the kinds graph (1.7 M triples at 10,000 townships), ~9 M in the
# statistics graph. Serialised whole and sorted, as a township's graph is, one request held a web process for
# seconds and its memory grew with the store (cold review: 5.4 s for JSON-LD at 60 townships): they are
# streamed instead, as N-Triples (also valid Turtle), the only formats that need no whole graph in memory.
STORE_WIDE = tuple(STORE_WIDE_GRAPHS)  # etl/kinds_rdf.py; etl/shared.py; store/statistics.py
STREAMED = ("text/turtle", "application/n-triples")  # Turtle first, as every other resource
_STREAM_BATCH = 2000  # lines per chunk sent


def _streamed(app: Flask, graph_iri: str) -> Iterator[bytes]:
    """The graph's triples as N-Triples lines, holding the snapshot until the last one is sent (a rebuild
    meanwhile does not close it under the download)."""
    with snapshot_of(app) as snapshot:
        lines = []
        for quad in snapshot.opened.store.graph_quads(graph_iri):
            lines.append(f"{quad.subject} {quad.predicate} {quad.object} .\n")
            if len(lines) >= _STREAM_BATCH:
                yield "".join(lines).encode("utf-8")
                lines = []
        yield "".join(lines).encode("utf-8")


def named_graph(code: str):
    """The named graph of one township document (what the build replaced atomically), or a store-wide one
    (`kinds`, `shared`, `statistics`), as RDF.

    A graph the store does not hold is a 404 whatever the extension; `/graph/{name}.{ext}` names one document, so
    a format not offered for that graph is a 404 too, naming those that are (`/graph/kinds.jsonld` was a 406, an
    answer to content negotiation, which that URL does not do; cold review). Without an extension, `Accept` is
    negotiated: 406 when it accepts none of them."""
    stem, dot, ext = code.partition(".")
    if not ((stem.isascii() and stem.isdigit()) or stem in STORE_WIDE):
        abort(404)
    graph_iri = check_iri(iri_for_path(f"/graph/{stem}"))
    if graph_iri not in get_store().graph_names():
        abort(404)
    streamed = stem in STORE_WIDE and isinstance(get_opened().store, OxigraphStore)
    offered = STREAMED if streamed else DESCRIPTION_MIMES
    if dot:
        if EXTENSIONS.get(ext) not in offered:
            forms = [FormatLink(mime, BY_MIME[mime].name, link(f"/graph/{stem}.{BY_MIME[mime].extension}", keep=()))
                     for mime in offered]
            raise not_offered(ext, forms, note=("（全部数据见 /dumps/）", " (the whole store: /dumps/)"))
        mime = EXTENSIONS[ext]
    else:
        mime = negotiate(offered)
    if streamed:
        response = Response(_streamed(current_app._get_current_object(), graph_iri), mimetype=mime)
        # Else `conditional` (werkzeug's make_conditional, to set Content-Length) read the whole stream into
        # a list first: the graph was held in memory after all (measured: docs/linked-data.md, Known limits).
        response.implicit_sequence_conversion = False
        return conditional(response)
    prefixes = {name: str(ns) for name, ns in PREFIXES.items()} if mime != "application/n-triples" else None
    body = get_store().dump_graph(graph_iri, GRAPH_FORMATS[mime], prefixes)
    response = Response(body, mimetype=mime)
    return conditional(response)
