"""What each kind of page reads (division, duty, department, category, search, home; a list's table of duties is
server/list_queries.py).

A resource's own values (a division's chain, children, lists and departments, a duty's
participations) are index lookups (server/lookups.py, issue 13); what joins or sorts many
resources (a page of a department's or category's duties) is SPARQL, run under
`page_timeout`. Each function takes a store and an already checked IRI and returns plain rows or
frozen dataclasses; the views only render. Every IRI goes through `sparql_iri` and every user string
through `sparql_string` (issue 6: never splice raw text into a query).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import ORG, RDF, SKOS
from rdflib.term import Node

from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import LZ, QB
from luzhi.server import lookups as lk
from luzhi.server.describe import Paging, check_iri, sparql_iri
from luzhi.server.sparql_rows import Row, int_or_zero, select
from luzhi.store.base import Store
from luzhi.store.statistics import CLASS_PARTITIONS, PROPERTY_PARTITIONS, breakdown_dataset


def division_chain(iri: str, step: Callable[[URIRef], DivisionStep]) -> list[Row]:
    """The division and its ancestors, province first (codes are longer the lower the level), each division's
    code and parents given by `step` (server/views/kinds.py: from its own triples, kept per snapshot)."""
    rows: list[Row] = []
    frontier, seen = [URIRef(check_iri(iri))], set()
    while frontier and len(seen) < MAX_DEPTH:
        node = frontier.pop()
        if node in seen:
            continue
        seen.add(node)
        code, parents = step(node)
        rows.append({"d": node, **({"code": code} if code is not None else {})})
        frontier += parents
    return sorted(rows, key=lambda row: (len(str(row.get("code", ""))), str(row.get("code", ""))))


# A division's code (skos:notation) and the divisions directly above it.
DivisionStep = tuple[Node | None, list[URIRef]]


def step_among(pairs: Iterable[tuple[Node, Node]]) -> DivisionStep:
    """A division's step from its own (predicate, object) pairs in the store's order (server/context.py
    `own_triples`): its first code and its parents, as a lookup of each property gives them."""
    pairs = tuple(pairs)
    code = next((o for p, o in pairs if p == SKOS.notation), None)
    return code, [o for p, o in pairs if p == LZ.parentDivision and isinstance(o, URIRef)]


MAX_DEPTH = 10  # province → prefecture → county → township; a cycle in bad data stops here


def division_children(store: Store, iri: str) -> list[Row]:
    """The divisions directly under this one, by code (a county's townships, a province's prefectures)."""
    rows = []
    for child in lk.subjects(store, LZ.parentDivision, URIRef(check_iri(iri))):
        code = lk.value(store, child, SKOS.notation)
        rows.append({"d": child, **({"code": code} if code is not None else {})})
    return sorted(rows, key=lambda row: str(row.get("code", "")))


def _breakdown(base: str, name: str) -> str:
    """One data set of the build's statistics (store/statistics.py `BREAKDOWNS`)."""
    return sparql_iri(f"{base}/id/statistics/{name}")


def division_departments(store: Store, base: str, iri: str) -> list[Row]:
    """Departments belonging to a county or prefecture, with how many duties they lead, receive or
    take part in (the build's statistics: the department page's own count), most first."""
    rows = []
    for department in lk.subjects(store, LZ.division, URIRef(check_iri(iri))):
        n = lk.observed_count(store, base, "department", dept=department)
        rows.append({"o": department, **({"n": Literal(n)} if n is not None else {})})
    return sorted(rows, key=lambda row: (-int_or_zero(row.get("n")), str(row["o"])))


@dataclass(frozen=True)
class ListSummary:
    """One of a township's lists with its counts per category (None = the list has no categories)."""

    iri: URIRef
    list_type: URIRef | None
    item_count: int
    declared: int | None
    categories: tuple[tuple[URIRef | None, int], ...]


