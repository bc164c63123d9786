"""The dataset described and downloadable: /.well-known/void, /dumps/, /graph/{code}, sitemap.xml, robots.txt.

Dumps are written once per build, on first request, next to the store (or in a temporary
folder when the store's folder is read-only), then served as static files with their SHA-256:
computing a whole-store dump per request would not survive 300 million triples.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pyoxigraph as ox
from flask import Blueprint, Response, abort, request, send_file

from luzhi.ontology.namespaces import PREFIXES, sparql_prologue
from luzhi.server.app import get_config, get_store
from luzhi.server.conneg import EXTENSIONS, RDF_FORMATS, choose
from luzhi.server.describe import check_iri
from luzhi.server.dump import write_dump
from luzhi.server.store import to_oxigraph
from luzhi.server.views.common import (
    build_info,
    conditional,
    format_links,
    init_templates,
    rdf_response,
    render_page,
)
from luzhi.server.void_description import Dump, statistics, void_graph

bp = Blueprint("void", __name__)
bp.record_once(lambda state: init_templates(state.app))

DUMPS = {"luzhi.nq.gz": "application/n-quads", "luzhi.ttl.gz": "text/turtle"}
DUMP_FORMATS = {"application/n-quads": "nquads", "text/turtle": "turtle"}
NATIVE = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_lock = threading.Lock()


# ---------------------------------------------------------------- VoID
def _void_graph():
    app_cache = get_store().__dict__.setdefault("_luzhi_void_cache", {})
    config = get_config()
    if "stats" not in app_cache:
        app_cache["stats"] = statistics(get_store(), config.base)
    return void_graph(get_store(), config.base, app_cache["stats"], dumps())


@bp.get("/.well-known/void")
@bp.get("/.well-known/void.<ext>")
def void(ext: str | None = None):
    """VoID + DCAT. Turtle for `*/*` (what VoID crawlers expect), HTML for browsers that ask for it."""
    if ext is not None:
        if ext not in EXTENSIONS:
            abort(404)
        mime = EXTENSIONS[ext]
    else:
        mime = choose(request.headers.get("Accept"), [*RDF_FORMATS, "text/html"])
        if mime is None:
            abort(406)
        # A browser lists text/html explicitly; honour that over the Turtle default for */*.
        accept = request.headers.get("Accept", "")
        if "text/html" in accept and choose(accept, ["text/html", *RDF_FORMATS]) == "text/html":
            mime = "text/html"
    graph = _void_graph()
    alternates = format_links("/.well-known/void")
    if mime == "text/html":
        turtle = graph.serialize(format="turtle")
        return render_page("void.html", alternates=alternates, turtle=turtle, title="VoID / DCAT")
    return rdf_response(graph, mime)


# ---------------------------------------------------------------- dumps
def _dump_dir() -> Path:
    """`<store>/dumps/<build id>/` when writable, else a per-user temporary folder."""
    build_id = build_info().build_id
    preferred = Path(get_config().store_path) / "dumps"
    for root in (preferred, Path(tempfile.gettempdir()) / f"luzhi-dumps-{os.getuid()}"):
        try:
            root.mkdir(parents=True, exist_ok=True)
            probe = root / ".write-test"
            probe.write_bytes(b"")
            probe.unlink()
            return root / build_id
        except OSError:
            continue
    raise RuntimeError("no writable folder for dumps")


def dumps() -> list[Dump]:
    """The dumps of this build, written now if they are not there yet."""
    folder = _dump_dir()
    manifest = folder / "manifest.json"
    with _lock:
        if not manifest.exists():
            folder.mkdir(parents=True, exist_ok=True)
            entries = [_write_dump(folder, name, mime) for name, mime in DUMPS.items()]
            tmp = manifest.with_suffix(".tmp")
            tmp.write_text(json.dumps([e.__dict__ for e in entries]), encoding="utf-8")
            tmp.replace(manifest)
    return [Dump(**entry) for entry in json.loads(manifest.read_text(encoding="utf-8"))]


def _write_dump(folder: Path, name: str, mime: str) -> Dump:
    store = get_store()
    target = folder / name
    partial = folder / (name + ".part")
    # mtime=0: the same build gives byte-identical files, so the published SHA-256 stays true.
    with open(partial, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
        write_dump(store, DUMP_FORMATS[mime], out)
    digest = hashlib.sha256()
    with open(partial, "rb") as written:
        for block in iter(lambda: written.read(1 << 20), b""):
            digest.update(block)
    partial.replace(target)
    return Dump(name=name, media_type=mime, size=target.stat().st_size, sha256=digest.hexdigest())


def _graph_triples(store, graph_iri: str) -> list[ox.Triple]:
    graph = store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{check_iri(graph_iri)}> {{ ?s ?p ?o }} }}")
    return [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph]


@bp.get("/dumps/")
def dumps_index():
    entries = dumps()
    if choose(request.headers.get("Accept"), ["text/html", "application/json"]) == "application/json":
        response = Response(json.dumps([e.__dict__ for e in entries]), mimetype="application/json")
        response.vary.add("Accept")
        return conditional(response)
    return render_page("dumps.html", dumps=entries, title="dumps")


@bp.get("/dumps/SHA256SUMS")
def dumps_checksums():
    body = "".join(f"{e.sha256}  {e.name}\n" for e in dumps())
    return conditional(Response(body, mimetype="text/plain"), vary_accept=False)


@bp.get("/dumps/<name>")
def dump_file(name: str):
    if name not in DUMPS:
        abort(404)
    entries = {e.name: e for e in dumps()}
    response = send_file(_dump_dir() / name, mimetype="application/gzip", download_name=name, conditional=False)
    response.direct_passthrough = False
    response.headers["Digest"] = f"sha-256={entries[name].sha256}"
    return conditional(response, vary_accept=False)


# ---------------------------------------------------------------- one township's graph
@bp.get("/graph/<code>")
def named_graph(code: str):
    """The named graph of one township document (what the build replaced atomically), as RDF."""
    stem, dot, ext = code.partition(".")
    if dot:
        if ext not in EXTENSIONS:
            abort(404)
        mime = EXTENSIONS[ext]
    else:
        mime = choose(request.headers.get("Accept"), list(RDF_FORMATS))
        if mime is None:
            abort(406)
    if not (stem.isdigit() or stem == "shared"):  # a township's code, or the shared graph (etl/shared.py)
        abort(404)
    graph_iri = check_iri(f"{get_config().base}/graph/{stem}")
    if graph_iri not in get_store().graph_names():
        abort(404)
    store = get_store()
    if hasattr(store, "native"):
        body = store.native.dump(format=NATIVE[mime], from_graph=ox.NamedNode(graph_iri))
    else:
        prefixes = {name: str(ns) for name, ns in PREFIXES.items()} if mime != "application/n-triples" else None
        body = ox.serialize(_graph_triples(store, graph_iri), format=NATIVE[mime], prefixes=prefixes)
    response = Response(body, mimetype=mime)
    return conditional(response)


# ---------------------------------------------------------------- crawlers
@bp.get("/robots.txt")
def robots():
    base = get_config().base
    body = (
        "User-agent: *\n"
        "Disallow: /sparql\n"  # one crawler can occupy the query workers; pages carry the same data
        "Disallow: /search\n"
        "Allow: /\n"
        f"Sitemap: {base}/sitemap.xml\n"
    )
    return conditional(Response(body, mimetype="text/plain"), vary_accept=False)


@bp.get("/sitemap.xml")
def sitemap_index():
    """A sitemap index: one sitemap per township (its division, lists and duties) plus one for the rest.

    A sitemap holds at most 50,000 URLs (sitemaps.org); one township has a few hundred.
    """
    base = get_config().base
    codes = [
        str(row["code"])
        for row in get_store().select(
            sparql_prologue()
            + "SELECT DISTINCT ?code WHERE { ?l a lz:DutyList ; lz:ofTownship ?t . ?t skos:notation ?code } "
            "ORDER BY ?code"
        )
    ]
    lastmod = build_info().time.date().isoformat()
    items = [f"{base}/sitemap/main.xml"] + [f"{base}/sitemap/{code}.xml" for code in codes]
    body = "".join(
        f"<sitemap><loc>{xml_escape(url)}</loc><lastmod>{lastmod}</lastmod></sitemap>" for url in items
    )
    return _xml(f'<sitemapindex xmlns="{SITEMAP_NS}">{body}</sitemapindex>')


@bp.get("/sitemap/<name>.xml")
def sitemap(name: str):
    base = get_config().base
    store = get_store()
    if name == "main":
        urls = [f"{base}/", f"{base}/def", f"{base}/doc/category"]
        query = (
            "SELECT DISTINCT ?r WHERE { { ?r a cv:PublicOrganisation } UNION { ?r a skos:Concept } UNION "
            "{ ?r a lz:AdministrativeDivision FILTER NOT EXISTS { ?r a lz:Township } } }"
        )
    elif name.isdigit():
        township = check_iri(f"{base}/id/division/{name}")
        urls = []
        query = (
            f"SELECT DISTINCT ?r WHERE {{ {{ BIND(<{township}> AS ?r) ?r a lz:Township }} UNION "
            f"{{ ?r lz:township|lz:ofTownship <{township}> }} }}"
        )
    else:
        abort(404)
    rows = store.select(sparql_prologue() + query + " ORDER BY ?r")
    if name.isdigit() and not rows:
        abort(404)
    id_prefix = f"{base}/id/"
    urls += [f"{base}/doc/{str(row['r'])[len(id_prefix):]}" for row in rows if str(row["r"]).startswith(id_prefix)]
    body = "".join(f"<url><loc>{xml_escape(url)}</loc></url>" for url in urls[:50_000])
    return _xml(f'<urlset xmlns="{SITEMAP_NS}">{body}</urlset>')


def _xml(text: str) -> Response:
    return conditional(Response('<?xml version="1.0" encoding="UTF-8"?>\n' + text, mimetype="application/xml"),
                       vary_accept=False)
