"""SPARQL 1.1 Service Description of the endpoint (https://www.w3.org/TR/sparql11-service-description/).

Tells clients what `GET /sparql` without a query can: the query language, the result
formats, that the default graph is the union of every document's graph (sd:UnionDefaultGraph)
and which named graphs exist. Past `MAX_LISTED_GRAPHS` named graphs (the full data has
~38,700) the description gives their number and a query that lists them, instead of a
multi-megabyte answer to a simple GET.
"""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from luzhi.ontology.namespaces import SD, bind_prefixes
from luzhi.server.sparql.formats import GRAPHS, RESULTS
from luzhi.store.formats import BY_MIME

MAX_LISTED_GRAPHS = 1000
def service_description(
    endpoint: str,
    graph_names: Sequence[str],
    *,
    timeout: float,
    max_rows: int,
    allow_service: Sequence[str],
) -> Graph:
    """The sd:Service graph for the endpoint at `endpoint`."""
    g = Graph()
    bind_prefixes(g)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    if allow_service:
        g.add((service, SD.feature, SD.BasicFederatedQuery))
    g.add((service, SD.defaultEntailmentRegime, URIRef("http://www.w3.org/ns/entailment/Simple")))
    for fmt in RESULTS + GRAPHS:
        g.add((service, SD.resultFormat, URIRef(f"http://www.w3.org/ns/formats/{BY_MIME[fmt.mime].w3c}")))
    g.add((service, DCTERMS.title, Literal("履职事项清单 SPARQL 查询服务", lang="zh")))
    g.add((service, DCTERMS.title, Literal("Township duty lists: SPARQL endpoint", lang="en")))
    limits = (f"Read-only. Queries stop after {timeout:g} s; results over {max_rows} rows (or triples) are "
              "refused with an error, never truncated: page with LIMIT/OFFSET. SERVICE is "
              + (f"allowed only to: {', '.join(allow_service)}." if allow_service else "not allowed."))
    g.add((service, RDFS.comment, Literal(limits, lang="en")))

    dataset = BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    # Said from the store's actual graph names: a fixed sentence ("township graphs + ontology") went
    # stale when the kinds and shared graphs were added (cold review).
    townships = [n for n in graph_names if _is_township_graph(n)]
    others = ", ".join(n for n in graph_names if not _is_township_graph(n)) or "none"
    g.add((default, RDFS.comment, Literal(
        f"The default graph is the union of all {len(graph_names)} named graphs: {len(townships)} township "
        f"document graphs (…/graph/{{township code}}) and these others: {others}.", lang="en")))
    g.add((default, RDFS.comment, Literal(
        f"默认图是全部 {len(graph_names)} 个命名图的并集：{len(townships)} 个乡镇清单图，另有：{others}。", lang="zh")))
    g.add((dataset, RDFS.comment, Literal(f"{len(graph_names)} named graphs.", lang="en")))
    if len(graph_names) <= MAX_LISTED_GRAPHS:
        for name in graph_names:
            named = BNode()
            g.add((dataset, SD.namedGraph, named))
            g.add((named, RDF.type, SD.NamedGraph))
            g.add((named, SD.name, URIRef(name)))
    else:
        g.add((dataset, RDFS.comment, Literal(
            "Too many named graphs to list here; ask: SELECT DISTINCT ?g WHERE { GRAPH ?g {} }", lang="en")))
    return g


def _is_township_graph(name: str) -> bool:
    """…/graph/{township code}: Iris.graph (ontology/iris.py); codes are digits."""
    head, _, code = name.rstrip("/").rpartition("/")
    return head.endswith("/graph") and code.isdigit()
