"""The one registry of RDF and SPARQL result formats: media type, file extension, name, serialisers.

Every other table (the endpoint's result formats, the pages' RDF twins, file extensions, dump
formats, the remote's wire formats) is derived from `FORMATS` below, so a format is added or
renamed in one line (issue 9 found about twelve hand-kept copies).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    """One serialisation. `kind` is "graph" (RDF: CONSTRUCT, pages, dumps) or "results" (SELECT/ASK)."""

    mime: str
    kind: str
    name: str  # shown to people ("Turtle") and used in Link headers
    extension: str  # /doc/….ttl, /.well-known/void.ttl, the endpoint's `format=` short name
    oxigraph: ox.RdfFormat | ox.QueryResultsFormat
    w3c: str  # its name under http://www.w3.org/ns/formats/ (the Service Description's sd:resultFormat)
    rdflib: str | None = None  # rdflib's serialiser name, where rdflib writes it
    dump_name: str | None = None  # `luzhi export --format` / store.dump names
    # Its code in the EU file-type authority table (dct:format of a DCAT-AP distribution; issue 11)
    eu_file_type: str | None = None

    @property
    def member(self) -> str:
        """pyoxigraph's member name ("TURTLE"): what crosses to a query worker process in a pickled `Job`."""
        kind = type(self.oxigraph)
        return next(name for name in dir(kind) if name.isupper() and getattr(kind, name) == self.oxigraph)


FORMATS: tuple[Format, ...] = (
    # Resource descriptions offer the first four, in this order (Turtle for `*/*`).
    Format("text/turtle", "graph", "Turtle", "ttl", ox.RdfFormat.TURTLE, "Turtle", "turtle", "turtle",
           "RDF_TURTLE"),
    Format("application/ld+json", "graph", "JSON-LD", "jsonld", ox.RdfFormat.JSON_LD, "JSON-LD", "json-ld", "jsonld",
           "JSON_LD"),
    Format("application/n-triples", "graph", "N-Triples", "nt", ox.RdfFormat.N_TRIPLES, "N-Triples", "nt",
           eu_file_type="RDF_N_TRIPLES"),
    Format("application/rdf+xml", "graph", "RDF/XML", "rdf", ox.RdfFormat.RDF_XML, "RDF_XML", "xml",
           eu_file_type="RDF_XML"),
    Format("application/n-quads", "graph", "N-Quads", "nq", ox.RdfFormat.N_QUADS, "N-Quads", "nquads", "nquads",
           "RDF_N_QUADS"),
    Format("application/trig", "graph", "TriG", "trig", ox.RdfFormat.TRIG, "TriG", "trig", "trig", "RDF_TRIG"),
    Format("application/sparql-results+json", "results", "SPARQL JSON", "srj", ox.QueryResultsFormat.JSON,
           "SPARQL_Results_JSON"),
    Format("application/sparql-results+xml", "results", "SPARQL XML", "srx", ox.QueryResultsFormat.XML,
           "SPARQL_Results_XML"),
    Format("text/csv", "results", "CSV", "csv", ox.QueryResultsFormat.CSV, "SPARQL_Results_CSV"),
    Format("text/tab-separated-values", "results", "TSV", "tsv", ox.QueryResultsFormat.TSV, "SPARQL_Results_TSV"),
)
BY_MIME: dict[str, Format] = {f.mime: f for f in FORMATS}

# The RDF formats of a resource description, a /graph/, /def and VoID: no graphs in a description.
DESCRIPTION_FORMATS: tuple[Format, ...] = FORMATS[:4]
DESCRIPTION_MIMES: tuple[str, ...] = tuple(f.mime for f in DESCRIPTION_FORMATS)
# `.ttl` → "text/turtle" for the description formats (URL extensions).
EXTENSIONS: dict[str, str] = {f.extension: f.mime for f in DESCRIPTION_FORMATS}
# Query results pyoxigraph writes natively, by media type.
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {f.mime: f.oxigraph for f in FORMATS if f.kind == "results"}
# RDF pyoxigraph writes natively, by media type (JSON-LD included: pyoxigraph ≥ 0.5 writes it, expanded).
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {f.mime: f.oxigraph for f in FORMATS if f.kind == "graph"}
# Whole-store dumps by name (`luzhi export --format`): N-Quads/TriG keep graphs, Turtle/JSON-LD are the union.
DUMP_FORMATS: dict[str, Format] = {f.dump_name: f for f in FORMATS if f.dump_name}


