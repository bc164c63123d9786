"""What the comparison parts of resource pages read (issue 14): a duty kind's members, the same duty
in other townships, a township's departments and source (lookups where bounded, issue 13).

Like server/page_queries.py (kept separate so each stays short): checked IRIs in, plain rows out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDFS, SKOS
from rdflib.term import Node

from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import LZ, QB, sparql_prologue
from luzhi.server import lookups as lk
from luzhi.server.describe import check_iri, sparql_iri
from luzhi.store.base import Store
from luzhi.store.kind_samples import SHOWN, KindSampleRow, SampleMember, enough_for_every_township
from luzhi.store.statistics import breakdown_dataset

Row = dict[str, Node]


def kind_members(store: Store, kind_iri: str, *, limit: int | None = None, offset: int = 0) -> list[Row]:
    """The duties of one kind, by township code, list, 序号: all of them (the table download), or one page.

    The order comes from one query (bounded by the kind, under `page_timeout`); each member's
    facts from lookups of its own triples. One query with GROUP_CONCAT over the departments' path
    and eight OPTIONALs took 89-259 ms for a 75-member kind at 100 townships (issue 13).
    """
    page = f"LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    ordered = store.select(
        sparql_prologue()
        + f"""SELECT ?duty ?town ?code ?type ?seq WHERE {{
            ?duty lz:dutyKind {sparql_iri(kind_iri)} ; lz:township ?town ; lz:listType ?type .
            OPTIONAL {{ ?town skos:notation ?code }} OPTIONAL {{ ?duty lz:sequence ?seq }}
        }} ORDER BY ?code ?type ?seq ?duty {page}"""
    )
    return [_member(store, row) for row in ordered]


def _member(store: Store, row: Row) -> Row:
    duty = row["duty"]
    member = dict(row)
    for name, subject, prop in (("townName", row["town"], RDFS.label), ("title", duty, DCTERMS.title),
                                ("score", duty, LZ.matchScore), ("cat", duty, LZ.category)):
        found = lk.value(store, subject, prop)
        if found is not None:
            member[name] = found
    departments = lk.objects(store, duty, LZ.upperDepartment)
    departments += [d for pa in lk.objects(store, duty, LZ.participation) for d in lk.objects(store, pa, LZ.department)]
    member["depts"] = " ".join(sorted({str(d) for d in departments}))
    return member


def kind_size(store: Store, kind_iri: str) -> tuple[int, int]:
    """(duties, townships) of one kind, counted in the store (bounded by the kind, under `page_timeout`)."""
    rows = store.select(
        sparql_prologue()
        + f"SELECT (COUNT(DISTINCT ?duty) AS ?n) (COUNT(DISTINCT ?town) AS ?towns) WHERE {{ "
        f"?duty lz:dutyKind {sparql_iri(kind_iri)} ; lz:township ?town ; lz:listType ?type }}"
    )
    row = rows[0] if rows else {}
    return lk.number(row.get("n")) or 0, lk.number(row.get("towns")) or 0


@dataclass(frozen=True)
class KindSample:
    """A duty kind's label, size and the members its duty pages show (`kind_sample`, `stored_kind_sample`) with
    their township, list, title and score: the same for every duty of the kind, so a server keeps it per kind
    (server/views/comparing.py). Text, not rdflib terms: the page only writes them out, and making a member's
    terms was most of a kind's first duty page's "same duty elsewhere" (~0.34 ms of ~20 members; issue 13)."""

    kind: str
    label: str | None
    total: int | None  # duties of the kind (the build's statistics), when known
    members: tuple[SampleMember, ...]  # in index order; `township_label` unused (see `kind_sample`)


@dataclass(frozen=True)
class Elsewhere:
    """A duty's kind and at most `MAX_ELSEWHERE` duties of that kind in other townships."""

    kind: str
    label: str | None
    score: Node | None
    others: list[SampleMember]  # ordered by township, list, duty
    total: int | None  # duties of the kind (the build's statistics), when known


MAX_ELSEWHERE = SHOWN  # a sample: each costs ~7 lookups when read from the store; the kind page has all


