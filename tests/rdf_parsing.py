"""Parse an HTTP response body into an rdflib Graph, for the tests that check RDF representations."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from luzhi.store.oxigraph import to_rdflib


def parse_rdf(data: bytes | str, mime: str) -> Graph:
    """Parse with pyoxigraph (rdflib's JSON-LD parser warns about its own ConjunctiveGraph)."""
    graph = Graph()
    raw = data.encode() if isinstance(data, str) else data
    for triple in ox.parse(raw, format=ox.RdfFormat.from_media_type(mime)):
        graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return graph
