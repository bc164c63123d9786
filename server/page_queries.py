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
from luzhi.server.describe import Paging, sparql_iri, sparql_string
from luzhi.store.base import Store

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


def division_departments(store: Store, iri: str) -> list[Row]:
    """Departments belonging to a county or prefecture, with how many duties name each."""
    return _select(
        store,
        f"SELECT ?o (COUNT(DISTINCT ?duty) AS ?n) WHERE {{ ?o lz:division {sparql_iri(iri)} . "
        f"OPTIONAL {{ ?duty lz:upperDepartment ?o }} }} GROUP BY ?o ORDER BY DESC(?n) ?o",
    )


@dataclass(frozen=True)
class ListSummary:
    """One of a township's lists with its counts per category (None = the list has no categories)."""

    iri: URIRef
    list_type: URIRef | None
    item_count: int
    declared: int | None
    categories: tuple[tuple[URIRef | None, int], ...]


def township_lists(store: Store, iri: str) -> list[ListSummary]:
    node = sparql_iri(iri)
    lists = _select(
        store,
        f"SELECT ?l ?type ?n ?declared WHERE {{ ?l a lz:DutyList ; lz:ofTownship {node} . "
        f"OPTIONAL {{ ?l lz:ofListType ?type }} OPTIONAL {{ ?l lz:itemCount ?n }} "
        f"OPTIONAL {{ ?l lz:declaredCount ?declared }} }}",
    )
    counts = _select(
        store,
        f"SELECT ?l ?cat (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?l a lz:DutyList ; lz:ofTownship {node} . "
        f"?d lz:inList ?l . OPTIONAL {{ ?d lz:category ?cat }} }} GROUP BY ?l ?cat",
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
    """Duties a department leads (cooperative), received (reclaimed) or takes part in."""
    node = sparql_iri(iri)
    return f"{{ ?d lz:upperDepartment {node} }} UNION {{ ?d lz:participation/lz:department {node} }}"


def category_where(iri: str) -> str:
    return f"{{ ?d lz:category {sparql_iri(iri)} }}"


@dataclass(frozen=True)
class DutyPage:
    """One page of the duties matching a pattern, with the per-township counts over all of them."""

    rows: list[Row]
    per_township: list[Row]
    paging: Paging


def duties_page(store: Store, where: str, *, page: int, page_size: int) -> DutyPage:
    """Duties grouped by township: counts over all, then one page of rows ordered township, list, 序号."""
    per_township = _select(
        store,
        f"SELECT ?town (COUNT(DISTINCT ?d) AS ?n) WHERE {{ {where} ?d lz:township ?town }} "
        f"GROUP BY ?town ORDER BY ?town",
    )
    total = sum(_int(row["n"]) for row in per_township)
    paging = Paging(page=max(1, page), page_size=page_size, total=total)
    rows = _select(
        store,
        f"""SELECT DISTINCT ?d ?town ?type ?seq ?title ?list WHERE {{
            {where}
            ?d lz:township ?town .
            OPTIONAL {{ ?d lz:listType ?type }} OPTIONAL {{ ?d lz:sequence ?seq }}
            OPTIONAL {{ ?d dct:title ?title }} OPTIONAL {{ ?d lz:inList ?list }}
        }} ORDER BY ?town ?type ?seq ?d LIMIT {page_size} OFFSET {paging.offset}""",
    )
    return DutyPage(rows=rows, per_township=per_township, paging=paging)


SEARCH_KINDS = {"duty": "lz:Duty", "department": "cv:PublicOrganisation", "division": "lz:AdministrativeDivision"}
# Where a search text was found, in the order a result names them: a duty's title, then its
# responsibility texts (issue 11: words of 上级部门职责/配合职责 were not found); a name otherwise.
MATCH_FIELDS = ("title", "responsibility", "name")
_SEARCH_BRANCHES = {
    "duty": (
        '{ ?r a lz:Duty ; dct:title ?label . BIND(?label AS ?hay) BIND("title" AS ?field) BIND("duty" AS ?kind) }',
        '{ ?r a lz:Duty ; dct:title ?label ; '
        "lz:townshipResponsibility|lz:upperResponsibility|(lz:participation/lz:responsibility) ?hay . "
        'BIND("responsibility" AS ?field) BIND("duty" AS ?kind) }',
    ),
    "department": ('{ ?r a cv:PublicOrganisation ; skos:prefLabel|skos:altLabel ?label . BIND(?label AS ?hay) '
                   'BIND("name" AS ?field) BIND("department" AS ?kind) }',),
    "division": ('{ ?r a lz:AdministrativeDivision ; rdfs:label ?label . BIND(?label AS ?hay) '
                 'BIND("name" AS ?field) BIND("division" AS ?kind) }',),
}


@dataclass(frozen=True)
class SearchHit:
    """One search result: what it is, how to name it, and where the text was found.

    The full-text index planned for national scale (docs/linked-data.md) is to fill the same record.
    """

    iri: URIRef
    kind: str  # a key of SEARCH_KINDS
    label: Literal
    township: URIRef | None
    matched_in: tuple[str, ...]  # MATCH_FIELDS, in that order
    excerpt: Literal | None  # the responsibility text that matched, when the title did not


def search(store: Store, text: str, *, page: int, page_size: int,
           kind: str | None = None) -> tuple[list[SearchHit], Paging]:
    """Resources whose title, name or responsibility text contains `text` (a plain substring: Chinese has no
    word boundaries)."""
    needle = sparql_string(text)
    kinds = [kind] if kind in _SEARCH_BRANCHES else list(_SEARCH_BRANCHES)
    branches = [branch for name in kinds for branch in _SEARCH_BRANCHES[name]]
    pattern = " UNION ".join(branches) + f" FILTER(CONTAINS(STR(?hay), {needle}))"
    count = _select(store, f"SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ {pattern} }}")
    paging = Paging(page=max(1, page), page_size=page_size, total=_int(count[0]["n"]) if count else 0)
    rows = _select(
        store,
        f"""SELECT ?r ?kind (SAMPLE(?label) AS ?text) (SAMPLE(?town) AS ?township)
               (GROUP_CONCAT(DISTINCT ?field; SEPARATOR=" ") AS ?fields) (SAMPLE(?hay) AS ?found) WHERE {{
            {{ {pattern} }}
            OPTIONAL {{ ?r lz:township ?town }}
        }} GROUP BY ?r ?kind ORDER BY ?kind ?r LIMIT {page_size} OFFSET {paging.offset}""",
    )
    return [_hit(row) for row in rows], paging


def _hit(row: Row) -> SearchHit:
    fields = set(str(row.get("fields", "")).split())
    matched = tuple(field for field in MATCH_FIELDS if field in fields)
    found = row.get("found")
    return SearchHit(
        iri=row["r"],
        kind=str(row["kind"]),
        label=row["text"],
        township=row.get("township"),
        matched_in=matched,
        excerpt=found if "title" not in matched and "responsibility" in matched else None,
    )


def counts(store: Store) -> dict[str, int]:
    """Headline numbers for the home page."""
    queries = {
        "townships": "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?l a lz:DutyList ; lz:ofTownship ?t }",
        "lists": "SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l a lz:DutyList }",
        "duties": "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a lz:Duty }",
        "departments": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a cv:PublicOrganisation }",
        "categories": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?d a lz:Duty ; lz:category ?c }",
    }
    return {name: _int((_select(store, query) or [{}])[0].get("n")) for name, query in queries.items()}


def categories(store: Store) -> list[Row]:
    """Categories with their number of duties (`a lz:Duty`: a list section names its category too, and the
    home page once counted sections as duties, 自然资源 52 where the category page lists 47; issue 11)."""
    return _select(
        store,
        "SELECT ?c (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a lz:Duty ; lz:category ?c } GROUP BY ?c ORDER BY DESC(?n) ?c",
    )


def townships(store: Store) -> list[Row]:
    return _select(
        store,
        "SELECT DISTINCT ?t ?code WHERE { ?l a lz:DutyList ; lz:ofTownship ?t . "
        "OPTIONAL { ?t skos:notation ?code } } ORDER BY ?code",
    )
