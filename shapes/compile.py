"""SHACL shapes → SPARQL SELECT queries, for the fast validator (`luzhi.shapes.fast`, issue 13).

pySHACL walks the data graph node by node in Python (~1.1 s per township); the same rules as
queries over a pyoxigraph store take a few milliseconds each. Each *core* constraint of a shape
becomes one SELECT that returns one row per SHACL validation result (focus node, value node),
its focus nodes given by the shape's targets. Nested shapes (`sh:not`, `sh:and`, `sh:or`,
`sh:node`) compile to a pattern that matches when the nested shape has any result for a node,
used inside `FILTER (NOT) EXISTS`. SHACL-SPARQL constraints keep their own query and run once
per focus node with `$this` substituted (pyoxigraph follows SEP-0007, the pre-binding SHACL §5.3.1
asks for), so their GROUP BYs and sub-selects mean exactly what their authors wrote; or, when
`luzhi.shapes.prebinding.join_safe` shows it gives the same solutions, once for all focus nodes.

The compiler refuses, at load time, every SHACL term it does not implement (`UnsupportedShape`):
a shape it half understood could silently pass data pySHACL would reject. pySHACL stays the
reference; tests/test_fast_validate.py runs both on every fixture and on the bundled documents.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from luzhi.ontology.namespaces import SH
from luzhi.shapes.prebinding import join_safe
from luzhi.shapes.validate import Severity

# Custom SPARQL function (registered by luzhi.shapes.fast): is ?v a well-typed literal of datatype D,
# judged by rdflib exactly as pySHACL judges it (rdflib's `ill_typed`).
HAS_DATATYPE = "urn:luzhi:shacl#hasDatatype"

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_PATHS = (SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath)
_NESTING = (SH["not"], SH["and"], SH["or"], SH.node)
_VALUE_COMPONENTS = (SH["class"], SH.datatype, SH.nodeKind, SH.minInclusive, SH.maxInclusive, SH.minExclusive,
                     SH.maxExclusive, SH.minLength, SH.maxLength, SH.pattern, SH.languageIn, SH["in"])
# Every sh: predicate the compiler understands; anything else in the shapes graph is refused.
_SPARQL_TERMS = (SH.sparql, SH.select, SH.prefixes, SH.declare, SH.prefix, SH.namespace)
_NON_VALIDATING = (SH.severity, SH.message, SH.deactivated, SH.name, SH.description, SH.order, SH.group,
                   SH.defaultValue, SH.flags, SH.property, SH.path)
_KNOWN = frozenset((*_TARGETS, *_PATHS, *_NESTING, *_VALUE_COMPONENTS, *_SPARQL_TERMS, *_NON_VALIDATING,
                    SH.minCount, SH.maxCount, SH.uniqueLang, SH.hasValue))
_KNOWN_TYPES = frozenset((SH.NodeShape, SH.PropertyShape, SH.Shape, SH.SPARQLConstraint, SH.PrefixDeclaration))
_NODE_KINDS = {
    SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))", SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_RANGES = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
_INSTANCE_OF = f"<{RDF.type}>/<{RDFS.subClassOf}>*"  # SHACL instance: rdf:type/rdfs:subClassOf* (§3.2)
_PREBOUND = re.compile(r"[?$](shapesGraph|currentShape)\b")
_OWN_PROLOGUE = re.compile(r"(?i)\b(PREFIX|BASE)\s")  # a query with its own prologue cannot be a sub-select


class UnsupportedShape(ValueError):
    """The shapes use something the fast validator does not implement; use pySHACL for them."""


@dataclass(frozen=True)
class ShapeInfo:
    """What a result needs from its source shape, whatever the constraint."""

    shape: str  # IRI, or `_:id` for an anonymous shape
    severity: Severity
    path: str | None  # the result path: an IRI, "(complex path)" (as luzhi.shapes.validate) or None
    messages: tuple[tuple[str, str], ...]  # (language, template); "" for an untagged message


@dataclass(frozen=True)
class CoreCheck:
    """One core constraint: `query` returns ?this and, when the component reports one, ?value."""

    info: ShapeInfo
    component: str
    query: str


@dataclass(frozen=True)
class SparqlCheck:
    """One SHACL-SPARQL constraint: `targets` lists the focus nodes, `select` runs once per focus node."""

    info: ShapeInfo
    targets: str
    select: str
    node_shape: bool  # a node shape's results default their sh:value to the focus node (SHACL §5.3.2)
    batch: str | None = None  # the same constraint for all focus nodes in one query, when that is exact


@dataclass(frozen=True)
class CompiledShapes:
    core: tuple[CoreCheck, ...]
    sparql: tuple[SparqlCheck, ...]


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Every constraint of every targeted shape, as queries. Raises UnsupportedShape."""
    _refuse_unknown_terms(shapes)
    return _Compiler(shapes).run()


