"""What luzhi says about one resource: outgoing triples, labels of what it links to, incoming links.

Incoming links are paged: a department cooperates on thousands of duties and a category
holds tens of thousands, so one page carries at most `page_size` of them (issue 6). The
outgoing triples are a resource's own facts and stay whole on every page.

The statistics' observations that name a resource (`lz:observedTownship` …, store/statistics.py) are no links of
its own: a township's Turtle was mostly them (`hydra:totalItems 395`, cold review), its own triples lost among
counts. They are left out of every description; the document says where they are instead (`rdfs:seeAlso` the
statistics data sets that hold them, whose own descriptions page their observations).

Every IRI is checked (`check_iri`) before it is written into a query: request paths come
from the network, and a `>` or a space in one would otherwise end the IRI and start SPARQL
(STYLE.md, after zazuko/trifid's entity renderer).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial

import pyoxigraph as ox
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS
from rdflib.term import Node

from luzhi.store.base import Store
from luzhi.store.statistics import DIMENSIONS

# A resource → its label triples (`resource_labels`, or a cached one: server/context.py `label_cache`).
LabelLookup = Callable[[URIRef], tuple]

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")

# Properties whose values name a resource for people, best first.
LABEL_PROPERTIES: tuple[URIRef, ...] = (SKOS.prefLabel, RDFS.label, DCTERMS.title)

# RFC 3987 forbids these in an IRI; any one of them could also end `<…>` in SPARQL.
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`]')
# Outgoing triples of one resource are few (a duty has ~15); this bound only stops a
# pathological resource from filling memory. Hitting it is reported in `Description`.
MAX_OUTGOING = 5_000


class InvalidIri(ValueError):
    """Raised for text that must not be used as an IRI in a query."""


def check_iri(text: str) -> str:
    """Return `text` if it is an absolute IRI safe to write as `<text>` in SPARQL, else raise InvalidIri."""
    if not text or _IRI_FORBIDDEN.search(text):
        raise InvalidIri(f"not an IRI: {text!r}")
    try:
        ox.NamedNode(text)
    except ValueError as error:
        raise InvalidIri(f"not an IRI: {text!r} ({error})") from error
    return text


def sparql_iri(text: str) -> str:
    """`<text>` for a checked IRI, ready for a query."""
    return f"<{check_iri(text)}>"


def sparql_string(text: str) -> str:
    """A SPARQL string literal with every special character escaped by pyoxigraph, never by hand."""
    return str(ox.Literal(text))


@dataclass(frozen=True)
class Paging:
    """Where one page sits among all of them; pages count from 1.

    `total` None: not counted (a hub's incoming links, read in index order: counting them all per
    request is what made a category's Turtle grow with the store); `more` then says whether a next
    page exists.
    """

    page: int
    page_size: int
    total: int | None
    more: bool = False

    @property
    def last(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.more if self.total is None else self.page < self.last

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass(frozen=True)
class Description:
    """One page of a resource's description. `triples` holds every triple of its RDF (no rdflib Graph: adding
    300 triples to one cost ~30 ms, issue 13); the other tuples are for templates."""

    subject: URIRef
    triples: tuple[tuple[Node, Node, Node], ...]
    outgoing: tuple[tuple[URIRef, Node], ...]
    incoming: tuple[tuple[URIRef, URIRef], ...]  # (subject, predicate) pairs of this page
    paging: Paging
    labels: dict[URIRef, tuple[Literal, ...]] = field(default_factory=dict)
    truncated: bool = False
    # The statistics data sets (`B/id/statistics/{breakdown}`) whose observations name the resource among the links
    # read: left out of `incoming`, linked from the document instead (`paging_triples`).
    statistics: tuple[URIRef, ...] = ()

    @property
    def types(self) -> tuple[URIRef, ...]:
        return tuple(o for p, o in self.outgoing if p == RDF.type and isinstance(o, URIRef))


def exists(store: Store, iri: str) -> bool:
    """Whether the store says anything about `iri`, as subject or object (two index lookups)."""
    node = URIRef(check_iri(iri))
    return bool(store.triples(node, None, None, limit=1) or store.triples(None, None, node, limit=1))


def describe(store: Store, iri: str, *, page: int = 1, page_size: int = 100,
             with_incoming: bool = True, labels_of: LabelLookup | None = None,
             incoming: URIRef | None = None) -> Description | None:
    """One page of the description of `iri`, or None when the store knows nothing of it.

    `with_incoming=False` leaves the incoming links out (an HTML page that does not show them);
    `incoming` pages only the links by that predicate (a list's items: `lz:inList`, not the statistics'
    observations that name the list too); `labels_of`: see `fetch_label_triples`.
    """
    subject = URIRef(check_iri(iri))
    found = [(p, o) for _s, p, o in store.triples(subject, None, None, limit=MAX_OUTGOING + 1)]
    truncated = len(found) > MAX_OUTGOING
    outgoing = sorted(found[:MAX_OUTGOING], key=lambda po: (str(po[0]), str(po[1])))
    if not truncated:
        labels_of = _with_own_labels(subject, found, labels_of or partial(resource_labels, store))
    if not with_incoming:
        # The HTML pages of divisions, lists, duties, departments and categories show their own
        # paged queries, not incoming links: sorting a category's links to cut one page cost 105 ms
        # at 150 k quads (issue 13). `ORDER BY` stays for the RDF, so every backend pages alike.
        if not outgoing and not exists(store, iri):
            return None
        return _description(store, subject, outgoing, [], Paging(1, page_size, 0), truncated, labels_of)
    links, paging, observed = _incoming(store, subject, max(1, page), page_size, incoming)
    if not outgoing and not links and not exists(store, iri):  # a page past the end: the caller's 404 (require_page)
        return None
    return replace(_description(store, subject, outgoing, links, paging, truncated, labels_of), statistics=observed)


def _with_own_labels(subject: URIRef, found: list[tuple[Node, Node]], labels_of: LabelLookup) -> LabelLookup:
    """`labels_of`, answering for `subject` from its outgoing triples, as `found` in the store's order.

    Issue 13: the subject's three label lookups read the block its outgoing triples had just read, ~0.1 ms
    a page, and were never cached (each subject is new). `resource_labels` gives the same tuple: per
    property, the same index's first `MAX_LABELS` values, in the same order (tests/test_deref_labels.py).
    """
    own = labels_among(subject, found)
    return lambda resource: own if resource == subject else labels_of(resource)


def labels_among(subject: URIRef, found: Iterable[tuple[Node, Node]]) -> tuple:
    """`subject`'s label triples among its (predicate, object) pairs, in the store's order: the same tuple as
    a lookup per label property (per property, the same index range's first `MAX_LABELS` values)."""
    return tuple((subject, prop, label) for prop in LABEL_PROPERTIES
                 for label in [o for p, o in found if p == prop][:MAX_LABELS] if isinstance(label, Literal))


# Up to this many incoming links are read by one index lookup, sorted and paged here, with their exact
# total; a hub (a category, a list type, a national department) has more, and is paged in the store's
# index order without a total: by lookups up to `MAX_HUB_OFFSET` links deep, deeper by a query worker
# under `page_timeout`.
FEW_INCOMING = 1_000
MAX_HUB_OFFSET = 20_000


def _link_order(link: tuple[Node, Node]) -> tuple:
    """Links by predicate, then by subject IRI with its numbers compared as numbers: a list's duties as the
    list numbers them (…/basic/2 before …/basic/10; by text, 1, 10, 100, 101 … came first: cold review)."""
    subject, predicate = link
    return str(predicate), [int(part) if part.isdecimal() else part for part in _DIGITS.split(str(subject))]


_DIGITS = re.compile(r"(\d+)")


# The statistics' dimensions (store/statistics.py): an observation's link to what it counts is not the resource's.
STATISTICS_LINKS = frozenset(DIMENSIONS.values())
# How far past the links a page needs `_links_to` reads when observations crowd them out (a list type's are a tenth).
_MAX_READ_FACTOR = 16


def _incoming(store: Store, subject: URIRef, page: int, page_size: int,
              predicate: URIRef | None = None) -> tuple[list, Paging, tuple[URIRef, ...]]:
    """One page of the (subject, predicate) links to `subject`, where it sits among them, and the statistics data
    sets whose observations name it (left out: `_links_to`).

    A township, a list, a duty or a county's department has a few hundred links at any scale: read
    at once and ordered by predicate then subject (two worker round trips cost ~40 ms each under
    load, issue 13). A hub's links were sorted and counted per request: 1.2-1.7 s for a category's
    Turtle at 100 townships. Blank-node subjects are left out (they have no address to link to).
    """
    offset = (page - 1) * page_size
    window_size = offset + page_size + 1 if offset <= MAX_HUB_OFFSET else 0
    found, complete, observed = _links_to(store, subject, predicate, max(FEW_INCOMING, window_size) + 1)
    if complete and len(found) <= FEW_INCOMING:
        links = sorted({(s, p) for s, p, _o in found if isinstance(s, URIRef)},
                       key=_link_order)
        return links[offset : offset + page_size], Paging(page, page_size, len(links)), observed
    # A hub: each page sorted for reading, the pages in index order.
    if window_size:
        window = found[:window_size]
        links = [(s, p) for s, p, _o in window[offset : offset + page_size] if isinstance(s, URIRef)]
        more = len(window) > offset + page_size or not complete
        return sorted(links, key=_link_order), Paging(page, page_size, None, more), observed
    # Deep in a hub: the same index order (pyoxigraph evaluates the pattern over the same index and keeps
    # DISTINCT's first-seen order), read by a worker under `page_timeout` since it walks `offset` links.
    where = f"?s ?p {sparql_iri(str(subject))}"
    if predicate is not None:
        where += f" VALUES ?p {{ {sparql_iri(str(predicate))} }}"
    else:
        where += f" FILTER(?p NOT IN ({', '.join(sparql_iri(str(p)) for p in sorted(STATISTICS_LINKS))}))"
    query = f"SELECT DISTINCT ?s ?p WHERE {{ {where} FILTER(isIRI(?s)) }}"
    rows = store.select(f"{query} LIMIT {page_size + 1} OFFSET {offset}")
    links = sorted(((row["s"], row["p"]) for row in rows[:page_size]), key=_link_order)
    return links, Paging(page, page_size, None, len(rows) > page_size), observed


def _links_to(store: Store, subject: URIRef, predicate: URIRef | None,
              limit: int) -> tuple[list, bool, tuple[URIRef, ...]]:
    """Up to `limit` links (triples) to `subject` in the store's index order, by `predicate` or, without one, by
    any predicate but the statistics' dimensions; whether that was all of them; and the statistics data sets
    (`B/id/statistics/{breakdown}`, an observation's IRI less its last step) whose observations were left out.
    Reads on past the observations, in one lookup more at a time, up to `_MAX_READ_FACTOR` × `limit`."""
    if predicate is not None:
        found = store.triples(None, predicate, subject, limit=limit)
        return found, len(found) < limit, ()
    wanted = limit
    while True:
        found = store.triples(None, None, subject, limit=wanted)
        kept = [link for link in found if link[1] not in STATISTICS_LINKS]
        complete = len(found) < wanted
        if complete or len(kept) >= limit or wanted >= limit * _MAX_READ_FACTOR:
            observed = {URIRef(str(s).rsplit("/", 1)[0]) for s, p, _o in found if p in STATISTICS_LINKS}
            return kept[:limit], complete and len(kept) <= limit, tuple(sorted(observed))
        wanted *= 2


def _description(store: Store, subject: URIRef, outgoing: list, incoming: list, paging: Paging,
                 truncated: bool, labels_of: LabelLookup | None = None) -> Description:
    linked = {o for _p, o in outgoing if isinstance(o, URIRef)} | {s for s, _p in incoming}
    label_triples = fetch_label_triples(
        store, linked | {p for p, _o in outgoing} | {p for _s, p in incoming} | {subject}, labels_of
    )

    triples = [(subject, p, o) for p, o in outgoing] + [(s, p, subject) for s, p in incoming]
    triples += [(resource, prop, literal) for resource, prop, literal in label_triples if resource in linked]
    return Description(
        subject=subject,
        triples=tuple(triples),
        outgoing=tuple(outgoing),
        incoming=tuple(incoming),
        paging=paging,
        labels=_by_resource(label_triples),
        truncated=truncated,
    )


def paging_triples(description: Description, document: str) -> list[tuple[Node, Node, Node]]:
    """Say in the RDF which document this is and, when paged, where the other pages are (Hydra core).

    `document` is the page's own URL without `?page=`; page 1 is the bare URL. `hydra:totalItems`
    counts what is paged: incoming links, a list's duties only, a department's or category's duties
    (absent for a hub, whose links are not counted).
    """
    doc = URIRef(_page_url(document, description.paging.page))
    found: list[tuple[Node, Node, Node]] = [(doc, FOAF.primaryTopic, description.subject)]
    found += [(doc, RDFS.seeAlso, dataset) for dataset in description.statistics]  # where its counts are
    paging = description.paging
    if not (paging.has_next or paging.has_previous):
        return found
    found += [(doc, RDF.type, HYDRA.PartialCollectionView), (doc, HYDRA.first, URIRef(_page_url(document, 1)))]
    if paging.total is not None:  # a hub's links are not counted (see `_incoming`)
        found += [(doc, HYDRA.totalItems, Literal(paging.total)),
                  (doc, HYDRA.last, URIRef(_page_url(document, paging.last)))]
    if paging.has_next:
        found.append((doc, HYDRA.next, URIRef(_page_url(document, paging.page + 1))))
    if paging.has_previous:
        found.append((doc, HYDRA.previous, URIRef(_page_url(document, paging.page - 1))))
    return found


def _page_url(document: str, page: int) -> str:
    return document if page == 1 else f"{document}?page={page}"


def fetch_labels(store: Store, resources: Iterable[Node], labels_of: LabelLookup | None = None,
                 ) -> dict[URIRef, tuple[Literal, ...]]:
    """Every label (skos:prefLabel, rdfs:label, dct:title) of each IRI, best property first."""
    return _by_resource(fetch_label_triples(store, resources, labels_of))


def _by_resource(triples: list[tuple[URIRef, URIRef, Literal]]) -> dict[URIRef, tuple[Literal, ...]]:
    labels: dict[URIRef, list[Literal]] = {}
    for resource, _prop, literal in triples:
        labels.setdefault(resource, []).append(literal)
    return {resource: tuple(found) for resource, found in labels.items()}


def fetch_label_triples(store: Store, resources: Iterable[Node], labels_of: LabelLookup | None = None,
                        ) -> list[tuple[URIRef, URIRef, Literal]]:
    """(resource, label property, label) for each IRI, best property first: index lookups of each
    resource's own label triples (`resource_labels`).

    Issue 13: one query per page for the labels first scanned every label in the store (298 ms at
    1.5 M quads), then, with VALUES and FILTER, cost a query worker round trip (~50 ms under load);
    a lookup per resource and property reads only that resource's own triples. `labels_of` replaces
    `resource_labels` by one that remembers them across pages of one store: a county's departments, the
    categories and the divisions are labelled on every page of their townships (server/context.py
    `label_cache`).
    """
    lookup = labels_of or partial(resource_labels, store)
    # By IRI text: the order rdflib's `URIRef.__lt__` gives, without its ~80 Python calls a duty page (issue 13).
    return [triple for resource in sorted({r for r in resources if isinstance(r, URIRef)}, key=str)
            for triple in lookup(resource)]


def resource_labels(store: Store, resource: URIRef) -> tuple[tuple[URIRef, URIRef, Literal], ...]:
    """One resource's label triples, best property first: a lookup per label property.

    Not one lookup of all its own triples (issue 13, tried): each term read is decoded from the store's
    strings, and a list's 20 triples (its sections) or a department's part (its responsibility text) cost
    more disk reads than the three label ranges, which sit in one block: at 10,000 townships a cold duty's
    Turtle read 118 KiB for 7 lookups against 58 KiB for 17 (bench/results/deref.md).
    """
    return tuple((resource, prop, label) for prop in LABEL_PROPERTIES
                 for _s, _p, label in store.triples(resource, prop, None, limit=MAX_LABELS)
                 if isinstance(label, Literal))


# Labels per resource and property: a few languages, a few spellings; more would be a data error.
MAX_LABELS = 50


def label_text(labels: dict, node: Node | None, default: str = "—", language: str = "zh") -> str:
    """A node's label in `language` from labels fetched with `fetch_labels`, or `default`."""
    found = pick_label(labels.get(node, ()), language) if node is not None else None
    return str(found) if found is not None else default


def pick_label(literals: Iterable[Literal], lang: str = "zh") -> Literal | None:
    """The label to show: in `lang`, else Chinese, else English, else any."""
    literals = list(literals)
    if len(literals) == 1:  # most resources have one label: the loop below would return it too, in ~1 µs more
        return literals[0]
    for wanted in (lang, "zh", "en", None):
        for literal in literals:
            language = literal.language or None
            if language == wanted or (wanted and language and language.startswith(wanted)):
                return literal
    return literals[0] if literals else None
