"""Whole-store dumps, shared by `luzhi export` and the /dumps/ route."""

from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox

FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "turtle": ox.RdfFormat.TURTLE}


def write_dump(store, fmt: str, out: BinaryIO) -> None:
    """Stream every quad of the store in `fmt` ("nquads", "trig", "turtle" or "jsonld").

    Quads come from `Store.quads()`, not a union query: a remote's default graph also holds the
    server's own graphs (Virtuoso's), which `quads()` leaves out (docs/remote-store.md). Turtle has
    no graphs, so it is the union, streamed: a triple stated in several township graphs (a county's
    departments) comes out once per graph, and RDF merges them on load. JSON-LD has no streaming
    serialiser here, so it goes through an rdflib graph.
    """
    from luzhi.ontology.namespaces import PREFIXES

    prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
    if fmt == "turtle":
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in store.quads())
        ox.serialize(triples, out, format=FORMATS[fmt], prefixes=prefixes)
    elif fmt in FORMATS:
        ox.serialize(store.quads(), out, format=FORMATS[fmt])
    else:
        from rdflib import Graph

        from luzhi.ontology.namespaces import bind_prefixes
        from luzhi.server.store import to_rdflib

        graph = Graph()
        for quad in store.quads():
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        bind_prefixes(graph)
        out.write(graph.serialize(format="json-ld", encoding="utf-8"))
