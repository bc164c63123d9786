"""rdflib ↔ pyoxigraph term conversion, in one place for every layer above.

Both the store (pages and the CLI want rdflib terms out of pyoxigraph) and the fast validator
(shapes/fast.py loads an rdflib graph into pyoxigraph and maps computed terms back) convert terms;
they stand side by side in the layers (tests/test_layers.py), so the one copy lives below both.
Datatypes and language tags survive both ways (STYLE.md warns about hand-written serialisers).
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_SAFE_BNODE = re.compile(r"[A-Za-z0-9_]+")  # blank node ids N-Triples allows (a subset: rdflib's own ids)


@lru_cache(maxsize=65_536)
def _uriref(iri: str) -> URIRef:
    """rdflib checks every IRI it is given (~12 µs, the largest cost of a page's lookups, issue 13); the
    same predicates, types and townships recur on every page, so each is made once."""
    return URIRef(iri)


@lru_cache(maxsize=65_536)
def _named_node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """Convert a pyoxigraph term to rdflib, keeping datatype and language."""
    if isinstance(term, ox.NamedNode):
        return _uriref(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)  # rdflib treats "x" and "x"^^xsd:string as different terms
    return Literal(term.value, datatype=_uriref(term.datatype.value))


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to pyoxigraph (a plain literal becomes an xsd:string, as RDF 1.1 has it)."""
    if isinstance(term, URIRef):
        return _named_node(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=_named_node(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_oxigraph_safe(term: Node, serial: int) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """`to_oxigraph`, but a blank node whose id N-Triples does not allow gets a fresh one, `b{serial}x`.

    rdflib accepts ids N-Triples does not; a caller converting a whole graph numbers its terms
    (`serial`) so the fresh ids are distinct, and keeps the originals to map back (shapes/fast.py).
    """
    if isinstance(term, BNode) and not _SAFE_BNODE.fullmatch(str(term)):
        return ox.BlankNode(f"b{serial}x")
    return to_oxigraph(term)
