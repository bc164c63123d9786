"""For crawlers: /robots.txt and the sitemaps (one per township, sitemaps.org)."""

from __future__ import annotations

from xml.sax.saxutils import escape as xml_escape

from flask import Response, abort

from luzhi.ontology.namespaces import sparql_prologue
from luzhi.server.context import build_info, get_store
from luzhi.server.describe import check_iri
from luzhi.server.links import iri_for_path
from luzhi.server.views.conditional import conditional

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def robots():
    body = (
        "User-agent: *\n"
        "Disallow: /sparql\n"  # one crawler can occupy the query workers; pages carry the same data
        "Disallow: /search\n"
        "Allow: /\n"
        f"Sitemap: {iri_for_path('/sitemap.xml')}\n"
    )
    return conditional(Response(body, mimetype="text/plain"), vary_accept=False)


def sitemap_index():
    """A sitemap index: one sitemap per township (its division, lists and duties) plus one for the rest.

    A sitemap holds at most 50,000 URLs (sitemaps.org); one township has a few hundred.
    """
    codes = [
        str(row["code"])
        for row in get_store().select(
            sparql_prologue()
            + "SELECT DISTINCT ?code WHERE { ?l a lz:DutyList ; lz:ofTownship ?t . ?t skos:notation ?code } "
            "ORDER BY ?code"
        )
    ]
    lastmod = build_info().time.date().isoformat()
    items = [iri_for_path("/sitemap/main.xml")] + [iri_for_path(f"/sitemap/{code}.xml") for code in codes]
    body = "".join(
        f"<sitemap><loc>{xml_escape(url)}</loc><lastmod>{lastmod}</lastmod></sitemap>" for url in items
    )
    return _xml(f'<sitemapindex xmlns="{SITEMAP_NS}">{body}</sitemapindex>')


def sitemap(name: str):
    store = get_store()
    if name == "main":
        urls = [iri_for_path("/"), iri_for_path("/def"), iri_for_path("/doc/category")]
        query = (
            "SELECT DISTINCT ?r WHERE { { ?r a cv:PublicOrganisation } UNION { ?r a skos:Concept } UNION "
            "{ ?r a lz:DutyKind } UNION "
            "{ ?r a lz:AdministrativeDivision FILTER NOT EXISTS { ?r a lz:Township } } }"
        )
    elif name.isascii() and name.isdigit():
        township = check_iri(iri_for_path(f"/id/division/{name}"))
        urls = []
        query = (
            f"SELECT DISTINCT ?r WHERE {{ {{ BIND(<{township}> AS ?r) ?r a lz:Township }} UNION "
            f"{{ ?r lz:township|lz:ofTownship <{township}> }} }}"
        )
    else:
        abort(404)
    rows = store.select(sparql_prologue() + query + " ORDER BY ?r")
    if name.isascii() and name.isdigit() and not rows:
        abort(404)
    id_prefix = iri_for_path("/id/")
    local = [str(row["r"])[len(id_prefix) :] for row in rows if str(row["r"]).startswith(id_prefix)]
    urls += [iri_for_path(f"/doc/{path}") for path in local]
    body = "".join(f"<url><loc>{xml_escape(url)}</loc></url>" for url in urls[:50_000])
    return _xml(f'<urlset xmlns="{SITEMAP_NS}">{body}</urlset>')


def _xml(text: str) -> Response:
    return conditional(Response('<?xml version="1.0" encoding="UTF-8"?>\n' + text, mimetype="application/xml"),
                       vary_accept=False)
