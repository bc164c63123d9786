"""Townships side by side (`/compare`, issue 14): counts per category and list, duty kinds in common,
kinds only one township has, and the reform question.

The reform question: which duties does one township do itself (basic list) that another had
reclaimed by an upper-level department? Duties are worded differently in each township, so the
question is asked of duty kinds (`lz:dutyKind`, docs/kinds.md), not of titles.

`compare` runs two queries over the selected townships and computes the rest in Python from the
rows, so what the page shows is exactly what the queries returned (tests/test_compare.py checks the
reform answer against an independent SPARQL query). Kinds are matched by title (etl/kinds.py), so the
texts of the columns some townships add (法律依据, 责任科室 …, ontology/duty_texts.py) take no part in
the matching; a third query reads them for the reform rows' duties, which show them beside their titles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.term import Node

from luzhi.ontology.duty_texts import DUTY_TEXTS, DutyText
from luzhi.ontology.namespaces import LZ, sparql_prologue
from luzhi.ontology.types import ListKind
from luzhi.server.describe import sparql_iri, sparql_string
from luzhi.server.list_queries import duty_texts
from luzhi.store.base import Store

MIN_TOWNSHIPS, MAX_TOWNSHIPS = 2, 5
LIST_KINDS: tuple[ListKind, ...] = (ListKind.BASIC, ListKind.COOPERATIVE, ListKind.RECLAIMED)
_BY_TYPE: dict[str, ListKind] = {
    str(LZ.BasicList): ListKind.BASIC,
    str(LZ.CooperativeList): ListKind.COOPERATIVE,
    str(LZ.ReclaimedList): ListKind.RECLAIMED,
}


class CompareError(ValueError):
    """A request /compare cannot answer; the message names the parameter and the value."""


@dataclass(frozen=True)
class Township:
    code: str
    iri: URIRef
    label: str


@dataclass(frozen=True)
class CountRow:
    """How many duties each township has in one category of one list (None: no category)."""

    list_kind: ListKind
    category: URIRef | None
    category_label: str
    counts: tuple[int, ...]  # in the order of `Comparison.townships`


@dataclass(frozen=True)
class KindRow:
    """One duty kind and, per township, the lists its duties of that kind sit in (empty: none)."""

    kind: URIRef
    label: str
    lists: tuple[tuple[ListKind, ...], ...]  # in the order of `Comparison.townships`

    @property
    def holders(self) -> int:
        return sum(1 for lists in self.lists if lists)


@dataclass(frozen=True)
class ReformRow:
    """A kind `doer` does itself (basic list) that `reclaimer` had reclaimed."""

    kind: URIRef
    label: str
    doer: Township
    doer_duty: URIRef
    doer_title: str
    reclaimer: Township
    reclaimer_duty: URIRef
    reclaimer_title: str


@dataclass(frozen=True)
class Comparison:
    townships: tuple[Township, ...]
    counts: tuple[CountRow, ...]
    kinds: tuple[KindRow, ...]  # every kind at least one of the townships has, by label
    reform: tuple[ReformRow, ...]
    # A reform row's duty → its texts by DUTY_TEXTS key (values a line each); a duty without any is absent.
    duty_texts: Mapping[URIRef, Mapping[str, str]] = field(default_factory=dict)

    def texts_of(self, duty: URIRef) -> tuple[tuple[DutyText, str], ...]:
        """The duty's texts in DUTY_TEXTS order, each with its text (the page labels them)."""
        found = self.duty_texts.get(duty, {})
        return tuple((text, found[text.key]) for text in DUTY_TEXTS if text.key in found)

    @property
    def shared(self) -> tuple[KindRow, ...]:
        """Kinds every selected township has (in any list)."""
        return tuple(k for k in self.kinds if k.holders == len(self.townships))

    def only(self, index: int) -> tuple[KindRow, ...]:
        """Kinds only township `index` has among the selected ones."""
        return tuple(k for k in self.kinds if k.holders == 1 and k.lists[index])

    def totals(self) -> tuple[tuple[ListKind, tuple[int, ...]], ...]:
        """Per list, each township's number of duties."""
        return tuple(
            (kind, tuple(sum(r.counts[i] for r in self.counts if r.list_kind == kind)
                         for i in range(len(self.townships))))
            for kind in LIST_KINDS
        )


def given_codes(codes: list[str]) -> list[str]:
    """The `t` parameters as given, blank ones (a form's fields left empty) left out."""
    return [code.strip() for code in codes if code.strip()]


def parse_codes(codes: list[str]) -> tuple[str, ...]:
    """The `t` parameters: 2–5 distinct 9-digit township codes, in the order given (`given_codes`)."""
    codes = given_codes(codes)
    if not MIN_TOWNSHIPS <= len(codes) <= MAX_TOWNSHIPS:
        raise CompareError(f"参数 t 须给出 2–5 个 9 位乡镇代码（?t=CODE&t=CODE）/ parameter `t` takes 2 to 5 "
                           f"9-digit township codes, as ?t=CODE&t=CODE, got {len(codes)}")
    for code in codes:
        if not (len(code) == 9 and code.isdigit()):
            raise CompareError(f"参数 t 必须是 9 位乡镇代码 / parameter `t` must be a 9-digit township code, "
                               f"got {code!r}")
    if len(set(codes)) != len(codes):
        raise CompareError(f"参数 t 重复 / parameter `t` repeats a township (it takes 2 to 5 different "
                           f"codes): {', '.join(codes)}")
    return tuple(codes)


