"""The one registry of RDF and SPARQL result formats: media type, file extension, name, serialisers.

Every other table (the endpoint's result formats, the pages' RDF twins, file extensions, dump
formats, the remote's wire formats) is derived from `FORMATS` below, so a format is added or
renamed in one line (issue 9 found about twelve hand-kept copies).
"""

from __future__ import annotations

from dataclasses import dataclass

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

    @property
    def member(self) -> str:
        """pyoxigraph's member name ("TURTLE"): what crosses to a query worker process in a pickled `Job`."""
        kind = type(self.oxigraph)
        return next(name for name in dir(kind) if name.isupper() and getattr(kind, name) == self.oxigraph)


FORMATS: tuple[Format, ...] = (
    # Resource descriptions offer the first four, in this order (Turtle for `*/*`).
    Format("text/turtle", "graph", "Turtle", "ttl", ox.RdfFormat.TURTLE, "Turtle", "turtle", "turtle"),
    Format("application/ld+json", "graph", "JSON-LD", "jsonld", ox.RdfFormat.JSON_LD, "JSON-LD", "json-ld", "jsonld"),
    Format("application/n-triples", "graph", "N-Triples", "nt", ox.RdfFormat.N_TRIPLES, "N-Triples", "nt"),
    Format("application/rdf+xml", "graph", "RDF/XML", "rdf", ox.RdfFormat.RDF_XML, "RDF_XML", "xml"),
    Format("application/n-quads", "graph", "N-Quads", "nq", ox.RdfFormat.N_QUADS, "N-Quads", "nquads", "nquads"),
    Format("application/trig", "graph", "TriG", "trig", ox.RdfFormat.TRIG, "TriG", "trig", "trig"),
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