@dataclass(frozen=True)
class TableFormat:
    """A download of a page's table for analysts (issue 14): not RDF, so none of the fields above apply."""

    mime: str
    name: str
    extension: str  # /compare.csv, /doc/list/…/basic.xlsx, /doc/kind/….json


# CSV carries a UTF-8 byte order mark: Excel on Chinese Windows reads a CSV without one as GBK and
# shows mojibake (issue 14). The media type says so too (RFC 7111 §5.1: charset; header=present).
TABLE_FORMATS: tuple[TableFormat, ...] = (
    TableFormat("application/json", "JSON", "json"),
    TableFormat("text/csv", "CSV (Excel)", "csv"),
    TableFormat("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (.xlsx)", "xlsx"),
)
TABLE_EXTENSIONS: dict[str, TableFormat] = {f.extension: f for f in TABLE_FORMATS}

# ---- the one RDF serialiser (issue 11: the VoID Turtle came out unsorted with ~30 unused prefixes) -------------

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD = "http://www.w3.org/2001/XMLSchema#"
# Literals Turtle writes without a datatype IRI: plain strings, language strings, and the numbers and
# booleans whose lexical form fits Turtle's own grammar (INTEGER, DECIMAL, DOUBLE, BooleanLiteral;
# Turtle 1.1 §2.5.2) — pyoxigraph writes `1125`, not `"1125"^^xsd:integer`, so xsd: is not used by them.
_UNWRITTEN_DATATYPES = {_XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}
_BARE_LITERALS = {
    _XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    _XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    _XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
    _XSD + "boolean": re.compile(r"true|false"),
}
_QUAD_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
_PREFIXED_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD)


def serialise(triples: Iterable[ox.Triple], fmt: ox.RdfFormat, prefixes: Mapping[str, str]) -> bytes:
    """One graph as `fmt`: sorted by subject (so Turtle groups each subject's triples with `;`), declaring
    only the `prefixes` its IRIs use; JSON-LD compacted with those prefixes as its `@context`.

    Every RDF answer the server writes from a graph goes through here (pages, /graph/, VoID, /def,
    CONSTRUCT results). The whole-store dumps do not: they stream, and sorting 300 million triples would not.
    """
    ordered = sorted(triples, key=_triple_order)
    used = used_prefixes(ordered, prefixes) if fmt in _PREFIXED_FORMATS else {}
    if fmt == ox.RdfFormat.JSON_LD:
        return _compact_jsonld(ordered, used)
    if fmt in _QUAD_FORMATS:  # one graph: the default graph of a dataset
        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in ordered]
        return ox.serialize(quads, format=fmt, prefixes=used or None)
    return ox.serialize(ordered, format=fmt, prefixes=used or None)


def serialise_results(result: ox.QuerySolutions | ox.QueryBoolean, fmt: ox.QueryResultsFormat) -> bytes:
    """A SELECT or ASK result as `fmt`; CSV written here, by the csv module, as RFC 4180 and SPARQL 1.1 CSV say.

    pyoxigraph's CSV writer quotes a literal holding a comma but not an IRI holding one (0.5.13): every duty's
    source, `…#line=20,21`, came out as two fields, and a CSV reader got one column too many on every row
    (cold review). Every SELECT result the server sends as CSV goes through here (store/query_worker.py,
    store/remote.py).
    """
    if fmt != ox.QueryResultsFormat.CSV or isinstance(result, ox.QueryBoolean):
        return result.serialize(format=fmt)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    names = [variable.value for variable in result.variables]
    writer.writerow(names)
    for solution in result:
        writer.writerow(["" if term is None else _csv_value(term) for term in (solution[name] for name in names)])
    return out.getvalue().encode("utf-8")