def kind_sample(store: Store, base: str, kind: Node) -> KindSample:
    """The members a duty page may show, read by lookups in index order, for a store whose build wrote no
    sample file (`stored_kind_sample`): a kind can hold a duty from every township (10,000 at the issue's
    target), so only as many as every township's pages need (store/kind_samples.py
    `enough_for_every_township`: the first `MAX_ELSEWHERE` outside any one township). Their townships'
    labels are the caller's to read (in every language, where the build's file keeps the Chinese one)."""
    members = []
    townships: Counter = Counter()
    for other in lk.subjects(store, LZ.dutyKind, kind, limit=MAX_ELSEWHERE * 4):
        if enough_for_every_township(townships, len(members)):
            break
        town = lk.value(store, other, LZ.township)
        if town is None:
            continue
        list_type, title, score = (lk.value(store, other, prop) for prop in (LZ.listType, DCTERMS.title, LZ.matchScore))
        members.append(SampleMember(str(other), str(town), None, _text(list_type), _text(title), _text(score)))
        townships[town] += 1
    return KindSample(str(kind), _text(lk.value(store, kind, SKOS.prefLabel)),
                      lk.observed_count(store, base, "kind", kind=kind), tuple(members))


def _text(term: Node | None) -> str | None:
    return None if term is None else str(term)


def stored_kind_sample(stored: KindSampleRow) -> tuple[KindSample, dict[str, tuple[Literal, ...]]]:
    """The build's sample of a kind (store/kind_samples.py) with its townships' labels: what `kind_sample` and
    the label lookups read from the store, from one small table range."""
    labels = {m.township: (_zh(m.township_label),) for m in stored.members if m.township_label is not None}
    return KindSample(stored.kind, stored.label, stored.total, stored.members), labels


# Township labels, one term each for every kind's sample that names the township (rdflib terms are
# immutable), bounded by `TERMS_KEPT`.
TERMS_KEPT = 16_384


@lru_cache(TERMS_KEPT)
def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def same_duty_elsewhere(duty: URIRef, townships: set[Node], score: Node | None, sample: KindSample) -> Elsewhere:
    """The other townships' duties of this duty's kind: the first `MAX_ELSEWHERE` of the kind's sample
    that are not in this duty's `townships`, sorted; the kind's own (paged) page has the rest. `score` is
    the duty's `lz:matchScore`: the page has read the duty's own triples already (issue 13)."""
    own, towns = str(duty), {str(town) for town in townships}
    others = [m for m in sample.members if m.duty != own and m.township not in towns][:MAX_ELSEWHERE]
    others.sort(key=lambda m: (m.township, m.list_type or "", m.duty))
    return Elsewhere(sample.kind, sample.label, score, others, sample.total)


def township_departments(store: Store, base: str, township_iri: str) -> list[Row]:
    """Departments a township's duties name (lead, receive or take part), most named first: the build's
    department × township observations (store/statistics.py), read by lookups, not counted."""
    town = URIRef(check_iri(township_iri))
    dataset = breakdown_dataset(Iris(base), "department-township")
    rows = []
    for observation in lk.subjects(store, LZ.observedTownship, town):
        if store.triples(observation, QB.dataSet, dataset, limit=1):
            department, n = lk.value(store, observation, LZ.observedDepartment), lk.value(store, observation,
                                                                                          LZ.dutyCount)
            if department is not None:
                rows.append({"o": department, "n": n})
    return sorted(rows, key=lambda r: (-(lk.number(r["n"]) or 0), str(r["o"])))


def township_sources(store: Store, township: URIRef) -> list[Row]:
    """The source document a township's duties were derived from (`prov:wasDerivedFrom <doc#line=…>`), by
    lookups of one duty's own triples."""
    duties = lk.subjects(store, LZ.township, township, limit=1)
    source = lk.value(store, duties[0], PROV.wasDerivedFrom) if duties else None
    if source is None:
        return []
    document = URIRef(str(source).partition("#")[0])
    title = lk.value(store, document, DCTERMS.title)
    return [{"doc": document, **({"title": title} if title is not None else {})}]
