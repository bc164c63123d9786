"""The SPARQL behind each kind of page (division, list, duty, department, category, search, home).

Each function takes a store and an already checked IRI and returns plain rows or frozen
dataclasses; the views only render. Every IRI goes through `sparql_iri` and every user string
through `sparql_string` (issue 6: never splice raw text into a query).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from luzhi.ontology.namespaces import sparql_prologue
from luzhi.server.describe import Paging, sparql_iri
from luzhi.store.base import Store
from luzhi.store.statistics import CLASS_PARTITIONS, PROPERTY_PARTITIONS

_P = sparql_prologue()

Row = dict[str, Node]


def _select(store: Store, body: str) -> list[Row]:
    return store.select(_P + body)


def _int(node: Node | None) -> int:
    return int(node) if isinstance(node, Literal) else 0


def division_chain(store: Store, iri: str) -> list[Row]:
    """The division and its ancestors, province first (codes are longer the lower the level)."""
    rows = _select(
        store,
        f"SELECT DISTINCT ?d ?code WHERE {{ {sparql_iri(iri)} lz:parentDivision* ?d . "
        f"OPTIONAL {{ ?d skos:notation ?code }} }}",
    )
    return sorted(rows, key=lambda row: (len(str(row.get("code", ""))), str(row.get("code", ""))))


def division_children(store: Store, iri: str) -> list[Row]:
    rows = _select(
        store,
        f"SELECT DISTINCT ?d ?code WHERE {{ ?d lz:parentDivision {sparql_iri(iri)} . "
        f"OPTIONAL {{ ?d skos:notation ?code }} }} ORDER BY ?code",
    )
    return rows


def _breakdown(base: str, name: str) -> str:
    """One data set of the build's statistics (store/statistics.py `BREAKDOWNS`)."""
    return sparql_iri(f"{base}/id/statistics/{name}")


def division_departments(store: Store, base: str, iri: str) -> list[Row]:
    """Departments belonging to a county or prefecture, with how many duties they lead, receive or
    take part in (the build's statistics: the department page's own count)."""
    return _select(
        store,
        f"SELECT ?o ?n WHERE {{ ?o lz:division {sparql_iri(iri)} . OPTIONAL {{ ?obs lz:observedDepartment ?o ; "
        f"qb:dataSet {_breakdown(base, 'department')} ; lz:dutyCount ?n }} }} ORDER BY DESC(?n) ?o",
    )


@dataclass(frozen=True)
class ListSummary:
    """One of a township's lists with its counts per category (None = the list has no categories)."""

    iri: URIRef
    list_type: URIRef | None
    item_count: int
    declared: int | None
    categories: tuple[tuple[URIRef | None, int], ...]


def township_lists(store: Store, base: str, iri: str) -> list[ListSummary]:
    node = sparql_iri(iri)
    lists = _select(
        store,
        f"SELECT ?l ?type ?n ?declared WHERE {{ ?l a lz:DutyList ; lz:ofTownship {node} . "
        f"OPTIONAL {{ ?l lz:ofListType ?type }} OPTIONAL {{ ?l lz:itemCount ?n }} "
        f"OPTIONAL {{ ?l lz:declaredCount ?declared }} }}",
    )
    counts = _select(
        store,
        f"SELECT ?l ?cat ?n WHERE {{ ?obs lz:observedTownship {node} ; "
        f"qb:dataSet {_breakdown(base, 'township-list-category')} ; lz:observedList ?l ; lz:dutyCount ?n . "
        f"OPTIONAL {{ ?obs lz:observedCategory ?cat }} }}",
    )
    by_list: dict[Node, list[tuple[URIRef | None, int]]] = {}
    for row in counts:
        by_list.setdefault(row["l"], []).append((row.get("cat"), _int(row["n"])))
    order = {"BasicList": 0, "CooperativeList": 1, "ReclaimedList": 2}
    summaries = [
        ListSummary(
            iri=row["l"],
            list_type=row.get("type"),
            item_count=_int(row.get("n")) or sum(n for _c, n in by_list.get(row["l"], [])),
            declared=_int(row["declared"]) if "declared" in row else None,
            categories=tuple(by_list.get(row["l"], [])),
        )
        for row in lists
    ]
    return sorted(summaries, key=lambda s: (order.get(str(s.list_type).rsplit("#", 1)[-1], 9), str(s.iri)))


