"""What a list's page and its downloads read (issue 14): a page of its duties with every cell of the source
table, the whole list's order for the downloads, and what its filters offer. Measured on a list of 66,000
synthetic items (bench/list_page_bench.py): each query here reads only the page's duties or one index range.
Every IRI goes through `sparql_iri` (issue 6).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from luzhi.ontology.duty_texts import DUTY_TEXTS, joined
from luzhi.server.describe import sparql_iri
from luzhi.server.sparql_rows import Row, int_or_zero, select
from luzhi.store.base import Store


def list_where(iri: str, filters: Mapping[str, str] | None = None) -> str:
    """A list's duties `?d` in the chosen `category` and naming the chosen `department` (its 对应上级部门 or
    承接部门: `lz:upperDepartment`): the filters of its page (server/views/list_tables.py `list_filters`)."""
    where = f"?d lz:inList {sparql_iri(iri)} ."
    if filters and "category" in filters:
        where += f" ?d lz:category {sparql_iri(filters['category'])} ."
    if filters and "department" in filters:
        where += f" ?d lz:upperDepartment {sparql_iri(filters['department'])} ."
    return where


def list_count(store: Store, iri: str, filters: Mapping[str, str] | None = None) -> int:
    """How many duties `list_rows` gives with these filters, on all its pages.

    Without joining their 序号 (every duty has exactly one: shapes/core.shapes.ttl): a list's own count is
    then one index range, 20 ms for 66,000 items where the join took 0.5 s (bench/list_page_bench.py)."""
    rows = select(store, f"SELECT (COUNT(?d) AS ?n) WHERE {{ {list_where(iri, filters)} }}")
    return int_or_zero(rows[0].get("n")) if rows else 0


def list_rows(store: Store, iri: str, filters: Mapping[str, str] | None = None, *, limit: int,
              offset: int = 0) -> list[Row]:
    """One page of a list's duties in `list_order` (the `limit` after the first `offset`), with each cell of the
    source table.

    The page is cut before the cells are read and joined: grouping every duty's departments took a list of
    66,000 synthetic items 20 s in process (past `page_timeout`, a 503) whatever was shown of it; a page of
    200 takes 0.7 s there, nearly all of it sorting by 序号 (bench/list_page_bench.py), and a few ms for a
    real list of ~150."""
    return _list_cells(store, f"{{ SELECT ?d ?seq WHERE {{ {list_where(iri, filters)} ?d lz:sequence ?seq }} "
                              f"ORDER BY ?seq ?d LIMIT {limit} OFFSET {offset} }}")


def duty_rows(store: Store, duties: Iterable[Node]) -> list[Row]:
    """`list_rows`' rows of these duties, in its order."""
    values = " ".join(sparql_iri(str(duty)) for duty in duties)
    return _list_cells(store, f"VALUES ?d {{ {values} }} ?d lz:sequence ?seq .")


def _list_cells(store: Store, duties: str) -> list[Row]:
    """Each cell of the source table for the duties (and their 序号 `?seq`) the pattern `duties` gives; a duty
    text (ontology/duty_texts.py) under its key, a plain literal with its values a line each, or absent."""
    rows = select(
        store,
        f"""SELECT ?d ?seq ?title ?cat ?upper ?town ?way ?discontinued ?more
            (GROUP_CONCAT(DISTINCT STR(?dept); SEPARATOR=" ") AS ?depts)
            (GROUP_CONCAT(DISTINCT STR(?mention); SEPARATOR="、") AS ?mentions)
        WHERE {{
            {duties}
            OPTIONAL {{ ?d dct:title ?title }}
            OPTIONAL {{ ?d lz:category ?cat }}
            OPTIONAL {{ ?d lz:upperResponsibility ?upper }}
            OPTIONAL {{ ?d lz:townshipResponsibility ?town }}
            OPTIONAL {{ ?d lz:wayOfWorking ?way }}
            OPTIONAL {{ ?d lz:discontinued ?discontinued }}
            OPTIONAL {{ ?d lz:upperDepartment ?dept }}
            OPTIONAL {{ ?d lz:departmentMention ?mention }}
            OPTIONAL {{ ?d lz:moreDepartments ?more }}
        }} GROUP BY ?d ?seq ?title ?cat ?upper ?town ?way ?discontinued ?more ORDER BY ?seq ?d""",
    )
    if not rows:
        return rows
    texts = duty_texts(store, f"VALUES ?d {{ {' '.join(sparql_iri(str(row['d'])) for row in rows)} }}")
    for row in rows:
        row.update((key, Literal(text)) for key, text in texts.get(row["d"], {}).items())
    return rows


