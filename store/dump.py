"""Whole-store dumps, shared by `luzhi export` and the /dumps/ route."""

from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Graph

from luzhi.ontology.namespaces import PREFIXES, bind_prefixes
from luzhi.store.base import Store
from luzhi.store.formats import DUMP_FORMATS
from luzhi.store.oxigraph import to_rdflib


def write_dump(store: Store, fmt: str, out: BinaryIO) -> None:
    """Stream every quad of the store in `fmt` ("nquads", "trig", "turtle" or "jsonld", store/formats.py).

    Quads come from `Store.quads()`, not a union query: a remote's default graph also holds the
    server's own graphs (Virtuoso's), which `quads()` leaves out (docs/remote-store.md). Turtle has
    no graphs, so it is the union, streamed: a triple stated in several township graphs (a county's
    departments) comes out once per graph, and RDF merges them on load. JSON-LD has no streaming
    serialiser here, so it goes through an rdflib graph (compacted with our prefixes).
    """
    prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
    target = DUMP_FORMATS[fmt].oxigraph
    if fmt == "turtle":
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in store.quads())
        ox.serialize(triples, out, format=target, prefixes=prefixes)
    elif fmt in ("nquads", "trig"):
        ox.serialize(store.quads(), out, format=target)
    else:
        graph = Graph()
        for quad in store.quads():
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        bind_prefixes(graph)
        out.write(graph.serialize(format=DUMP_FORMATS[fmt].rdflib, encoding="utf-8"))
