"""Dereferenceable IRIs: `/id/…` → 303 → `/doc/…`, content negotiation, `/source/…` texts (issue 6).

Cool URIs for the Semantic Web (W3C note, §4.3): the IRI `B/id/x` names the thing, `B/doc/x`
the document about it; `303 See Other` says which is which. `/doc/x` negotiates HTML or RDF
(`Vary: Accept`); `/doc/x.ttl` and friends name one representation each, for links and caches.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import abort, request, send_file
from rdflib import URIRef
from rdflib.namespace import RDF
from werkzeug.exceptions import NotAcceptable

from luzhi.etl.readers import FORMATS
from luzhi.etl.source import source_codec
from luzhi.ontology.namespaces import LZ
from luzhi.server.conneg import negotiate
from luzhi.server.context import get_opened, get_store, label_cache, per_snapshot
from luzhi.server.describe import HYDRA, InvalidIri, check_iri, describe, exists, paging_triples
from luzhi.server.links import format_links, iri_for_path, link, redirect_to
from luzhi.server.offers import not_offered, resource_offers
from luzhi.server.views import kinds, list_tables
from luzhi.server.views.common import page_arg, require_page, triples_response
from luzhi.server.views.conditional import conditional
from luzhi.store.formats import BY_MIME, DESCRIPTION_MIMES, EXTENSIONS, TABLE_EXTENSIONS
from luzhi.store.state import read_build_info, source_file, source_of

HTML = "text/html"
OFFERED = [HTML, *DESCRIPTION_MIMES]

INCOMING_LINKS = ("条指向它的链接", "links to it")  # what an RDF page of a resource pages


def _checked(iri: str) -> str:
    try:
        return check_iri(iri)
    except InvalidIri:
        abort(404)


def thing(rest: str):
    """303 to the document about the thing, keeping the query (`?lang=en`)."""
    iri = _checked(iri_for_path(f"/id/{rest}"))
    if rest == "dataset":
        # The dataset is described by its VoID document, not by triples in the store.
        target = "/.well-known/void"
    elif not exists(get_store(), iri):
        _no_extension(rest)
        abort(404)
    else:
        target = f"/doc/{rest}"
    response = redirect_to(target, code=303)
    response.vary.add("Accept")
    return response


def _no_extension(rest: str) -> None:
    """`/id/{stem}.{ext}` of a thing there is: a 404 naming the forms of its description (it was the bare 404). An
    `/id/` IRI names the thing, not a document, so it has no forms of its own to redirect to."""
    stem, dot, ext = rest.rpartition(".")
    if dot and ext and "/" not in ext and exists(get_store(), _checked(iri_for_path(f"/id/{stem}"))):
        raise not_offered(ext, resource_offers(f"/doc/{stem}", tables=list_tables.has_table(stem)),
                          note=(f"（/id/{stem} 是事物本身的标识，不带扩展名；描述它的文档如下）",
                                f" (/id/{stem} names the thing itself, without an extension; the documents "
                                "describing it follow)"))


def document(rest: str):
    """The description of `/id/rest`: by `Accept`, or in the format an extension names; a list's or a kind's
    table by its extension. A form the resource has not is a 404 (by extension) or a 406 (by `Accept`) naming
    those it has (server/offers.py); a resource the store has not is a 404 either way."""
    stem, dot, ext = rest.rpartition(".")
    by_extension = bool(dot and ext and "/" not in ext)  # `/doc/x.` has none: no resource is `x.`, a 404
    if by_extension and ext not in EXTENSIONS:
        iri = _checked(iri_for_path(f"/id/{stem}"))
        if not exists(get_store(), iri):
            abort(404)
        if ext in TABLE_EXTENSIONS and list_tables.has_table(stem):  # a table for analysts (issue 14)
            return list_tables.table_download(stem, iri, ext)
        raise not_offered(ext, resource_offers(f"/doc/{stem}", tables=list_tables.has_table(stem)),
                          note=_no_table(stem, ext))
    if by_extension:
        rest = stem
    iri = _checked(iri_for_path(f"/id/{rest}"))
    try:
        mime = EXTENSIONS[ext] if by_extension else negotiate(
            OFFERED, links=lambda: resource_offers(f"/doc/{rest}", tables=list_tables.has_table(rest)))
    except NotAcceptable:
        if not exists(get_store(), iri):  # no 406 naming the forms of a resource there is not
            abort(404)
        raise
    page = page_arg()
    listing = kinds.lists_duties(rest)  # a department's or a category's RDF pages its duties, as its HTML does
    labels_of = kinds.page_labels(rest, iri, label_cache()) if mime == HTML else label_cache()
    description = describe(get_store(), iri, page=page, page_size=kinds.page_size(rest), labels_of=labels_of,
                           with_incoming=kinds.shows_incoming(rest) if mime == HTML else not listing,
                           incoming=kinds.paged_links(rest))
    if description is None:
        abort(404)
    if listing and mime != HTML:
        description = kinds.duty_listing(iri, rest, description)  # its own 404 past the last page
    # A page past the last is a 404 in every format (docs/linked-data.md); it answered 200 with no links.
    # Naming `page` and the last page, as a list's and /search's do (cold review 29: the site's bare 404).
    require_page(description.paging, INCOMING_LINKS)
    if mime == HTML and page > 1 and kinds.pages_as_rdf_twin(rest):
        require_page(describe(get_store(), iri, page=page, page_size=kinds.page_size(rest)).paging, INCOMING_LINKS)
    doc_path = f"/doc/{rest}"
    alternates = format_links(doc_path, page)
    if mime == HTML:
        return kinds.render(iri, rest, description, alternates)
    doc_url = iri_for_path(doc_path) + (f".{BY_MIME[mime].extension}" if by_extension else "")
    triples = [*description.triples, *paging_triples(description, doc_url)]
    links = [f'<{request.script_root}{doc_path}>; rel="alternate"; type="text/html"']
    links += [f'<{link.url}>; rel="alternate"; type="{link.mime}"' for link in alternates if link.mime != mime]
    paging = description.paging
    if paging.has_next:
        links.append(f'<{link(request.path, page=paging.page + 1)}>; rel="next"')
    if paging.has_previous:
        links.append(f'<{link(request.path, page=paging.page - 1)}>; rel="prev"')
    return triples_response(triples, mime, links=links, prefixes={"hydra": str(HYDRA)})


def _no_table(rest: str, ext: str) -> tuple[str, str]:
    """What the 404 of `/doc/{rest}.{ext}` adds when `ext` is a table's and `rest` has none: a bare 404 for `.json`
    said nothing of the JSON-LD there is (cold review 21)."""
    if ext not in TABLE_EXTENSIONS:
        return "", ""
    zh, en = f"（.{ext} 只用于清单与事项种类的表格）", f" (.{ext} is the table of a list or a duty kind)"
    if ext == "json":
        url = f"{request.host_url.rstrip('/')}{request.script_root}/doc/{rest}.jsonld"
        zh, en = f"{zh[:-1]}；它的 JSON 形式是 JSON-LD：{url}）", f"{en[:-1]}; its JSON form is JSON-LD: {url})"
    return zh, en


# Sources a browser may show in the page: text (nosniff: never sniffed into HTML) and PDF (its viewer runs no
# script on our origin, and `#page=3` opens its page). Anything else a browser could render as a document of
# ours (an HTML original: its scripts, forms and links would run with our origin, stored XSS, cold review) is
# a download. Word and Excel files are downloads anyway; saying so costs nothing.
INLINE_SOURCES = frozenset({"text/plain", "application/pdf"})
# A document a browser does open runs sandboxed: no script, no form, no plug-in, an opaque origin. Not the
# PDF: Chromium refuses to show a sandboxed PDF at all.
SOURCE_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"


def source(filename: str):
    """A source document as built: text as text/plain, so `#line=a,b` (RFC 5147) names lines in it;
    a PDF inline, so `#page=3` opens its page; a Word, Excel or HTML original as itself, as a download
    (`Content-Disposition: attachment`): an HTML page shown by a browser would run on our origin.

    Only documents the store records as `lz:SourceDocument` are served, from the build's copies: `{code}/{file}`
    (Iris.source), or a bare name in a store built before cold review 21.
    """
    iri = _checked(iri_for_path(f"/source/{quote(filename, safe='/')}"))  # the IRI is encoded (Iris.source)
    if not get_store().triples(URIRef(iri), RDF.type, LZ.SourceDocument, limit=1):
        moved = per_snapshot("sources by bare name", _moved_sources).get(filename)
        if moved is None:
            abort(404)
        # `/source/{file}` of a document a luzhi before cold review 21 built, now under its township's code: its
        # links (`#line=a,b` stays on the client and follows the redirect, RFC 9110 §10.2.2) keep working.
        return redirect_to(f"/source/{quote(moved, safe='/')}", code=301)
    path = source_file(get_opened().state_dir, filename)
    if path is not None:
        media_type = FORMATS.get(path.suffix.lower(), ("text/plain",))[0]
        inline = media_type in INLINE_SOURCES
        response = send_file(path, mimetype=media_type, conditional=False, max_age=0, as_attachment=not inline,
                             download_name=path.name)
        if media_type == "text/plain":
            # The encoding the build read it in: werkzeug's `charset=utf-8` showed a GB18030 source as mojibake
            # (cold review).
            response.headers["Content-Type"] = f"text/plain; charset={_charset(source_codec(path.read_bytes()))}"
        else:  # an HTML original is in its own encoding (its <meta charset>): Flask's `charset=utf-8` could lie
            response.headers["Content-Type"] = media_type
        if media_type != "application/pdf":
            response.headers["Content-Security-Policy"] = SOURCE_POLICY
        response.direct_passthrough = False
        # `Range` as for the dumps (206, 416, `If-Range`): a source PDF is megabytes, and a PDF viewer asks
        # for its pages by range; they were ignored (cold review).
        return conditional(response, vary_accept=False, complete_length=path.stat().st_size)
    abort(404)


def _moved_sources() -> dict[str, str]:
    """Each file name held by exactly one township's document, to its `{code}/{file}` (build.json)."""
    keys: dict[str, list[str]] = {}
    for entry in read_build_info(get_opened().state_dir).get("documents", []):
        if source_of(entry) != entry["file"]:
            keys.setdefault(entry["file"], []).append(source_of(entry))
    return {name: found[0] for name, found in keys.items() if len(found) == 1}


def _charset(codec: str | None) -> str:
    """A Python codec name as the IANA charset a browser knows (`utf-16-le` → `utf-16le`)."""
    return (codec or "utf-8").replace("utf-16-", "utf-16")
