"""How the page queries ask the store: luzhi's prefixes prepended, each solution a dict of terms.

Shared by server/page_queries.py and server/list_queries.py so that both read rows and counts one way.
"""

from __future__ import annotations

from rdflib import Literal
from rdflib.term import Node

from luzhi.ontology.namespaces import sparql_prologue
from luzhi.store.base import Store

_PROLOGUE = sparql_prologue()

Row = dict[str, Node]


def select(store: Store, body: str) -> list[Row]:
    """Run `body` (a SELECT without prefixes) with the lz:, skos:, org: … prefixes declared."""
    return store.select(_PROLOGUE + body)


def int_or_zero(node: Node | None) -> int:
    """A COUNT or other number a query bound, 0 where it bound nothing (an aggregate over no rows)."""
    return int(node) if isinstance(node, Literal) else 0


def as_text(node: Node | None) -> str | None:
    """A bound value as a string; None where the query bound nothing (an OPTIONAL that did not match)."""
    return str(node) if node is not None else None


def as_int(node: Node | None) -> int | None:
    """A bound number as an int; None where the query bound nothing (a table cell left empty, not 0)."""
    return int(node) if isinstance(node, Literal) else None