def compare(store: Store, base: str, codes: tuple[str, ...]) -> Comparison:
    """Compare the townships whose codes are `codes` (already checked by `parse_codes`)."""
    townships = _townships(store, base, codes)
    position = {t.iri: i for i, t in enumerate(townships)}
    values = " ".join(sparql_iri(str(t.iri)) for t in townships)
    counts = _counts(store, values, position)
    presence = store.select(
        sparql_prologue()
        + f"""SELECT DISTINCT ?kind ?label ?town ?type ?duty ?title WHERE {{
            VALUES ?town {{ {values} }}
            ?duty lz:township ?town ; lz:dutyKind ?kind ; lz:listType ?type .
            ?kind skos:prefLabel ?label .
            OPTIONAL {{ ?duty dct:title ?title }}
        }} ORDER BY ?label ?kind ?town ?type ?duty"""
    )
    kinds: dict[URIRef, tuple[str, list[set[ListKind]]]] = {}
    duties: dict[tuple[URIRef, int, ListKind], list[tuple[URIRef, str]]] = {}
    for row in presence:
        kind, index, list_kind = row["kind"], position[row["town"]], _BY_TYPE[str(row["type"])]
        _label, lists = kinds.setdefault(kind, (str(row["label"]), [set() for _ in townships]))
        lists[index].add(list_kind)
        duties.setdefault((kind, index, list_kind), []).append((row["duty"], str(row.get("title", ""))))
    kind_rows = tuple(
        KindRow(kind, label, tuple(tuple(k for k in LIST_KINDS if k in s) for s in lists))
        for kind, (label, lists) in kinds.items()
    )
    reform = tuple(
        ReformRow(k.kind, k.label, townships[a], doer_duty, doer_title, townships[b], rec_duty, rec_title)
        for k in kind_rows
        for a in range(len(townships))
        if ListKind.BASIC in k.lists[a]
        for b in range(len(townships))
        if b != a and ListKind.RECLAIMED in k.lists[b]
        for doer_duty, doer_title in duties[(k.kind, a, ListKind.BASIC)]
        for rec_duty, rec_title in duties[(k.kind, b, ListKind.RECLAIMED)]
    )
    texts = _duty_texts(store, {duty for r in reform for duty in (r.doer_duty, r.reclaimer_duty)})
    return Comparison(townships, counts, kind_rows, reform, texts)


def _duty_texts(store: Store, duties: set[URIRef]) -> dict[URIRef, dict[str, str]]:
    """Each duty's extra columns' texts (ontology/duty_texts.py), by key, values joined a line each."""
    if not duties:
        return {}
    return duty_texts(store, f"VALUES ?d {{ {' '.join(sparql_iri(str(d)) for d in sorted(duties))} }}")


def _townships(store: Store, base: str, codes: tuple[str, ...]) -> tuple[Township, ...]:
    notations = " ".join(sparql_string(code) for code in codes)
    rows = store.select(
        sparql_prologue()
        + f"""SELECT ?town ?code (SAMPLE(?name) AS ?label) WHERE {{
            VALUES ?code {{ {notations} }}
            ?town a lz:Township ; skos:notation ?code .
            FILTER(STRSTARTS(STR(?town), {sparql_string(base + "/")}))
            FILTER EXISTS {{ ?list a lz:DutyList ; lz:ofTownship ?town }}
            OPTIONAL {{ ?town rdfs:label ?name }}
        }} GROUP BY ?town ?code"""
    )
    found = {str(row["code"]): row for row in rows}
    missing = [code for code in codes if code not in found]
    if missing:
        raise CompareError(f"参数 t：没有这些乡镇的清单 / parameter `t`: no township with duty lists has the "
                           f"code(s): {', '.join(missing)}")
    return tuple(Township(code, found[code]["town"], str(found[code].get("label", code))) for code in codes)


def _counts(store: Store, values: str, position: dict[Node, int]) -> tuple[CountRow, ...]:
    rows = store.select(
        sparql_prologue()
        + f"""SELECT ?town ?type ?cat (SAMPLE(?name) AS ?label) (COUNT(DISTINCT ?duty) AS ?n) WHERE {{
            VALUES ?town {{ {values} }}
            ?duty a lz:Duty ; lz:township ?town ; lz:listType ?type .
            OPTIONAL {{ ?duty lz:category ?cat . OPTIONAL {{ ?cat skos:prefLabel ?name }} }}
        }} GROUP BY ?town ?type ?cat"""
    )
    table: dict[tuple[ListKind, Node | None], tuple[str, list[int]]] = {}
    for row in rows:
        key = (_BY_TYPE[str(row["type"])], row.get("cat"))
        _label, counts = table.setdefault(key, (str(row.get("label", "—")), [0] * len(position)))
        counts[position[row["town"]]] = int(row["n"]) if isinstance(row["n"], Literal) else 0
    order = {kind: i for i, kind in enumerate(LIST_KINDS)}
    return tuple(
        CountRow(list_kind, cat, label, tuple(counts))
        for (list_kind, cat), (label, counts) in sorted(
            table.items(), key=lambda item: (order[item[0][0]], -sum(item[1][1]), item[1][0])
        )
    )