def list_rows(store: Store, iri: str) -> list[Row]:
    """Every duty of one list in 序号 order, with each cell of the source table."""
    return _select(
        store,
        f"""SELECT ?d ?seq ?title ?cat ?upper ?town ?way ?discontinued
            (GROUP_CONCAT(DISTINCT STR(?dept); SEPARATOR=" ") AS ?depts)
            (GROUP_CONCAT(DISTINCT STR(?mention); SEPARATOR="、") AS ?mentions)
        WHERE {{
            ?d lz:inList {sparql_iri(iri)} ; lz:sequence ?seq .
            OPTIONAL {{ ?d dct:title ?title }}
            OPTIONAL {{ ?d lz:category ?cat }}
            OPTIONAL {{ ?d lz:upperResponsibility ?upper }}
            OPTIONAL {{ ?d lz:townshipResponsibility ?town }}
            OPTIONAL {{ ?d lz:wayOfWorking ?way }}
            OPTIONAL {{ ?d lz:discontinued ?discontinued }}
            OPTIONAL {{ ?d lz:upperDepartment ?dept }}
            OPTIONAL {{ ?d lz:departmentMention ?mention }}
        }} GROUP BY ?d ?seq ?title ?cat ?upper ?town ?way ?discontinued ORDER BY ?seq""",
    )


def duty_participations(store: Store, iri: str) -> list[Row]:
    return _select(
        store,
        f"SELECT ?pa ?dept ?resp WHERE {{ {sparql_iri(iri)} lz:participation ?pa . "
        f"OPTIONAL {{ ?pa lz:department ?dept }} OPTIONAL {{ ?pa lz:responsibility ?resp }} }} ORDER BY ?pa",
    )


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


def per_township(store: Store, base: str, breakdown: str, dimension: str, iri: str) -> list[Row]:
    """Duty counts per township of a category or department, read from the build's statistics."""
    return _select(
        store,
        f"SELECT ?town ?n WHERE {{ ?obs {dimension} {sparql_iri(iri)} ; "
        f"qb:dataSet {sparql_iri(f'{base}/id/statistics/{breakdown}')} ; "
        f"lz:observedTownship ?town ; lz:dutyCount ?n }} ORDER BY ?town",
    )


@dataclass(frozen=True)
class DutyPage:
    """One page of the duties matching a pattern, with the per-township counts over all of them."""

    rows: list[Row]
    per_township: list[Row]
    paging: Paging


def duties_page(store: Store, where: str, counts: list[Row], *, page: int, page_size: int) -> DutyPage:
    """Duties grouped by township, ordered township, list, 序号: one page, read township by township.

    `counts` (township, n) come from the statistics, so the townships this page covers are known
    before any duty is read, and the query touches only their duties: a category page at 10,000
    townships reads what it shows, not the whole category (issue 13).
    """
    total = sum(_int(row["n"]) for row in counts)
    paging = Paging(page=max(1, page), page_size=page_size, total=total)
    towns, skip, seen = [], 0, 0
    for row in counts:
        n = _int(row["n"])
        if seen + n > paging.offset and seen < paging.offset + page_size:
            if not towns:
                skip = paging.offset - seen
            towns.append(row["town"])
        seen += n
    rows: list[Row] = []
    if towns:
        values = " ".join(sparql_iri(str(town)) for town in towns)
        rows = _select(
            store,
            f"""SELECT DISTINCT ?d ?town ?type ?seq ?title ?list WHERE {{
                VALUES ?town {{ {values} }}
                ?d lz:township ?town .
                {where}
                OPTIONAL {{ ?d lz:listType ?type }} OPTIONAL {{ ?d lz:sequence ?seq }}
                OPTIONAL {{ ?d dct:title ?title }} OPTIONAL {{ ?d lz:inList ?list }}
            }} ORDER BY ?town ?type ?seq ?d LIMIT {page_size} OFFSET {skip}""",
        )
    return DutyPage(rows=rows, per_township=counts, paging=paging)


def counts(store: Store, base: str) -> dict[str, int]:
    """Headline numbers for the home page: the VoID partitions the build stored (store/statistics.py)."""
    dataset = sparql_iri(f"{base}/id/dataset")
    rows = _select(
        store,
        f"SELECT ?key ?n WHERE {{ {{ {dataset} void:classPartition ?part . ?part void:class ?key ; void:entities ?n }} "
        f"UNION {{ {dataset} void:propertyPartition ?part . ?part void:property ?key ; void:distinctObjects ?n }} }}",
    )
    found = {row["key"]: _int(row["n"]) for row in rows}
    names = {**CLASS_PARTITIONS, **PROPERTY_PARTITIONS}
    return {name: found.get(term, 0) for name, term in names.items()}


def categories(store: Store, base: str) -> list[Row]:
    return _select(
        store,
        f"SELECT ?c ?n WHERE {{ ?obs qb:dataSet {_breakdown(base, 'category')} ; lz:observedCategory ?c ; "
        f"lz:dutyCount ?n }} ORDER BY DESC(?n) ?c",
    )


def townships(store: Store) -> list[Row]:
    return _select(
        store,
        "SELECT DISTINCT ?t ?code WHERE { ?l a lz:DutyList ; lz:ofTownship ?t . "
        "OPTIONAL { ?t skos:notation ?code } } ORDER BY ?code",
    )
