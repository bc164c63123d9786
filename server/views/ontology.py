"""`/def`: the vocabulary as HTML documentation and RDF by content negotiation.

Term IRIs are `https://w3id.org/luzhi/def#X`. A client dereferences the part before `#`,
so w3id.org redirects `https://w3id.org/luzhi/def` to this server's `/def` (docs/linked-data.md),
and this page gives every term an `id="X"` anchor. `/def/X` also 303s to `/def#X` for those
who write terms as paths. The HTML is generated here from `ontology/*.ttl` (a few hundred
lines of Turtle do not need pyLODE and its dependency tree).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from flask import abort
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from luzhi.ontology.namespaces import LZ, bind_prefixes
from luzhi.server.conneg import negotiate
from luzhi.server.describe import pick_label
from luzhi.server.i18n import lang
from luzhi.server.links import format_links, redirect_to
from luzhi.server.offers import not_offered, resource_offers
from luzhi.server.views.common import rdf_response, render_page
from luzhi.store.formats import DESCRIPTION_MIMES, EXTENSIONS

ONTOLOGY_IRI = URIRef(str(LZ)[:-1])
SECTIONS = (
    (OWL.Class, "Classes", "类"),
    (OWL.ObjectProperty, "Object properties", "对象属性"),
    (OWL.DatatypeProperty, "Datatype properties", "数据属性"),
    (OWL.AnnotationProperty, "Annotation properties", "注释属性"),
    (SKOS.ConceptScheme, "Concept schemes", "概念体系"),
    (SKOS.Concept, "Concepts", "概念"),
)
RELATIONS = (
    (RDFS.subClassOf, "subclass of", "上位类"),
    (RDFS.subPropertyOf, "subproperty of", "上位属性"),
    (RDFS.domain, "domain", "定义域"),
    (RDFS.range, "range", "值域"),
    (OWL.inverseOf, "inverse of", "逆属性"),
    (SKOS.exactMatch, "exact match", "精确匹配"),
    (SKOS.closeMatch, "close match", "相近匹配"),
    (SKOS.inScheme, "in scheme", "所属概念体系"),
    (OWL.equivalentClass, "equivalent class", "等价类"),
    (OWL.equivalentProperty, "equivalent property", "等价属性"),
    (RDFS.seeAlso, "see also", "参见"),
)


@lru_cache(maxsize=1)
def ontology() -> Graph:
    """Every `ontology/*.ttl`, as shipped with the package (the same files the build loads)."""
    graph = Graph()
    bind_prefixes(graph)
    folder = resources.files("luzhi") / "ontology"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".ttl"):
            graph.parse(data=entry.read_text(encoding="utf-8"), format="turtle")
    return graph


@dataclass(frozen=True)
class Term:
    """One vocabulary term as the page shows it."""

    iri: URIRef
    name: str  # the anchor: the part after `#`
    labels: tuple[Literal, ...]
    definitions: tuple[Literal, ...]
    relations: tuple[tuple[str, tuple[URIRef, ...]], ...]


def terms(graph: Graph) -> list[tuple[str, list[Term]]]:
    """Terms of our namespace grouped by kind; a term with no known kind lands in a last section."""
    seen: set[URIRef] = set()
    sections: list[tuple[str, list[Term]]] = []
    language = lang()
    for cls, en, zh in SECTIONS:
        members = sorted(
            {s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef) and str(s).startswith(str(LZ))}
            - seen
        )
        seen.update(members)
        if members:
            sections.append((en if language == "en" else zh, [_term(graph, s) for s in members]))
    rest = sorted(
        {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(str(LZ)) and s != LZ[""]}
        - seen
    )
    if rest:
        sections.append(("Other terms" if language == "en" else "其他术语", [_term(graph, s) for s in rest]))
    return sections


def _term(graph: Graph, iri: URIRef) -> Term:
    language = lang()
    relations = []
    for prop, en, zh in RELATIONS:
        values = tuple(sorted(o for o in graph.objects(iri, prop) if isinstance(o, URIRef)))
        if values:
            relations.append((en if language == "en" else zh, values))
    labels = tuple(o for o in graph.objects(iri, RDFS.label) if isinstance(o, Literal))
    labels += tuple(o for o in graph.objects(iri, SKOS.prefLabel) if isinstance(o, Literal))
    definitions = tuple(
        o
        for prop in (SKOS.definition, RDFS.comment)
        for o in graph.objects(iri, prop)
        if isinstance(o, Literal)
    )
    return Term(iri, str(iri)[len(str(LZ)) :], labels, _ordered(definitions), tuple(relations))


def _ordered(literals: tuple[Literal, ...]) -> tuple[Literal, ...]:
    """The reader's language first, then the other."""
    first = lang()
    return tuple(sorted(literals, key=lambda lit: (lit.language != first, lit.language or "")))


def vocabulary(ext: str | None = None):
    if ext is not None:
        if ext not in EXTENSIONS:
            raise not_offered(ext, resource_offers("/def"))
        mime = EXTENSIONS[ext]
    else:
        mime = negotiate(["text/html", *DESCRIPTION_MIMES])
    graph = ontology()
    if mime != "text/html":
        return rdf_response(graph, mime)
    meta = {
        "title": pick_label(graph.objects(ONTOLOGY_IRI, DCTERMS.title), lang()),
        "description": pick_label(graph.objects(ONTOLOGY_IRI, DCTERMS.description), lang()),
        "version": next(graph.objects(ONTOLOGY_IRI, OWL.versionInfo), None),
        "license": next(graph.objects(ONTOLOGY_IRI, DCTERMS.license), None),
    }
    return render_page("def.html", alternates=format_links("/def"), sections=terms(graph), meta=meta,
                       ontology_iri=ONTOLOGY_IRI, namespace=str(LZ), pick=pick_label, labels={},
                       title=meta["title"])


def term(name: str):
    """Path-style term IRIs (`/def/Duty`) lead to the anchor on the vocabulary page, the query string kept as
    `/id/` keeps it (`/def/Duty?lang=en` lost its lang=en, cold review)."""
    if (LZ[name], None, None) not in ontology():
        abort(404)
    return redirect_to("/def", code=303, fragment=f"#{name}")
