"""The remote backend of the `Store` protocol: any SPARQL 1.1 endpoint with the Graph Store Protocol.

Written and tested against Virtuoso 7.2 (Debian's virtuoso-opensource); see docs/remote-store.md for
what Virtuoso really guarantees. Queries go through SPARQLWrapper to the anonymous, read-only query
endpoint; writes go with credentials to the update and Graph Store endpoints only, so a query that
slips past the endpoint's checks still meets a server that refuses to write.

Results are never handed on as the remote wrote them: they are parsed and re-serialised with
pyoxigraph, because Virtuoso's own output is not what integrators expect (its JSON-LD drops language
tags, its blank node labels `nodeID://b1` are not valid SPARQL JSON/XML labels, it answers
N-Quads/TriG with 406), and because Virtuoso signals cut results in headers a client must check.

Over 400 lines on purpose: one class speaking one server's wire protocol; the error mapping and the
plumbing at the bottom are used only by it, and docs/remote-store.md follows it section by section.
"""

from __future__ import annotations

import ast
import math
import re
import time
import urllib.error
import uuid
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
import requests
from rdflib import Graph
from rdflib.term import Node
from SPARQLWrapper import DIGEST, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from luzhi.store.formats import GRAPH_FORMATS, RESULT_FORMATS, serialise, serialise_results
from luzhi.store.oxigraph import to_oxigraph, to_rdflib

# What query_result can answer: pyoxigraph writes all of these faithfully.
SOLUTION_FORMATS: dict[str, ox.QueryResultsFormat] = RESULT_FORMATS
TRIPLE_FORMATS: dict[str, ox.RdfFormat] = GRAPH_FORMATS

# Graphs a fresh Virtuoso holds for itself; they sit in its union default graph too (docs/remote-store.md).
VIRTUOSO_SYSTEM_GRAPHS: tuple[str, ...] = (
    "http://www.openlinksw.com/",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/",
)
# replace_graph loads here first; never listed as a luzhi graph, and dropped when a replace fails.
STAGING_PREFIX = "urn:luzhi:staging:"

_WIRE_SOLUTIONS = "application/sparql-results+xml"
_WIRE_TRIPLES = "application/n-triples"
_BNODE_XML = re.compile(rb"<bnode>([^<]*)</bnode>")
_BNODE_SAFE = re.compile(r"[A-Za-z0-9_]+")
# After the remote fails to answer at all, requests fail at once for this long instead of each waiting for
# its own timeout (issue 10: a hung Virtuoso stalled every page 35 s). Then one request tries again.
DOWN_SECONDS = 5.0
_GRAPH_PAGE = 1000  # graph_names pages under any sane row cap (Debian ships ResultSetMaxRows = 10000)


class RemoteStoreError(RuntimeError):
    """The remote store failed, refused, or could not be reached; the message says which URL and why."""


class RemoteStoreUnavailable(RemoteStoreError):
    """The remote did not answer at all (refused, unreachable, hung): it is marked down for `DOWN_SECONDS`."""


class RemoteQueryError(RemoteStoreError, ValueError):
    """The remote refused the query itself (syntax, an update sent as a query …): the client's fault."""


class RemoteQueryTimeout(RemoteStoreError, TimeoutError):
    """The query ran past its time limit; no partial result is ever returned instead.

    `no_answer`: the remote sent nothing at all before the socket timeout (hung, not merely slow).
    """

    def __init__(self, message: str, *, no_answer: bool = False) -> None:
        super().__init__(message)
        self.no_answer = no_answer


class RemoteResultTruncated(RemoteStoreError):
    """The remote cut the result at its own row cap (Virtuoso's ResultSetMaxRows): refused, never passed on."""


class RemoteResultTooLarge(RemoteStoreError):
    """The result has more rows than the caller's own limit (`max_rows`): refused, never cut."""


class UnsupportedFormat(ValueError):
    """The requested MIME type cannot carry this query's result (e.g. CSV for a CONSTRUCT)."""


@dataclass(frozen=True)
class SerializedResult:
    """One answer for the SPARQL endpoint: the body in `mime`, and how many solutions or triples it holds."""

    body: bytes
    mime: str
    rows: int


def _check_rows(rows: int, max_rows: int | None) -> None:
    if max_rows is not None and rows > max_rows:
        raise RemoteResultTooLarge(f"{rows} rows, more than the limit of {max_rows}")