def duty_texts(store: Store, duties: str) -> dict[Node, dict[str, str]]:
    """The extra columns' texts (ontology/duty_texts.py) of the duties `?d` that the pattern `duties` binds:
    duty → key → its values, a line each (`joined`); a duty without any is absent.

    A query of its own rather than five more OPTIONALs and GROUP_CONCATs in `list_rows`: those doubled its time
    over the bundled lists (every duty's other OPTIONALs multiplied by them, then grouped)."""
    keys = {text.predicate: text.key for text in DUTY_TEXTS}
    rows = select(store, f"SELECT ?d ?p ?o WHERE {{ {duties} VALUES ?p {{ {' '.join(p.n3() for p in keys)} }} "
                          "?d ?p ?o }")
    values: dict[Node, dict[str, list[Node]]] = {}
    for row in rows:
        values.setdefault(row["d"], {}).setdefault(keys[row["p"]], []).append(row["o"])
    return {duty: {key: joined(found) for key, found in texts.items()} for duty, texts in values.items()}


def list_order(store: Store, iri: str, filters: Mapping[str, str] | None = None) -> list[URIRef]:
    """Every duty of a list (filtered) in 序号 order, the duty's IRI breaking a tie: the order of `list_rows`.

    Read as one literal of `序号<TAB>IRI` lines and sorted here: 66,000 rows of one IRI each took 5.7 s to read,
    nearly all of it making their terms, the literal 1.4 s (bench/list_page_bench.py). An IRI holds no tab or
    line break; a 序号 that is not a number (a document loaded with `build --force`) sorts after the numbers."""
    rows = select(store, f'SELECT (GROUP_CONCAT(CONCAT(STR(?seq), "\\t", STR(?d)); SEPARATOR="\\n") AS ?pairs) '
                          f"WHERE {{ {list_where(iri, filters)} ?d lz:sequence ?seq }}")
    text = str(rows[0].get("pairs") or "") if rows else ""
    pairs = [line.rpartition("\t") for line in text.split("\n") if line]
    return [URIRef(duty) for _key, duty in sorted((_sequence_key(seq), duty) for seq, _tab, duty in pairs)]


def _sequence_key(text: str) -> tuple:
    """SPARQL's `ORDER BY ?seq` for integers; anything else after them."""
    return (0, int(text), "") if text.isascii() and text.isdigit() else (1, 0, text)


@dataclass(frozen=True)
class ListChoices:
    """What a list's page offers to filter by, over the whole list whatever its page shows: its categories in
    the order the list first reaches them, the departments its duties name (by IRI); its duties' count; and the
    keys of the extra columns' texts (ontology/duty_texts.py) its duties have, so every page shows the same
    columns."""

    categories: tuple[URIRef, ...]
    departments: tuple[URIRef, ...]
    total: int
    texts: frozenset[str]


def list_choices(store: Store, iri: str) -> ListChoices:
    """A list's `ListChoices`: 1.4 s and 0.8 s for 66,000 items, so the page keeps them per snapshot."""
    node = sparql_iri(iri)
    categories = select(store, f"SELECT ?cat (MIN(?seq) AS ?first) WHERE {{ ?d lz:inList {node} ; lz:sequence ?seq ; "
                                "lz:category ?cat } GROUP BY ?cat ORDER BY ?first ?cat")
    # Sorted here: the same query with ORDER BY ?o took 3 s rather than 0.8 s in pyoxigraph.
    departments = select(store, f"SELECT DISTINCT ?o WHERE {{ ?d lz:inList {node} ; lz:upperDepartment ?o }}")
    keys = {text.predicate: text.key for text in DUTY_TEXTS}
    texts = select(store, f"SELECT DISTINCT ?p WHERE {{ ?d lz:inList {node} . "
                           f"VALUES ?p {{ {' '.join(p.n3() for p in keys)} }} ?d ?p ?o }}")
    return ListChoices(categories=tuple(row["cat"] for row in categories if isinstance(row.get("cat"), URIRef)),
                       departments=tuple(sorted(row["o"] for row in departments if isinstance(row.get("o"), URIRef))),
                       total=list_count(store, iri), texts=frozenset(keys[row["p"]] for row in texts))