def _csv_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """SPARQL 1.1 Query Results CSV §2.1: an IRI as it is, a literal's lexical form, a blank node `_:label`."""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):  # RDF-star, which pyoxigraph can return: its N-Triples form
        return str(term)
    return term.value


def used_prefixes(triples: Iterable[ox.Triple], prefixes: Mapping[str, str]) -> dict[str, str]:
    """The prefixes whose namespace starts some IRI the serialiser will write (pyoxigraph abbreviates
    every IRI under a given namespace, escaping the local part where it must)."""
    iris: set[str] = set()
    for triple in triples:
        if triple.predicate.value != _RDF_TYPE:  # written `a`
            iris.add(triple.predicate.value)
        for term in (triple.subject, triple.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal) and _writes_datatype(term):
                iris.add(term.datatype.value)
    namespaces = tuple(sorted(set(prefixes.values())))
    used: set[str] = set()
    for iri in iris:
        used.update(_namespaces_of_stem(_stem(iri), namespaces))
    unsplit = [ns for ns in namespaces if ns[-1:] not in _SEPARATORS]  # rare: tested against each IRI
    used.update(ns for ns in unsplit if any(iri.startswith(ns) for iri in iris))
    return {name: ns for name, ns in sorted(prefixes.items()) if ns in used}


# A namespace ending in one of these starts an IRI exactly when it starts the IRI's stem (the IRI up to its
# last separator), and a page's IRIs share a few stems: testing every namespace against every IRI was 94 µs
# of a duty's 162 µs Turtle serialisation (issue 13); by stem, remembered, it is a few set lookups.
_SEPARATORS = ("/", "#")


def _stem(iri: str) -> str:
    return iri[: max(iri.rfind("/"), iri.rfind("#")) + 1]


@lru_cache(maxsize=4096)
def _namespaces_of_stem(stem: str, namespaces: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(ns for ns in namespaces if ns[-1:] in _SEPARATORS and stem.startswith(ns))


def _writes_datatype(literal: ox.Literal) -> bool:
    datatype = literal.datatype.value
    if datatype in _UNWRITTEN_DATATYPES:
        return False
    bare = _BARE_LITERALS.get(datatype)
    return bare is None or not bare.fullmatch(literal.value)


def _term_order(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> tuple:
    if isinstance(term, ox.NamedNode):
        return (0, term.value, "")
    if isinstance(term, ox.BlankNode):
        return (1, term.value, "")
    return (2, term.value, term.language or term.datatype.value)


def _triple_order(triple: ox.Triple) -> tuple:
    # Named subjects before blank ones; rdf:type first among a subject's properties, as people write Turtle.
    return (_term_order(triple.subject), triple.predicate.value != _RDF_TYPE, triple.predicate.value,
            _term_order(triple.object))


def _compact_jsonld(triples: list[ox.Triple], context: Mapping[str, str]) -> bytes:
    """JSON-LD compacted with `context` by rdflib's serialiser (pyoxigraph 0.5 writes only expanded JSON-LD).

    rdflib is imported here, not at the top: the SPARQL query worker imports this module and starts
    without rdflib (its import costs ~75 ms, `python -X importtime`); the worker never writes JSON-LD.
    """
    from rdflib import Graph

    graph = Graph(bind_namespaces="none")
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    written = graph.serialize(format="json-ld", context=dict(context), auto_compact=True, encoding="utf-8")
    # rdflib orders `@graph` and multi-valued properties as its sets of terms iterate, which depends on
    # each process's hash seed: two gunicorn workers wrote different bytes under one ETag (issue 13's body
    # comparison). Sorted here, as rdflib writes JSON (indent 2, keys sorted, UTF-8).
    return json.dumps(_sorted_sets(json.loads(written)), indent=2, separators=(",", ": "), sort_keys=True,
                      ensure_ascii=False).encode("utf-8")


def _sorted_sets(value: object) -> object:
    """`value` with every JSON-LD array sorted but an `@list`'s (RDF collections keep their order)."""
    if isinstance(value, dict):
        return {key: [_sorted_sets(member) for member in item] if key == "@list" and isinstance(item, list)
                else _sorted_sets(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted((_sorted_sets(item) for item in value),
                      key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value