@dataclass(frozen=True)
class RemoteEndpoints:
    """Where one remote store lives. Without `update`/`graph_store` the store is read-only.

    `user`/`password` are sent (HTTP digest) to the update and Graph Store endpoints only.
    `dialect="virtuoso"` turns on what only Virtuoso understands: the `timeout` query parameter
    (milliseconds) and its result-cut headers, and hides its system graphs from `graph_names`.
    """

    query: str
    update: str | None = None
    graph_store: str | None = None
    user: str | None = None
    password: str | None = None
    dialect: str = "sparql11"  # or "virtuoso"

    def __post_init__(self) -> None:
        if self.dialect not in ("sparql11", "virtuoso"):
            raise ValueError(f"dialect: expected 'sparql11' or 'virtuoso', got {self.dialect!r}")
        for name in ("query", "update", "graph_store"):
            url = getattr(self, name)
            if url is not None and not url.startswith(("http://", "https://")):
                raise ValueError(f"{name}: not an http(s) URL: {url!r}")

    @classmethod
    def virtuoso(cls, base: str, user: str | None = None, password: str | None = None) -> RemoteEndpoints:
        """Virtuoso's standard layout under `base` (e.g. http://127.0.0.1:8890): writes need credentials."""
        base = base.rstrip("/")
        writable = user is not None
        return cls(
            query=f"{base}/sparql",
            update=f"{base}/sparql-auth" if writable else None,
            graph_store=f"{base}/sparql-graph-crud-auth" if writable else None,
            user=user,
            password=password,
            dialect="virtuoso",
        )


