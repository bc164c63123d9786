"""Whole-store dumps, shared by `luzhi export` and the /dumps/ route."""

from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox

FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


def write_dump(store, fmt: str, out: BinaryIO) -> None:
    """N-Quads and TriG stream from the store; Turtle/JSON-LD need the union graph in rdflib."""
    if fmt in FORMATS:
        store.native.dump(out, format=FORMATS[fmt])
        return
    graph = store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    from luzhi.ontology.namespaces import bind_prefixes

    bind_prefixes(graph)
    out.write(graph.serialize(format="json-ld" if fmt == "jsonld" else "turtle", encoding="utf-8"))
