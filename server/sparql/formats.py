"""Result formats of the endpoint and how a request picks one (Accept with q-values, or `format=`).

SELECT/ASK answer in the SPARQL results formats, CONSTRUCT/DESCRIBE in RDF formats. Each
table maps every media type a client may send (aliases included) to the one we answer
with, so `Accept: application/json` gets SPARQL JSON for a SELECT and JSON-LD for a
CONSTRUCT. `format=` (also `output=`/`results=`, which SPARQLWrapper sends alongside) takes
short names or media types, for browsers and for clients that cannot set headers.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from luzhi.server.conneg import choose
from luzhi.store.formats import BY_MIME, FORMATS


@dataclass(frozen=True)
class ResultFormat:
    """One answer format: the media type we send and the serialiser's name for it."""

    mime: str
    kind: str  # "results" (SELECT/ASK) or "graph" (CONSTRUCT/DESCRIBE)
    serializer: str  # pyoxigraph QueryResultsFormat / RdfFormat member name, or "JSON_LD_RDFLIB"
    extension: str

    @property
    def content_type(self) -> str:
        textual = self.mime.startswith("text/") or self.mime in ("application/n-triples", "application/n-quads",
                                                                 "application/trig")
        return f"{self.mime}; charset=utf-8" if textual else self.mime


def _offer(mime: str) -> ResultFormat:
    known = BY_MIME[mime]  # store/formats.py: the one registry
    # JSON-LD through rdflib, compacted with luzhi's prefixes as @context: pyoxigraph 0.5 only
    # writes expanded JSON-LD, which integrators find hard to read.
    serializer = "JSON_LD_RDFLIB" if mime == "application/ld+json" else known.member
    return ResultFormat(mime, known.kind, serializer, known.extension)


# In the endpoint's order of preference (ties in `Accept` go to the earlier one).
RESULTS = tuple(_offer(f.mime) for f in FORMATS if f.kind == "results")
GRAPHS = tuple(
    _offer(mime)
    for mime in ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
                 "application/n-quads", "application/trig")
)
_BY_MIME = {f.mime: f for f in RESULTS + GRAPHS}

# Media types clients send for our formats, per result kind (SPARQLWrapper's lists included).
_ALIASES: dict[str, dict[str, str]] = {
    "results": {
        "application/json": "application/sparql-results+json",
        "text/javascript": "application/sparql-results+json",
        "application/javascript": "application/sparql-results+json",
        "application/xml": "application/sparql-results+xml",
        "text/xml": "application/sparql-results+xml",
    },
    "graph": {
        "application/turtle": "text/turtle",
        "application/x-turtle": "text/turtle",
        "text/n3": "text/turtle",  # Turtle is a subset of N3: an N3 client reads it
        "text/rdf+n3": "text/turtle",
        "application/n3": "text/turtle",
        "text/plain": "application/n-triples",
        "application/json": "application/ld+json",
        "application/x-json+ld": "application/ld+json",
        "application/xml": "application/rdf+xml",
        "text/xml": "application/rdf+xml",
        "application/x-trig": "application/trig",
    },
}
# Short names for `format=`; SPARQLWrapper sends json, xml, csv, tsv, turtle, n3, rdf+xml, json-ld.
_NAMES: dict[str, dict[str, str]] = {
    "results": {
        "json": "application/sparql-results+json",
        "srj": "application/sparql-results+json",
        "xml": "application/sparql-results+xml",
        "srx": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
    },
    "graph": {
        "turtle": "text/turtle",
        "ttl": "text/turtle",
        "n3": "text/turtle",
        "nt": "application/n-triples",
        "ntriples": "application/n-triples",
        "n-triples": "application/n-triples",
        "json-ld": "application/ld+json",
        "jsonld": "application/ld+json",
        "json": "application/ld+json",
        "rdf": "application/rdf+xml",
        "rdf+xml": "application/rdf+xml",
        "rdfxml": "application/rdf+xml",
        "xml": "application/rdf+xml",
        "nq": "application/n-quads",
        "nquads": "application/n-quads",
        "n-quads": "application/n-quads",
        "trig": "application/trig",
    },
}


def format_names() -> list[str]:
    """Every short name `format=` takes, of either kind (`luzhi query --format` takes them too)."""
    return sorted({*_NAMES["results"], *_NAMES["graph"]})


def formats_for(kind: str) -> tuple[ResultFormat, ...]:
    return RESULTS if kind == "results" else GRAPHS


def by_mime(mime: str) -> ResultFormat:
    return _BY_MIME[mime]


def from_parameters(kind: str, values: Iterable[str]) -> ResultFormat | None:
    """The first `format=` value naming a format of this kind (name or media type), else None."""
    for value in values:
        key = value.strip().lower()
        mime = _NAMES[kind].get(key) or _ALIASES[kind].get(key) or key
        found = _BY_MIME.get(mime)
        if found is not None and found.kind == kind:
            return found
    return None


def unknown_format(values: Iterable[str]) -> str | None:
    """The first `format=` value that names no format of either kind (a 400, not silently ignored)."""
    for value in values:
        # SPARQLWrapper sends a comma-separated list of media types (`application/ld+json,application/x-json+ld`)
        keys = [part.split(";")[0].strip().lower() for part in value.split(",")]
        if not any(key in _NAMES[kind] or key in _ALIASES[kind] or key in _BY_MIME for key in keys for kind in _NAMES):
            return value
    return None


@functools.lru_cache(maxsize=256)
def negotiate(kind: str, accept_header: str | None) -> ResultFormat | None:
    """The best format of this kind for `Accept`, or None (→ 406). Server order breaks ties.

    Remembered per header: clients send the same few, and weighing ~13 offers against one took ~0.1 ms
    of a point lookup's ~1 ms in the web process (issue 13, cProfile).
    """
    offered = [f.mime for f in formats_for(kind)] + list(_ALIASES[kind])
    chosen = choose(accept_header, offered)
    if chosen is None:
        return None
    return _BY_MIME[_ALIASES[kind].get(chosen, chosen)]


def choose_format(kind: str, accept_header: str | None, parameters: Iterable[str]) -> ResultFormat | None:
    """`format=` wins over `Accept` (browsers cannot set Accept from a link).

    A `format=` naming only formats of the other kind is None (the endpoint's 400), not `Accept`'s pick:
    `format=ttl` on a SELECT answered SPARQL JSON (cold review), while a SELECT result has no Turtle form.
    Fuseki refuses an output type it cannot write with a 400 too ("Can't determine output content type").
    """
    parameters = tuple(parameters)
    return from_parameters(kind, parameters) if parameters else negotiate(kind, accept_header)


def short_names(kind: str) -> list[str]:
    return sorted(_NAMES[kind])