def township_lists(store: Store, base: str, iri: str) -> list[ListSummary]:
    """A township's lists with their counts per category, from the lists' own triples and the
    build's township × list × category observations (store/statistics.py): lookups only."""
    summaries = []
    for duty_list in lk.subjects(store, LZ.ofTownship, URIRef(check_iri(iri))):
        if not store.triples(duty_list, RDF.type, LZ.DutyList, limit=1):
            continue
        categories = []
        for observation in lk.subjects(store, LZ.observedList, duty_list):
            categories.append((lk.value(store, observation, LZ.observedCategory),
                               int_or_zero(lk.value(store, observation, LZ.dutyCount))))
        declared = lk.value(store, duty_list, LZ.declaredCount)
        summaries.append(ListSummary(
            iri=duty_list,
            list_type=lk.value(store, duty_list, LZ.ofListType),
            item_count=int_or_zero(lk.value(store, duty_list, LZ.itemCount)) or sum(n for _c, n in categories),
            declared=int_or_zero(declared) if declared is not None else None,
            categories=tuple(sorted(categories, key=lambda c: str(c[0] or ""))),
        ))
    order = {"BasicList": 0, "CooperativeList": 1, "ReclaimedList": 2}
    return sorted(summaries, key=lambda s: (order.get(str(s.list_type).rsplit("#", 1)[-1], 9), str(s.iri)))


def duty_participations(store: Store, participations: Iterable[Node],
                         read: Mapping[Node, list] | None = None) -> list[Row]:
    """Each department's part in a cooperative or reclaimed duty (its `lz:participation`s, which the page has read
    with the duty's own triples), with its responsibility text: one lookup of each participation's own triples,
    or the triples `read` holds for it (its page read them for its labels: server/views/kinds.py).

    Their first department and first responsibility in the index's order, as a lookup of each property
    would give them (one index range, filtered): two lookups each cost a disk read each at 10,000 townships
    (issue 13)."""
    rows = []
    for participation in sorted(participations, key=str):
        row: Row = {"pa": participation}
        found = (read or {}).get(participation)
        for _s, p, o in found if found is not None else store.triples(participation, None, None, limit=lk.MANY):
            name = _PARTICIPATION_FIELDS.get(p)
            if name is not None and name not in row:
                row[name] = o
        rows.append(row)
    # In the department cell's order (lz:position; cold review 18: 市委组织部 市农业农村局 市财政局 showed sorted by
    # IRI); a participation without one (a graph loaded before it, or made by hand) after those with one.
    return sorted(rows, key=_place)


def _place(row: Row) -> tuple[int, int]:
    position = row.get("pos")
    value = position.toPython() if isinstance(position, Literal) else None
    return (0, value) if isinstance(value, int) else (1, 0)


_PARTICIPATION_FIELDS = {LZ.department: "dept", LZ.responsibility: "resp", LZ.position: "pos", ORG.role: "role"}


def department_where(iri: str) -> str:
    """Duties a department leads (cooperative), received (reclaimed) or takes part in.

    A sub-select of the department's own duties, joined to townships afterwards: the UNION joined
    directly to `?d lz:township ?town` grew quadratically (1.2 s on the bundled data, 227 CPU-s
    at ×25; issue 13).
    """
    node = sparql_iri(iri)
    return (f"{{ SELECT DISTINCT ?d WHERE {{ {{ ?d lz:upperDepartment {node} }} UNION "
            f"{{ ?pa lz:department {node} . ?d lz:participation ?pa }} }} }}")


def category_where(iri: str) -> str:
    return f"?d lz:category {sparql_iri(iri)} ."


def department_townships(store: Store, base: str, iri: str) -> list[Row]:
    """Duty counts per township of a department, by lookups of its own observations (a department
    belongs to one county: a few dozen), ordered by township as `per_township`'s."""
    dataset = breakdown_dataset(Iris(base), "department-township")
    rows = []
    for observation in lk.subjects(store, LZ.observedDepartment, URIRef(check_iri(iri))):
        if store.triples(observation, QB.dataSet, dataset, limit=1):
            town, n = lk.value(store, observation, LZ.observedTownship), lk.value(store, observation, LZ.dutyCount)
            if town is not None and n is not None:
                rows.append({"town": town, "n": n})
    return sorted(rows, key=lambda row: str(row["town"]))


def per_township(store: Store, base: str, breakdown: str, dimension: str, iri: str) -> list[Row]:
    """Duty counts per township of a category or department, read from the build's statistics."""
    return select(
        store,
        f"SELECT ?town ?n WHERE {{ ?obs {dimension} {sparql_iri(iri)} ; "
        f"qb:dataSet {sparql_iri(f'{base}/id/statistics/{breakdown}')} ; "
        f"lz:observedTownship ?town ; lz:dutyCount ?n }} ORDER BY ?town",
    )


@dataclass(frozen=True)
class DutyPage:
    """One page of the duties matching a pattern, with the counts of the townships on this page."""

    rows: list[Row]
    per_township: list[Row]
    paging: Paging


