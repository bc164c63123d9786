"""When may a SHACL-SPARQL constraint run once for all focus nodes instead of once per focus node?

SHACL §5.3.1 pre-binds `$this` (SEP-0007 substitution in pyoxigraph): exact, but one query per focus
node, ~0.4 ms each, so a rule targeting every duty would cost ~0.13 s per township (issue 13 asks for
0.1 s in all). Evaluating the query once with `?this` free and joining it with the focus nodes gives
the same solutions when every solution binds `?this` and nothing in the query could see the
difference: no LIMIT/OFFSET, MINUS, GRAPH, SERVICE or VALUES; every OPTIONAL, UNION branch, FILTER
and group that mentions `?this` has it bound by its required part; aggregates group by `?this`;
sub-selects either project a bound `?this` or do not mention it. `join_safe` checks exactly that
on rdflib's algebra of the query and answers False for anything else (the per-focus path then runs).
"""

from __future__ import annotations

from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

THIS = Variable("this")
_PASS_THROUGH = {"Distinct", "Reduced", "OrderBy"}


class _Unsafe(Exception):
    pass


def join_safe(query: str) -> bool:
    """True if `query` (a SELECT, with its PREFIX lines) may be joined with the focus nodes instead."""
    try:
        algebra = prepareQuery(query).algebra
        return THIS in _bound(algebra)
    except _Unsafe:
        return False


def _mentions(node: object) -> bool:
    if node == THIS:
        return True
    if isinstance(node, CompValue):
        return any(_mentions(value) for key, value in node.items() if key != "_vars")
    if isinstance(node, list | tuple):
        return any(_mentions(value) for value in node)
    if isinstance(node, dict):  # a VALUES row: {Variable: term}
        return any(_mentions(key) or _mentions(value) for key, value in node.items())
    return False


def _bound(node: CompValue) -> set[Variable]:
    """Variables bound in every solution of `node`; raises _Unsafe where the join could differ."""
    name = node.name
    if name == "SelectQuery":
        if node.datasetClause:
            raise _Unsafe("FROM / FROM NAMED")
        return _bound(node.p)
    if name in _PASS_THROUGH:
        return _bound(node.p)
    if name == "Project":
        bound = _bound(node.p)
        if THIS not in node.PV:
            raise _Unsafe("the focus node is not projected")
        return bound & set(node.PV)
    if name == "BGP":
        return {term for triple in node.triples for term in triple if isinstance(term, Variable)}
    if name == "Join":
        return _bound(node.p1) | _bound(node.p2)
    if name == "LeftJoin":
        return _required(_bound(node.p1), node.p2, node.expr)
    if name == "Union":
        bound = _bound(node.p1) & _bound(node.p2)
        return _required(bound, node.p1, node.p2)
    if name == "Filter":
        return _required(_bound(node.p), node.expr)
    if name == "Extend":
        bound = _required(_bound(node.p), node.expr)
        copies = isinstance(node.expr, Variable) and node.expr in bound
        # rdflib writes `GROUP BY ?this` as ?this ← SAMPLE(?this) (`__agg_n__`); a BIND to ?this is not safe.
        if node.var == THIS and not (copies and str(node.expr).startswith("__agg_")):
            raise _Unsafe("?this is bound by an expression")
        return bound | ({node.var} if copies else set())
    if name == "AggregateJoin":
        group = node.p
        bound = _bound(group.p)
        keys = {e for e in (group.expr or []) if isinstance(e, Variable)}
        if THIS not in keys or THIS not in bound:
            raise _Unsafe("an aggregate that does not group by ?this")
        # rdflib turns each GROUP BY variable into a SAMPLE aggregate: those results are bound.
        return {a.res for a in node.A if a.name == "Aggregate_Sample" and a.vars in keys & bound}
    if name == "ToMultiSet":  # a sub-select
        return _bound(node.p) if _mentions(node.p) else set()
    raise _Unsafe(f"{name} is not handled")


def _required(bound: set[Variable], *parts: object) -> set[Variable]:
    """`bound`, provided ?this is among it wherever `parts` mention it."""
    if any(_mentions(part) for part in parts) and THIS not in bound:
        raise _Unsafe("?this is used where it may be unbound")
    return bound
