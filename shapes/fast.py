"""The fast validator: the shapes compiled to SPARQL (`luzhi.shapes.compile`) and run in pyoxigraph (issue 13).

Same input and output as `luzhi.shapes.validate.validate_graph` (pySHACL, the reference): an
rdflib graph in, a `ValidationReport` out, with the same focus nodes, paths, values, severities,
source shapes and zh/en messages (tests/test_fast_validate.py checks it on every fixture and on
the bundled documents). One township takes ~0.05 CPU-seconds instead of about one
(bench/results/validate.md).
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import SH
from luzhi.ontology.terms import to_rdflib
from luzhi.ontology.triples import TripleSet
from luzhi.shapes.compile import (
    HAS_DATATYPE,
    CompiledShapes,
    ShapeInfo,
    SparqlCheck,
    UnsupportedShape,
    compile_shapes,
)
from luzhi.shapes.validate import (
    Notice,
    ValidationReport,
    ValidationResult,
    fill_placeholders,
    load_shapes,
    order_key,
    source_lines,
    term_text,
)
from luzhi.shapes.validate import validate_graph as validate_with_pyshacl

_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")
_TYPED_LITERALS = f"""SELECT DISTINCT ?o WHERE {{
    ?s ?p ?o . FILTER (isLiteral(?o) && !(datatype(?o) IN (<{XSD.string}>, <{RDF.langString}>))) }}"""


@lru_cache(maxsize=8)
def compiled_shapes(base: str) -> CompiledShapes:
    """The shapes for one deployment base, compiled once per process (the base rule depends on it)."""
    return compile_shapes(load_shapes(base))


@lru_cache(maxsize=8)
def refusal(base: str) -> UnsupportedShape | None:
    """Why the compiler refuses the shapes (naming the shape), or None; asked once per process.

    A deployment may add a rule in SHACL the compiler does not implement (sh:closed, sh:xone …)
    to shapes/*.ttl; the rule is valid SHACL, so it is validated with pySHACL rather than refused.
    """
    try:
        compiled_shapes(base)
    except UnsupportedShape as error:
        return error
    return None


class UnfaithfulLiterals(ValueError):
    """The graph has typed literals that pyoxigraph would read differently from rdflib (and so pySHACL)."""


def validate_graph(graph: Graph | TripleSet, base: str, *, label: str = "") -> ValidationReport:
    """Validate one graph against every shape, as `luzhi.shapes.validate.validate_graph` does, but in pyoxigraph.

    Two cases go to pySHACL instead, with a notice saying so: slower, never different. Shapes the
    compiler refuses (`refusal`), and a graph the store cannot hold faithfully (`UnfaithfulLiterals`:
    hand-written forms such as "01"^^xsd:integer).
    """
    reason: ValueError | None = refusal(base)
    if reason is None:
        try:
            return run_checks(graph, compiled_shapes(base), base, label=label)
        except UnfaithfulLiterals as error:
            reason = error
    notice = Notice("validated-by-pyshacl", f"以 pySHACL 校验：{reason}", f"validated with pySHACL: {reason}")
    return validate_with_pyshacl(graph, base, label=label).with_notices((notice,))


def run_checks(graph: Graph | TripleSet, checks: CompiledShapes, base: str, *, label: str = "") -> ValidationReport:
    """Run compiled shapes (any shapes graph, e.g. shapes/void.shapes.ttl) over one graph.

    Raises UnfaithfulLiterals rather than answer for a graph the store would change.
    """
    store, back = _load(graph)
    _check_literals(store, back)
    functions = {ox.NamedNode(HAS_DATATYPE): _has_datatype}
    fill = {"base": Iris(base).base}
    results: set[ValidationResult] = set()
    for check in checks.core:
        answers = store.query(check.query, custom_functions=functions)
        names = {v.value for v in answers.variables}
        for row in answers:
            focus = back(row["this"])
            value = back(row["value"]) if "value" in names and row["value"] is not None else None
            results.add(_result(graph, check.info, check.component, focus, value, None, None, fill))
    for check in checks.sparql:
        for focus, row in _sparql_rows(store, check, back):
            path, value = row.pop("path", None), row.pop("value", None)
            if value is None and check.node_shape:
                value = focus
            results.add(_result(graph, check.info, str(SH.SPARQLConstraintComponent), focus, value, path, row,
                                fill))
    return ValidationReport(tuple(sorted(results, key=order_key)), triples=len(graph), label=label)


def _sparql_rows(store: ox.Store, check: SparqlCheck, back: _Terms):
    """(focus node, solution) pairs of a SHACL-SPARQL constraint: one query if it may, else one per focus node."""
    if check.batch is not None:
        for row in _distinct_rows(store.query(check.batch), back):
            yield row.pop("this"), row
        return
    for (focus_term,) in store.query(check.targets):
        answers = store.query(check.select, substitutions={ox.Variable("this"): focus_term})
        for row in _distinct_rows(answers, back):
            focus = row.pop("this", None)
            yield (back(focus_term) if focus is None else focus), row


def _distinct_rows(answers: ox.QuerySolutions, back) -> list[dict[str, Node]]:
    """Solutions as rdflib terms, without duplicates, and only those naming this, path or value (as pySHACL)."""
    names = [v.value for v in answers.variables]
    rows: dict[frozenset, dict[str, Node]] = {}
    for solution in answers:
        row = {name: back(solution[name]) for name in names if solution[name] is not None}
        if row.keys() & {"this", "path", "value"}:
            rows.setdefault(frozenset(row.items()), row)
    return list(rows.values())


def _result(graph: Graph | TripleSet, info: ShapeInfo, component: str, focus: Node, value: Node | None,
            path: Node | None, bindings: dict[str, Node] | None, fill: dict[str, str]) -> ValidationResult:
    source, lines = source_lines(graph, focus, value)
    return ValidationResult(
        focus=term_text(focus),
        severity=info.severity,
        shape=info.shape,
        component=component,
        path=str(path) if isinstance(path, URIRef) else info.path,
        value=None if value is None else term_text(value),
        value_n3=None if value is None else value.n3(),
        message_zh=_message(info, "zh", focus, value, path, bindings, fill),
        message_en=_message(info, "en", focus, value, path, bindings, fill),
        source=source,
        lines=lines,
    )


def _message(info: ShapeInfo, lang: str, focus: Node, value: Node | None, path: Node | None,
             bindings: dict[str, Node] | None, fill: dict[str, str]) -> str:
    """The shape's message in `lang` (else an untagged one), its placeholders filled.

    A SPARQL result (`bindings` not None) fills `{?var}`/`{$var}` from its solution, written as
    pySHACL writes them (`str(term)`); then `{$this}`, `{$value}` and `{$base}` are filled as
    luzhi.shapes.validate fills them in pySHACL's core-constraint messages.
    """
    templates = dict(info.messages)
    template = templates.get(lang) or templates.get("") or next(iter(templates.values()), "")
    named: dict[str, str] = {}
    if bindings is not None:
        named = {name: str(term) for name, term in bindings.items()} | {"this": str(focus)}
        named |= ({"value": str(value)} if value is not None else {}) | ({"path": str(path)} if path else {})
    template = _PLACEHOLDER.sub(lambda m: named.get(m.group(1), m.group(0)), template)
    return fill_placeholders(template, {"{$this}": term_text(focus), "{$base}": fill["base"],
                                        "{$value}": term_text(value)})


class _Terms:
    """Maps the store's terms back to the caller's graph's own (a call), or builds one for a computed term.

    Mapping back rather than converting keeps blank-node ids and literal forms exactly as the
    caller's graph has them, so reports name the same nodes as pySHACL's.
    """

    def __init__(self, originals: dict) -> None:
        self.originals = originals  # pyoxigraph term → rdflib term

    def __call__(self, term) -> Node:
        original = self.originals.get(term)
        return to_rdflib(term) if original is None else original  # a term the query made up (BIND)


def _load(graph: Graph | TripleSet) -> tuple[ox.Store, _Terms]:
    """An in-memory pyoxigraph store holding `graph`, and the way back to `graph`'s terms.

    A build's TripleSet converts its terms once for this store and for the staged N-Quads
    (`TripleSet.oxigraph`); any other graph is converted here, the same way.
    """
    converted = (graph if isinstance(graph, TripleSet) else TripleSet(graph)).oxigraph()
    store = ox.Store()
    store.extend(ox.Quad(s, p, o) for s, p, o in converted.triples)
    return store, _Terms(converted.originals)


def _check_literals(store: ox.Store, back: _Terms) -> None:
    """Refuse a graph whose typed literals the store does not hold as rdflib reads them.

    Oxigraph keeps numbers, booleans and dates in canonical form ("01"^^xsd:integer comes back
    as "1", "1.0"^^xsd:decimal as "1"), so sh:in, sh:hasValue, sh:pattern and the length rules
    would see other terms than pySHACL does; and a form rdflib reads but Oxigraph does not
    (" 5"^^xsd:integer: Python's int() strips spaces) would compare differently. The ETL writes
    canonical literals only, so this costs one query and never triggers on a build.
    """
    odd = []
    for (term,) in store.query(_TYPED_LITERALS):
        original = back.originals.get(term)
        if original is None:
            odd.append(term)  # changed by the store: rdflib's form is lost
        elif original.ill_typed is False and str(Literal(original.value, datatype=original.datatype)) != str(original):
            odd.append(term)  # valid for rdflib only after normalising it
    if odd:
        raise UnfaithfulLiterals("非规范的类型化字面量 / non-canonical typed literals: "
                                 + ", ".join(str(t) for t in odd[:5]) + (" …" if len(odd) > 5 else ""))


# Read once: called for every literal a sh:datatype rule looks at, and rdflib makes a new URIRef on each read.
_RDFS_LITERAL, _LANG_STRING = str(RDFS.Literal), str(RDF.langString)


def _has_datatype(term, datatype) -> ox.Literal:
    """sh:datatype as pySHACL decides it: same datatype and not ill-typed by rdflib's parsers.

    SHACL §4.1.2 asks for a literal "with the datatype and a valid lexical form"; what is valid
    is rdflib's judgement in pySHACL, so ours is too (a plain literal is an xsd:string, RDF 1.1).
    """
    if not isinstance(term, ox.Literal):
        return ox.Literal(False)
    if datatype.value == _RDFS_LITERAL:  # every literal (pySHACL's special case, as RDF 1.1 semantics)
        return ox.Literal(True)
    if datatype.value == _LANG_STRING:
        return ox.Literal(bool(term.language))
    if term.language or term.datatype != datatype:
        return ox.Literal(False)
    return ox.Literal(_well_typed(term.value, datatype.value))


@lru_cache(maxsize=65536)
def _well_typed(lexical: str, datatype: str) -> bool:
    """Cached: the same 序号 and counts recur in every township, and rdflib's check costs ~20 µs."""
    return Literal(lexical, datatype=URIRef(datatype)).ill_typed is not True