def duties_page(store: Store, where: str, counts: list[Row], *, page: int, page_size: int) -> DutyPage:
    """Duties grouped by township, ordered township, list, 序号: one page, read township by township.

    `counts` (township, n) come from the statistics, so the townships this page covers are known
    before any duty is read, and the query touches only their duties: a category page at 10,000
    townships reads what it shows, not the whole category (issue 13). Only this page's townships
    are kept for the page (their labels and table rows were O(townships) per request).
    """
    total = sum(int_or_zero(row["n"]) for row in counts)
    paging = Paging(page=max(1, page), page_size=page_size, total=total)
    towns, skip, seen = [], 0, 0
    for row in counts:
        n = int_or_zero(row["n"])
        if seen + n > paging.offset and seen < paging.offset + page_size:
            if not towns:
                skip = paging.offset - seen
            towns.append(row["town"])
        seen += n
    rows: list[Row] = []
    shown = [row for row in counts if row["town"] in set(towns)]
    if towns:
        values = " ".join(sparql_iri(str(town)) for town in towns)
        rows = select(
            store,
            f"""SELECT DISTINCT ?d ?town ?type ?seq ?title ?list WHERE {{
                VALUES ?town {{ {values} }}
                ?d lz:township ?town .
                {where}
                OPTIONAL {{ ?d lz:listType ?type }} OPTIONAL {{ ?d lz:sequence ?seq }}
                OPTIONAL {{ ?d dct:title ?title }} OPTIONAL {{ ?d lz:inList ?list }}
            }} ORDER BY ?town ?type ?seq ?d LIMIT {page_size} OFFSET {skip}""",
        )
    return DutyPage(rows=rows, per_township=shown, paging=paging)


def duty_links(store: Store, iri: str, duties: list[Node]) -> list[tuple[Node, Node, Node]]:
    """The triples that put `duties` in the listing of category or department `iri`: the duty's own link
    (`lz:category`, `lz:upperDepartment`), or its participation and that participation's `lz:department`.

    Index lookups with both ends bound: one SPARQL query with the duties in VALUES walked every link to
    the category first (198 ms → 1.3 s for a category's Turtle from ×1 to ×10 townships, tests/test_pages_scale.py).
    """
    subject = URIRef(iri)
    found = []
    for duty in duties:
        found += store.triples(duty, None, subject, limit=lk.MANY)
        for participation in lk.objects(store, duty, LZ.participation):
            links = store.triples(participation, None, subject, limit=lk.MANY)
            if links:
                found += [(duty, LZ.participation, participation), *links]
    return sorted(set(found), key=lambda t: (str(t[0]), str(t[1]), str(t[2])))


def counts(store: Store, base: str) -> dict[str, int]:
    """Headline numbers for the home page: the VoID partitions the build stored (store/statistics.py)."""
    dataset = sparql_iri(f"{base}/id/dataset")
    rows = select(
        store,
        f"SELECT ?key ?n WHERE {{ {{ {dataset} void:classPartition ?part . ?part void:class ?key ; void:entities ?n }} "
        f"UNION {{ {dataset} void:propertyPartition ?part . ?part void:property ?key ; void:distinctObjects ?n }} }}",
    )
    found = {row["key"]: int_or_zero(row["n"]) for row in rows}
    names = {**CLASS_PARTITIONS, **PROPERTY_PARTITIONS}
    return {name: found.get(term, 0) for name, term in names.items()}


def categories(store: Store, base: str) -> list[Row]:
    return select(
        store,
        f"SELECT ?c ?n WHERE {{ ?obs qb:dataSet {_breakdown(base, 'category')} ; lz:observedCategory ?c ; "
        f"lz:dutyCount ?n }} ORDER BY DESC(?n) ?c",
    )


def townships(store: Store) -> list[Row]:
    return select(
        store,
        "SELECT DISTINCT ?t ?code WHERE { ?l a lz:DutyList ; lz:ofTownship ?t . "
        "OPTIONAL { ?t skos:notation ?code } } ORDER BY ?code",
    )


def provinces(store: Store) -> list[Row]:
    """The top divisions (no parent) above the townships that have lists, with how many such townships each
    holds: one query, run once per snapshot (the home page caches it)."""
    return select(
        store,
        "SELECT ?p ?code (COUNT(DISTINCT ?t) AS ?n) WHERE { ?l a lz:DutyList ; lz:ofTownship ?t . "
        "?t lz:parentDivision+ ?p FILTER NOT EXISTS { ?p lz:parentDivision ?up } "
        "OPTIONAL { ?p skos:notation ?code } } GROUP BY ?p ?code ORDER BY ?code",
    )
