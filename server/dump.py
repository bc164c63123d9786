"""Whole-store dumps, shared by `luzhi export` and the /dumps/ route."""

from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox

FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


def write_dump(store, fmt: str, out: BinaryIO) -> None:
    """N-Quads and TriG stream from the store; Turtle/JSON-LD need the union graph in rdflib.

    Both go through `Store.quads()`, not a union query: a remote's default graph also holds
    the server's own graphs (Virtuoso's), which `quads()` leaves out (docs/remote-store.md).
    """
    if fmt in FORMATS:
        ox.serialize(store.quads(), out, format=FORMATS[fmt])
        return
    from rdflib import Graph

    from luzhi.ontology.namespaces import bind_prefixes
    from luzhi.server.store import to_rdflib

    graph = Graph()
    for quad in store.quads():
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))

    bind_prefixes(graph)
    out.write(graph.serialize(format="json-ld" if fmt == "jsonld" else "turtle", encoding="utf-8"))