class RemoteStore:
    """A `Store` over HTTP. Its default graph is whatever the remote's is: on Virtuoso, every graph."""

    def __init__(
        self,
        endpoints: RemoteEndpoints,
        *,
        timeout: float = 30.0,
        ignored_graphs: Sequence[str] | None = None,
        verify_writes: bool = True,
    ) -> None:
        self.endpoints = endpoints
        self.timeout = timeout
        if ignored_graphs is None:
            ignored_graphs = VIRTUOSO_SYSTEM_GRAPHS if endpoints.dialect == "virtuoso" else ()
        self.ignored_graphs = (STAGING_PREFIX, *ignored_graphs)
        self.verify_writes = verify_writes
        self.down_until = 0.0  # time.monotonic() before which the remote counts as down (see DOWN_SECONDS)
        self._session = requests.Session()
        if endpoints.user is not None:
            self._session.auth = requests.auth.HTTPDigestAuth(endpoints.user, endpoints.password or "")

    @property
    def read_only(self) -> bool:
        return self.endpoints.update is None or self.endpoints.graph_store is None

    # ---- queries ---------------------------------------------------------------------------

    def select(self, sparql: str) -> list[dict[str, Node]]:
        solutions = self._solutions(sparql, self._wire_query(sparql, "solutions"))
        if isinstance(solutions, ox.QueryBoolean):
            raise RemoteQueryError("select() got an ASK query; use ask()")
        names = [v.value for v in solutions.variables]
        return [{name: to_rdflib(row[name]) for name in names if row[name] is not None} for row in solutions]

    def triples(self, subject: Node | None = None, predicate: Node | None = None, obj: Node | None = None, *,
                limit: int) -> list[tuple[Node, Node, Node]]:
        """The pattern as one SELECT (the server has the indexes); terms written by pyoxigraph, never by hand."""
        names = ("s", "p", "o")
        terms = [f"?{name}" if term is None else str(to_oxigraph(term))
                 for name, term in zip(names, (subject, predicate, obj), strict=True)]
        rows = self.select(f"SELECT DISTINCT * WHERE {{ {' '.join(terms)} }} LIMIT {int(limit)}")
        given = (subject, predicate, obj)
        return [tuple(row.get(name, term) for name, term in zip(names, given, strict=True)) for row in rows]

    def construct(self, sparql: str) -> Graph:
        graph = Graph()
        for triple in self._triples(self._wire_query(sparql, "triples")):
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
        return graph

    def ask(self, sparql: str) -> bool:
        result = self._solutions(sparql, self._wire_query(sparql, "solutions"))
        if not isinstance(result, ox.QueryBoolean):
            raise RemoteQueryError("ask() got a query that is not ASK")
        return bool(result)

    def query_result(
        self,
        sparql: str,
        accept_mime: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        timeout: float | None = None,
        *,
        max_rows: int | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> SerializedResult:
        """Run a query for the SPARQL endpoint: the body in `accept_mime`, its row count, and a row limit that refuses.

        `accept_mime` is one concrete type already negotiated by the caller; one that cannot carry
        this query form raises UnsupportedFormat (the endpoint answers 406).

        A result of more than `max_rows` solutions (or triples) raises RemoteResultTooLarge: it is
        never cut. `prefixes` go into Turtle, TriG and RDF/XML, as the embedded endpoint writes them.
        The format is checked before the query is sent, so a wrong guess costs no remote work.
        """
        mime = accept_mime.split(";")[0].strip().lower()
        form = self._form_of(sparql)
        if form == "triples" and mime not in TRIPLE_FORMATS:
            raise UnsupportedFormat(f"{accept_mime} cannot carry a CONSTRUCT/DESCRIBE result")
        if form == "solutions" and mime not in SOLUTION_FORMATS:
            raise UnsupportedFormat(f"{accept_mime} cannot carry a SELECT/ASK result")
        body = self._wire_query(sparql, None, default_graphs, named_graphs, timeout)
        if form == "triples":
            triples = self._triples(body)
            _check_rows(len(triples), max_rows)
            fmt = TRIPLE_FORMATS[mime]
            return SerializedResult(serialise(triples, fmt, prefixes or {}), mime, len(triples))
        solutions = self._solutions(sparql, body)
        if isinstance(solutions, ox.QueryBoolean):
            return SerializedResult(serialise_results(solutions, SOLUTION_FORMATS[mime]), mime, 1)
        rows = sum(1 for _ in solutions)
        _check_rows(rows, max_rows)
        # Solutions iterate once: parse the (already checked) answer again to serialise it.
        again = self._solutions(sparql, body)
        return SerializedResult(serialise_results(again, SOLUTION_FORMATS[mime]), mime, rows)

    def raw_query(self, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
        """The result as pyoxigraph objects, as `OxigraphStore.raw_query` gives (triples as a list)."""
        if self._form_of(sparql) == "triples":
            return self._triples(self._wire_query(sparql, "triples"))
        return self._solutions(sparql, self._wire_query(sparql, "solutions"))

    # ---- writes ----------------------------------------------------------------------------

    def replace_graph(self, graph: str, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        """Replace one named graph: load a staging graph (Graph Store PUT), then one SPARQL Update
        `DROP SILENT GRAPH <g> ; MOVE <staging> TO <g>`.

        Virtuoso runs that update as one transaction (all or nothing), but its readers are not
        isolated from it: docs/remote-store.md has the measurements. A failed step drops the
        staging graph and leaves the old graph as it was.
        """
        if self.read_only:
            raise RemoteStoreError(f"read-only remote store {self.endpoints.query}: no update/graph-store endpoint")
        target = ox.NamedNode(graph).value  # raises ValueError on a malformed IRI: nothing is spliced raw
        ox_triples = {ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in triples}
        if not ox_triples:
            self._update(f"DROP SILENT GRAPH <{target}>")
            return
        staging = f"{STAGING_PREFIX}{uuid.uuid4().hex}"
        try:
            self._put_graph(staging, ox.serialize(ox_triples, format=ox.RdfFormat.N_TRIPLES))
            self._update(f"DROP SILENT GRAPH <{target}> ;\nMOVE <{staging}> TO <{target}>")
        except BaseException:
            try:
                self._update(f"DROP SILENT GRAPH <{staging}>")
            except RemoteStoreError:
                pass  # the original error matters more; a leftover staging graph is never listed
            raise
        if self.verify_writes:
            # Virtuoso answers 200 even when MOVE found nothing to move: count, do not trust the status.
            stored = self.count_triples(target)
            if stored != len(ox_triples):
                raise RemoteStoreError(
                    f"replace_graph <{target}>: sent {len(ox_triples)} triples, the store holds {stored}"
                )

    def count_triples(self, graph: str) -> int:
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ox.NamedNode(graph).value}> {{ ?s ?p ?o }} }}")
        return int(rows[0]["n"]) if rows else 0

    def graph_names(self) -> list[str]:
        """Every named graph holding triples, except the remote's own and our staging graphs.

        Paged by key (`FILTER(STR(?g) > last)`), not OFFSET: Virtuoso refuses to sort past its row cap.
        """
        names: list[str] = []
        last = ""
        while True:
            after = f"FILTER(STR(?g) > {_string_literal(last)})" if last else ""
            rows = self.select(
                f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {after} }} ORDER BY STR(?g) LIMIT {_GRAPH_PAGE}"
            )
            page = [str(row["g"]) for row in rows if "g" in row]
            names.extend(g for g in page if not g.startswith(self.ignored_graphs))
            if len(rows) < _GRAPH_PAGE:
                return sorted(names)
            last = page[-1]

    def dump_graph(self, graph: str, fmt: ox.RdfFormat, prefixes: Mapping[str, str] | None = None) -> bytes:
        """One named graph serialised in `fmt` by the one serialiser (the /graph/ route)."""
        name = ox.NamedNode(graph).value
        triples = self._triples(self._wire_query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}",
                                                 "triples"))
        return serialise(triples, fmt, prefixes or {})

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of luzhi's graphs, graph by graph (a remote has no native dump; the system graphs stay out)."""
        for name in self.graph_names():
            graph = ox.NamedNode(name)
            query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"
            for triple in self._triples(self._wire_query(query, "triples")):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)

    def __len__(self) -> int:
        """Quads in luzhi's named graphs: the remote's own and staging graphs are not counted."""
        skip = " && ".join(f"!STRSTARTS(STR(?g), {_string_literal(prefix)})" for prefix in self.ignored_graphs)
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({skip}) }}")
        return int(rows[0]["n"]) if rows else 0

    def close(self) -> None:
        self._session.close()

    # ---- plumbing --------------------------------------------------------------------------

    @staticmethod
    def _wrapper(url: str, sparql: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(url)
        wrapper.setMethod(POST)  # long queries and large updates; GET URLs have length limits
        # Otherwise SPARQLWrapper also sends format=xml&output=xml, which Virtuoso obeys over Accept.
        wrapper.setOnlyConneg(True)
        with warnings.catch_warnings():
            # SPARQLWrapper guesses the query form by regex and warns on what it cannot guess;
            # the remote's parser gives the real verdict (and its message) below.
            warnings.simplefilter("ignore", RuntimeWarning)
            wrapper.setQuery(sparql)
        return wrapper

    def _form_of(self, sparql: str) -> str:
        wrapper = self._wrapper(self.endpoints.query, sparql)
        if wrapper.isSparqlUpdateRequest():
            raise RemoteQueryError("this is a SPARQL Update, not a query; the store is read-only through queries")
        return "triples" if wrapper.queryType in ("CONSTRUCT", "DESCRIBE") else "solutions"

    def _wire_query(
        self,
        sparql: str,
        expected: str | None,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        timeout: float | None = None,
    ) -> bytes:
        form = self._form_of(sparql)
        if expected is not None and form != expected:
            raise RemoteQueryError(f"expected a {expected} query, got a {form} query")
        timeout = self.timeout if timeout is None else timeout
        wrapper = self._wrapper(self.endpoints.query, sparql)
        wrapper.addCustomHttpHeader("Accept", _WIRE_TRIPLES if form == "triples" else _WIRE_SOLUTIONS)
        for iri in default_graphs:
            wrapper.addDefaultGraph(ox.NamedNode(iri).value)
        for iri in named_graphs:
            wrapper.addNamedGraph(ox.NamedNode(iri).value)
        if self.endpoints.dialect == "virtuoso":
            # Virtuoso stops the query itself at this limit (and flags the answer, checked below);
            # the client-side socket timeout, a few seconds later, is only the backstop.
            wrapper.addParameter("timeout", str(max(1, int(timeout * 1000))))
        wrapper.setTimeout(math.ceil(timeout) + 5)
        response = self._send(wrapper, self.endpoints.query, timeout)
        body = response.read()
        headers = response.headers
        if headers.get("X-SQL-State") == "S1TAT":  # Virtuoso "anytime" answer: partial, cut by the timeout
            raise RemoteQueryTimeout(f"query stopped after {timeout:g} s: {headers.get('X-SQL-Message', '')}".strip())
        if headers.get("X-SPARQL-MaxRows"):
            raise RemoteResultTruncated(
                f"{self.endpoints.query} cut the result at its row cap of {headers['X-SPARQL-MaxRows']} rows "
                "(Virtuoso [SPARQL] ResultSetMaxRows); add LIMIT or raise the cap"
            )
        got = headers.get_content_type()
        wanted = _WIRE_TRIPLES if form == "triples" else _WIRE_SOLUTIONS
        if got != wanted:
            raise RemoteStoreError(f"{self.endpoints.query} answered {got}, asked for {wanted}")
        return body

    def _send(self, wrapper: SPARQLWrapper, url: str, timeout: float):
        if time.monotonic() < self.down_until:
            raise RemoteStoreUnavailable(f"{url} is marked down after a failed request; retrying soon")
        try:
            return self._send_now(wrapper, url, timeout)
        except (RemoteStoreUnavailable, RemoteQueryTimeout) as error:
            if isinstance(error, RemoteStoreUnavailable) or error.no_answer:
                self.down_until = time.monotonic() + DOWN_SECONDS
            raise

    def _send_now(self, wrapper: SPARQLWrapper, url: str, timeout: float):
        try:
            return wrapper.query().response
        except SPARQLWrapperException as error:
            message = _wrapper_message(error)
            if is_timeout_message(message):
                raise RemoteQueryTimeout(f"query stopped after {timeout:g} s: {message}") from None
            if type(error).__name__ == "QueryBadFormed":
                raise RemoteQueryError(message) from None
            raise RemoteStoreError(f"{url}: {type(error).__name__}: {message}") from None
        except urllib.error.HTTPError as error:
            raise RemoteStoreError(f"{url}: HTTP {error.code}: {_remote_message(error.read())}") from None
        except TimeoutError as error:
            raise RemoteQueryTimeout(f"{url} did not answer within {timeout:g} s", no_answer=True) from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise RemoteQueryTimeout(f"{url} did not answer within {timeout:g} s", no_answer=True) from None
            raise RemoteStoreUnavailable(f"cannot reach {url}: {error.reason}") from None
        except (ConnectionError, OSError) as error:
            raise RemoteStoreUnavailable(f"cannot reach {url}: {error}") from None

    def _solutions(self, sparql: str, body: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
        # Virtuoso labels blank nodes `nodeID://b10000`, which pyoxigraph (rightly) refuses as a label.
        return ox.parse_query_results(_BNODE_XML.sub(_clean_bnode, body), format=ox.QueryResultsFormat.XML)

    @staticmethod
    def _triples(body: bytes) -> list[ox.Triple]:
        return list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))

    def _update(self, update: str) -> None:
        url = self.endpoints.update
        assert url is not None
        wrapper = self._wrapper(url, update)
        if self.endpoints.user is not None:
            wrapper.setHTTPAuth(DIGEST)
            wrapper.setCredentials(self.endpoints.user, self.endpoints.password or "")
        wrapper.setTimeout(math.ceil(self.timeout) + 5)
        self._send(wrapper, url, self.timeout).read()

    def _put_graph(self, graph: str, ntriples: bytes) -> None:
        url = self.endpoints.graph_store
        assert url is not None
        try:
            response = self._session.put(
                url,
                params={"graph": graph},
                data=ntriples,
                headers={"Content-Type": "application/n-triples"},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise RemoteStoreError(f"cannot load into {url}: {error}") from None
        if response.status_code not in (200, 201, 204):
            raise RemoteStoreError(
                f"{url} refused to load graph <{graph}>: "
                f"HTTP {response.status_code}: {_remote_message(response.content)}"
            )


def _clean_bnode(match: re.Match[bytes]) -> bytes:
    label = match.group(1).decode("utf-8")
    if label.startswith("nodeID://") and _BNODE_SAFE.fullmatch(label[9:]):
        clean = "v" + label[9:]
    elif _BNODE_SAFE.fullmatch(label):
        clean = "p" + label
    else:
        clean = "h" + label.encode("utf-8").hex()
    return b"<bnode>" + clean.encode("ascii") + b"</bnode>"


def _remote_message(body: bytes | str | None) -> str:
    """The remote's own error text, without Virtuoso's echo of the whole query after it."""
    if body is None:
        return ""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else str(body)
    return text.split("\n\nSPARQL query:")[0].strip()[:2000]


def _wrapper_message(error: SPARQLWrapperException) -> str:
    """SPARQLWrapper keeps the remote's answer only as `repr(bytes)` inside its message: recover it."""
    text = str(error)
    if "Response:\n" in text:
        try:
            return _remote_message(ast.literal_eval(text.split("Response:\n", 1)[1].strip()))
        except (ValueError, SyntaxError):
            pass
    return text


def is_timeout_message(message: str) -> bool:
    # Virtuoso: "S1T00 … SR171: Transaction timed out" / "Returning incomplete results … timeout";
    # and a refusal before running: "42000 Error The estimated execution time 31812 (sec) exceeds the
    # limit of 400 (sec)" ([SPARQL] MaxQueryCostEstimationTime): the same verdict, too slow, just sooner.
    # Under load the timeout also arrives as "SR203: Async statement killed by SQLCancel" (seen in CI): the
    # server cancels the statement it timed, and nothing else of ours cancels a query.
    return any(code in message for code in ("S1T00", "SR171", "S1TAT", "SR203")) or (
        "estimated execution time" in message and "exceeds the limit" in message
    )


def _string_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