def _refuse_unknown_terms(shapes: Graph) -> None:
    for subject, predicate, value in shapes:
        if str(predicate).startswith(str(SH)) and predicate not in _KNOWN:
            raise UnsupportedShape(f"{_name(subject)}: {predicate} is not implemented by the fast validator")
        if predicate == RDF.type and str(value).startswith(str(SH)) and value not in _KNOWN_TYPES:
            raise UnsupportedShape(f"{_name(subject)}: type {value} is not implemented by the fast validator")


def _name(node: Node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _term(node: Node, where: Node) -> str:
    """A constant in SPARQL syntax; rdflib's N3 form of IRIs and literals is valid SPARQL."""
    if isinstance(node, BNode):
        raise UnsupportedShape(f"{_name(where)}: a blank node cannot be a constant in a query")
    return node.n3()


def _component(parameter: URIRef) -> URIRef:
    """sh:minInclusive → sh:MinInclusiveConstraintComponent (SHACL §4 names them so)."""
    local = parameter.removeprefix(str(SH))
    return SH[local[0].upper() + local[1:] + "ConstraintComponent"]


def _refuse_foreign_regex(options: str, shape: Node) -> None:
    """A pattern Oxigraph's regex engine cannot compile (lookaround, backreferences: Python's `re` has
    them) would make REGEX an error, the FILTER false and the constraint pass silently: refuse it."""
    answer = next(iter(ox.Store().query(f'SELECT (REGEX("", {options}) AS ?ok) WHERE {{}}')))
    if answer["ok"] is None:
        raise UnsupportedShape(f"{_name(shape)}: sh:pattern {options} is not a regular expression Oxigraph can run")


def _all_different(variables: list[str]) -> str:
    pairs = [f"!sameTerm(?{a}, ?{b})" for a, b in itertools.combinations(variables, 2)]
    return f"FILTER ({' && '.join(pairs)})" if pairs else ""


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self._fresh = itertools.count()

    def fresh(self) -> str:
        return f"v{next(self._fresh)}"

    # -- top level ------------------------------------------------------------------------------
    def run(self) -> CompiledShapes:
        targets: dict[Node, list[str]] = {}
        for shape in self._targeted():
            targets.setdefault(shape, []).extend(self._target_patterns(shape))
        for shape, patterns in list(targets.items()):  # property shapes take their node shapes' focus nodes
            for child in self.g.objects(shape, SH.property):
                targets.setdefault(child, []).extend(patterns)
        core, sparql = [], []
        for shape, patterns in targets.items():
            if self._deactivated(shape):
                continue
            if (shape, SH.path, None) in self.g and (shape, SH.property, None) in self.g:
                raise UnsupportedShape(f"{_name(shape)}: sh:property on a property shape is not implemented")
            focus = "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(f"{{ {p} }}" for p in patterns) + " } }"
            info = self._info(shape)
            for component, pattern, reports_value in self._constraints(shape, "this", "value"):
                bind = " BIND (?this AS ?value)" if reports_value and self._path(shape) is None else ""
                select = "?this ?value" if reports_value else "?this ?key"  # ?key: uniqueLang's language
                core.append(CoreCheck(info, str(component),
                                      f"SELECT DISTINCT {select} WHERE {{ {focus} {pattern}{bind} }}"))
            for constraint in self.g.objects(shape, SH.sparql):
                sparql.append(self._sparql(shape, constraint, info, focus))
        return CompiledShapes(tuple(core), tuple(sparql))

    def _targeted(self) -> list[Node]:
        shapes = {s for p in _TARGETS for s in self.g.subjects(p, None)}
        shapes |= {s for s in self._shapes() if self._is_class(s)}
        return sorted(shapes, key=str)

    def _shapes(self) -> set[Node]:
        return set(self.g.subjects(RDF.type, SH.NodeShape)) | set(self.g.subjects(RDF.type, SH.PropertyShape))

    def _is_class(self, shape: Node) -> bool:
        # Implicit class targets (SHACL §2.1.3.3): a shape that is also a class targets its instances.
        return (shape, RDF.type, RDFS.Class) in self.g or (shape, RDF.type, OWL.Class) in self.g

    def _target_patterns(self, shape: Node) -> list[str]:
        g = self.g
        classes = [*g.objects(shape, SH.targetClass), *([shape] if self._is_class(shape) else [])]
        return [
            *(f"?this {_INSTANCE_OF} {_term(c, shape)} ." for c in classes),
            *(f"VALUES ?this {{ {_term(n, shape)} }}" for n in g.objects(shape, SH.targetNode)),
            *(f"?this {_term(p, shape)} [] ." for p in g.objects(shape, SH.targetSubjectsOf)),
            *(f"[] {_term(p, shape)} ?this ." for p in g.objects(shape, SH.targetObjectsOf)),
        ]

    def _deactivated(self, shape: Node) -> bool:
        return any(isinstance(v, Literal) and v.value is True for v in self.g.objects(shape, SH.deactivated))

    def _info(self, shape: Node) -> ShapeInfo:
        path = self.g.value(shape, SH.path)
        messages = tuple(sorted((m.language or "", str(m)) for m in self.g.objects(shape, SH.message)))
        return ShapeInfo(
            shape=_name(shape),
            severity=Severity.from_iri(self.g.value(shape, SH.severity) or SH.Violation),
            path=None if path is None else (str(path) if isinstance(path, URIRef) else "(complex path)"),
            messages=messages,
        )

    # -- paths ----------------------------------------------------------------------------------
    def _path(self, shape: Node) -> str | None:
        path = self.g.value(shape, SH.path)
        return None if path is None else self._path_text(path, shape)

    def _path_text(self, path: Node, shape: Node) -> str:
        """A SHACL path (§2.3.1) as a SPARQL property path: they are the same algebra."""
        if isinstance(path, URIRef):
            return path.n3()
        if (path, RDF.first, None) in self.g:
            return "(" + "/".join(self._path_text(p, shape) for p in Collection(self.g, path)) + ")"
        for predicate, form in ((SH.inversePath, "^({})"), (SH.zeroOrMorePath, "({})*"),
                                (SH.oneOrMorePath, "({})+"), (SH.zeroOrOnePath, "({})?")):
            inner = self.g.value(path, predicate)
            if inner is not None:
                return form.format(self._path_text(inner, shape))
        alternatives = self.g.value(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self._path_text(p, shape) for p in Collection(self.g, alternatives)) + ")"
        raise UnsupportedShape(f"{_name(shape)}: unreadable sh:path {path!r}")

    # -- constraints ----------------------------------------------------------------------------
    def _constraints(self, shape: Node, focus: str, value: str, seen: tuple = ()):
        """(component, pattern, reports a value) for each constraint of `shape` on ?{focus}.

        A pattern matches once per validation result; for a property shape it binds ?{value}
        to the value node, for a node shape the value node is ?{focus} itself.
        """
        if shape in seen:
            raise UnsupportedShape(f"{_name(shape)}: recursive shapes are not implemented")
        path = self._path(shape)
        v = focus if path is None else value
        nodes = "" if path is None else f"?{focus} {path} ?{value} ."
        g = self.g
        for cls in g.objects(shape, SH["class"]):
            yield SH.ClassConstraintComponent, (
                f"{nodes} FILTER NOT EXISTS {{ ?{v} {_INSTANCE_OF} {_term(cls, shape)} }}"), True
        for datatype in g.objects(shape, SH.datatype):
            yield SH.DatatypeConstraintComponent, (
                f"{nodes} FILTER (!<{HAS_DATATYPE}>(?{v}, {_term(datatype, shape)}))"), True
        for kind in g.objects(shape, SH.nodeKind):
            if kind not in _NODE_KINDS:
                raise UnsupportedShape(f"{_name(shape)}: unknown sh:nodeKind {kind}")
            yield SH.NodeKindConstraintComponent, f"{nodes} FILTER (!{_NODE_KINDS[kind].format(v='?' + v)})", True
        for predicate, operator in _RANGES.items():
            for bound in g.objects(shape, predicate):
                # SHACL §4.3: a result unless the comparison *is* true; a type error counts (COALESCE).
                yield _component(predicate), (
                    f"{nodes} FILTER (!COALESCE(?{v} {operator} {_term(bound, shape)}, false))"), True
        for predicate, operator in ((SH.minLength, ">="), (SH.maxLength, "<=")):
            for length in g.objects(shape, predicate):
                yield _component(predicate), (
                    f"{nodes} FILTER (isBlank(?{v}) || !COALESCE(STRLEN(STR(?{v})) {operator} {int(length)}, false))"
                ), True
        flags = g.value(shape, SH.flags)
        for pattern in g.objects(shape, SH.pattern):
            options = f"{Literal(str(pattern)).n3()}" + (f", {Literal(str(flags)).n3()}" if flags else "")
            _refuse_foreign_regex(options, shape)
            arguments = f"STR(?{v}), {options}"
            yield SH.PatternConstraintComponent, f"{nodes} FILTER (isBlank(?{v}) || !REGEX({arguments}))", True
        for languages in g.objects(shape, SH.languageIn):
            tests = " || ".join(f"langMatches(lang(?{v}), {Literal(str(tag)).n3()})"
                                for tag in Collection(g, languages))
            yield SH.LanguageInConstraintComponent, f"{nodes} FILTER (!(isLiteral(?{v}) && ({tests or 'false'})))", True
        for members in g.objects(shape, SH["in"]):
            tests = " || ".join(f"sameTerm(?{v}, {_term(m, shape)})" for m in Collection(g, members))
            yield SH.InConstraintComponent, f"{nodes} FILTER (!({tests or 'false'}))", True
        yield from self._cardinality(shape, path, focus)
        for value_shape in g.objects(shape, SH["not"]):
            yield SH.NotConstraintComponent, (
                f"{nodes} FILTER NOT EXISTS {{ {self._violation(value_shape, v, (*seen, shape))} }}"), True
        for value_shape in g.objects(shape, SH.node):
            yield SH.NodeConstraintComponent, (
                f"{nodes} FILTER EXISTS {{ {self._violation(value_shape, v, (*seen, shape))} }}"), True
        for predicate, joiner in ((SH["and"], " || "), (SH["or"], " && ")):
            for members in g.objects(shape, predicate):
                # and: a result when any member has one; or: when every member has one.
                tests = joiner.join(f"EXISTS {{ {self._violation(m, v, (*seen, shape))} }}"
                                    for m in Collection(g, members))
                empty = "false" if predicate == SH["and"] else "true"
                yield _component(predicate), (
                    f"{nodes} FILTER ({tests or empty})"), True

    def _cardinality(self, shape: Node, path: str | None, focus: str):
        """minCount, maxCount, hasValue, uniqueLang: one result per focus node (no sh:value)."""
        g = self.g
        counted = [(SH.minCount, g.objects(shape, SH.minCount)), (SH.maxCount, g.objects(shape, SH.maxCount)),
                   (SH.uniqueLang, g.objects(shape, SH.uniqueLang))]
        if path is None:
            if any(next(iter(values), None) is not None for _, values in counted):
                raise UnsupportedShape(f"{_name(shape)}: sh:minCount/maxCount/uniqueLang need a property shape")
            for value in g.objects(shape, SH.hasValue):
                yield SH.HasValueConstraintComponent, f"FILTER (!sameTerm(?{focus}, {_term(value, shape)}))", False
            return
        for count in g.objects(shape, SH.minCount):
            if int(count) > 0:
                names = [self.fresh() for _ in range(int(count))]
                values = " ".join(f"?{focus} {path} ?{n} ." for n in names)
                yield SH.MinCountConstraintComponent, f"FILTER NOT EXISTS {{ {values} {_all_different(names)} }}", False
        for count in g.objects(shape, SH.maxCount):
            names = [self.fresh() for _ in range(int(count) + 1)]
            values = " ".join(f"?{focus} {path} ?{n} ." for n in names)
            yield SH.MaxCountConstraintComponent, f"FILTER EXISTS {{ {values} {_all_different(names)} }}", False
        for value in g.objects(shape, SH.hasValue):
            pattern = f"FILTER NOT EXISTS {{ ?{focus} {path} {_term(value, shape)} }}"
            yield SH.HasValueConstraintComponent, pattern, False
        for unique in g.objects(shape, SH.uniqueLang):
            if isinstance(unique, Literal) and unique.value is True:
                a, b = self.fresh(), self.fresh()
                # One result per language tag used more than once (SHACL §4.5.4); ?key keeps them apart.
                yield SH.UniqueLangConstraintComponent, (
                    f"?{focus} {path} ?{a} . ?{focus} {path} ?{b} . FILTER (!sameTerm(?{a}, ?{b}) && "
                    f"lang(?{a}) != \"\" && LCASE(lang(?{a})) = LCASE(lang(?{b}))) BIND (LCASE(lang(?{a})) AS ?key)"
                ), False

    def _violation(self, shape: Node, focus: str, seen: tuple) -> str:
        """A pattern that matches when `shape` has any result for ?{focus}: for sh:not/and/or/node."""
        if (shape, SH.sparql, None) in self.g:
            raise UnsupportedShape(f"{_name(shape)}: SPARQL constraints inside sh:not/and/or/node are not implemented")
        if self._deactivated(shape):
            return "FILTER (false)"
        parts = [pattern for _, pattern, _ in self._constraints(shape, focus, self.fresh(), seen)]
        parts += [self._violation(child, focus, (*seen, shape)) for child in self.g.objects(shape, SH.property)]
        return " UNION ".join(f"{{ {p} }}" for p in parts) if parts else "FILTER (false)"

    # -- SHACL-SPARQL ---------------------------------------------------------------------------
    def _sparql(self, shape: Node, constraint: Node, info: ShapeInfo, focus: str) -> SparqlCheck:
        if self._deactivated(constraint):
            return SparqlCheck(info, "SELECT ?this WHERE { FILTER (false) }", "", self._path(shape) is None)
        select = self.g.value(constraint, SH.select)
        if select is None:
            raise UnsupportedShape(f"{_name(shape)}: a SPARQL constraint without sh:select")
        text = str(select)
        if _PREBOUND.search(text):
            raise UnsupportedShape(f"{_name(shape)}: $shapesGraph/$currentShape are not implemented")
        path = self._path(shape)
        if "$PATH" in text:
            if path is None:
                raise UnsupportedShape(f"{_name(shape)}: $PATH in a node shape")
            text = text.replace("$PATH", path)
        prologue = "".join(
            f"PREFIX {self.g.value(d, SH.prefix)}: <{self.g.value(d, SH.namespace)}>\n"
            for ontology in self.g.objects(constraint, SH.prefixes) for d in self.g.objects(ontology, SH.declare)
        )
        messages = tuple(sorted((m.language or "", str(m)) for m in self.g.objects(constraint, SH.message)))
        if messages:  # the constraint's own messages win over its shape's (SHACL §5.3.2)
            info = ShapeInfo(info.shape, info.severity, info.path, messages)
        batch = None
        if not _OWN_PROLOGUE.search(text) and join_safe(prologue + text):
            batch = f"{prologue}SELECT * WHERE {{ {focus} {{ {text} }} }}"
        return SparqlCheck(info, f"SELECT DISTINCT ?this WHERE {focus}", prologue + text, path is None, batch)
