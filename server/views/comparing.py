"""The comparison parts of resource pages (issue 14), called from server/views/kinds.py:

- a duty kind's page (`/doc/kind/{slug}`): every township's wording, its list, its departments;
- "the same duty elsewhere" on a duty page;
- a township's chart of its lists by category, its departments, source document and named graph;
- a kind's table (`/doc/kind/{slug}.xlsx`); a list's are in server/views/list_tables.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from markupsafe import Markup
from rdflib import RDF, Literal, URIRef
from rdflib.term import Node

from luzhi.ontology.namespaces import LZ
from luzhi.server import kind_queries as kq
from luzhi.server import lookups as lk
from luzhi.server import page_queries as pq
from luzhi.server.charts import Bar, Series, stacked_bars
from luzhi.server.context import (
    get_config,
    get_opened,
    get_store,
    label_cache,
    per_snapshot,
    per_snapshot_cached,
)
from luzhi.server.describe import Paging, fetch_labels, label_text, pick_label
from luzhi.server.i18n import lang, t
from luzhi.server.links import here, href
from luzhi.server.sparql_rows import as_int, as_text
from luzhi.server.tables import Table
from luzhi.server.views.common import html_text
from luzhi.store.kind_samples import KindSamples, SampleMember

LIST_COLOURS = {"BasicList": "#2f6db3", "CooperativeList": "#e0a030", "ReclaimedList": "#b3261e"}
LIST_NAMES = {
    "BasicList": {"zh": "基本履职", "en": "Basic"},
    "CooperativeList": {"zh": "配合履职", "en": "Cooperative"},
    "ReclaimedList": {"zh": "上级收回", "en": "Reclaimed"},
}


def list_name(list_type: Node | None) -> str:
    key = str(list_type or "").rsplit("#", 1)[-1]
    return LIST_NAMES.get(key, {}).get(lang(), key)


def township_extras(iri: str, lists: list[pq.ListSummary], labels: dict) -> dict:
    """Chart, departments, source document and named-graph link for a township's page (none for a county)."""
    if not lists:
        return {}
    store = get_store()
    categories: dict[Node | None, list[int]] = {}
    for position, summary in enumerate(lists):
        for category, n in summary.categories:
            categories.setdefault(category, [0] * len(lists))[position] += n
    departments = kq.township_departments(store, get_config().base, iri)
    labels.update(fetch_labels(store, [r["o"] for r in departments], label_cache()))
    series = [Series(list_name(s.list_type), LIST_COLOURS.get(str(s.list_type).rsplit("#", 1)[-1], "#777"))
              for s in lists]
    bars = sorted(
        (Bar(label_text(labels, c, language=lang()), tuple(counts), href(c) if c is not None else None)
         for c, counts in categories.items()),
        key=lambda bar: (-bar.total, bar.label),
    )
    title = ("Duties by category and list" if lang() == "en" else "各类别事项数（按清单）")
    code = iri.rstrip("/").rsplit("/", 1)[-1]
    others = compare_choices(store, iri)
    labels.update(fetch_labels(store, [r["t"] for r in others], label_cache()))
    return {
        "chart": stacked_bars(title, series, bars, t("colon")),
        "township_departments": departments,
        "sources": kq.township_sources(store, URIRef(iri)),
        "graph_path": f"/graph/{code}",
        "code": code,
        "other_townships": others,
    }


MAX_COMPARE_CHOICES = 50


def compare_choices(store, iri: str) -> list[dict]:
    """Townships offered for comparison on a township's page, nearest first: its own county's, then the
    rest of its prefecture's, then of its province's, then the other provinces' (the bundled townships
    are in five), each in code order, at most `MAX_COMPARE_CHOICES`.

    Read by lookups down the division tree, bounded by the choices offered. The page used to fill the list
    from every township of the store (one query per process and snapshot: 1.6 s at 10,000 townships, a
    township page's p99 of 1.8–6.8 s, issue 13), which offered the lowest codes (Beijing's) to everyone.
    """
    here = URIRef(iri)
    choices: list[dict] = []
    seen = {here}
    ancestor: Node | None = here
    ancestors = []
    while (ancestor := lk.value(store, ancestor, LZ.parentDivision)) is not None:
        ancestors.append(ancestor)
    provinces = sorted(lk.subjects(store, RDF.type, LZ.Province), key=str)  # 34 at most
    for division in [*ancestors, *provinces]:
        for township in _townships_under(store, division, seen):
            choices.append(township)
            if len(choices) >= MAX_COMPARE_CHOICES:
                return choices
        seen.add(division)
    return choices


def _townships_under(store, division: Node, seen: set) -> Iterator[dict]:
    """The townships with lists under `division`, depth first in code order, skipping (and marking) `seen`."""
    children = per_snapshot_cached("division children", DIVISIONS_KEPT, _children)
    for node, code, has_lists in children(division):
        if node in seen:
            continue
        seen.add(node)
        if has_lists:
            yield {"t": node, "code": code}
        else:
            yield from _townships_under(store, node, seen)


DIVISIONS_KEPT = 4096  # divisions whose children a process keeps per snapshot: the same for all their townships


def _children(division: Node) -> tuple[tuple[Node, Node | None, bool], ...]:
    """(child, its code, whether it is a township with lists) for each division under `division`, by code."""
    store = get_store()
    return tuple((row["d"], row.get("code"), bool(store.triples(None, LZ.ofTownship, row["d"], limit=1)))
                 for row in pq.division_children(store, str(division)))


KIND_SAMPLES_KEPT = 4096  # kinds whose sample a process keeps per snapshot (~20 KB each)


def elsewhere(duty: URIRef, facts: Mapping[Node, list[Node]]) -> dict:
    """This duty's kind and some other townships' duties of that kind, for the duty page.

    `facts`: the duty's own properties and values, as its description read them (its kind, township and
    score: three lookups a page, issue 13; a duty has one kind and one score, etl/kinds_rdf.py).
    The kind's sample and its townships' labels are read once per kind and snapshot (from the build's
    sample file, or ~120 lookups): every duty of a kind shows the same townships but its own. The list's
    items are written here (`elsewhere_items`), not by a template loop.
    """
    kind = (facts.get(LZ.dutyKind) or [None])[0]
    if kind is None:
        return {"kind": None, "elsewhere": Markup(), "shown": 0}
    sample, labels = per_snapshot_cached("kind samples", KIND_SAMPLES_KEPT, _kind_sample)(kind)
    found = kq.same_duty_elsewhere(duty, set(facts.get(LZ.township, ())), (facts.get(LZ.matchScore) or [None])[0],
                                   sample)
    return {
        "kind": {"iri": found.kind, "label": found.label or "", "score": found.score, "total": found.total},
        "elsewhere": elsewhere_items(found.others, labels), "shown": len(found.others),
    }


def elsewhere_items(others: list[SampleMember], labels: Mapping[str, tuple[Literal, ...]]) -> Markup:
    """The `<li>` of each duty of "the same duty elsewhere": its township, list, linked title and score.

    In Python, as `fact_rows` (server/views/common.py): a template loop over ~20 members was ~0.3 ms of a
    duty page's ~0.9 ms of rendering (issue 13); the bytes are the loop's (tests/test_page_bytes.py)."""
    links, language = here(), lang()
    items = []
    list_names: dict[object, str] = {}  # three list types among ~20 members: each named once
    for m in others:
        found = pick_label(labels.get(m.township, ()), language)
        town = html_text(str(found)) if found is not None else "—"
        score = "" if m.score is None else f" <small>{html_text(m.score)}</small>"
        if m.list_type not in list_names:
            list_names[m.list_type] = html_text(list_name(m.list_type))
        items.append(f'<li>{town} · <span class="tag">{list_names[m.list_type]}</span> '
                     f'<a href="{html_text(links.href(m.duty))}" lang="zh">{html_text(m.title or "")}</a>{score}</li>')
    return Markup("".join(items))


def _kind_sample(kind: Node) -> tuple[kq.KindSample, dict[str, tuple[Literal, ...]]]:
    """The build's sample of the kind (store/kind_samples.py: one small read), or for a store built
    without one, the sample and its townships' labels read by lookups (21–60 ms cold at 10,000 townships)."""
    samples = per_snapshot("kind sample file", lambda: KindSamples.of(get_opened().state_dir))
    stored = samples.sample(str(kind)) if samples is not None else None
    if stored is not None:
        return kq.stored_kind_sample(stored)
    store = get_store()
    sample = kq.kind_sample(store, get_config().base, kind)
    towns = {URIRef(m.township) for m in sample.members}
    return sample, {str(town): found for town, found in fetch_labels(store, towns, label_cache()).items()}


def kind_context(iri: str, *, page: int | None = None, page_size: int = 0) -> dict:
    """The members of a kind (one page of them, or all when `page` is None), with readable township,
    list and department names; the kind's size is counted once per snapshot."""
    store = get_store()
    offset = (page - 1) * page_size if page is not None else 0
    rows = kq.kind_members(store, iri, limit=page_size if page is not None else None, offset=offset)
    departments = {URIRef(x) for r in rows for x in str(r.get("depts", "")).split()}
    labels = fetch_labels(store, list(departments) + [r["cat"] for r in rows if "cat" in r], label_cache())
    language = lang()
    members = [
        {**r, "list": list_name(r["type"]),
         "departments": [(URIRef(x), label_text(labels, URIRef(x), x, language))
                         for x in str(r.get("depts", "")).split()],
         "category": label_text(labels, r.get("cat"), "", language)}
        for r in rows
    ]
    duties, townships = per_snapshot(("kind-size", iri), lambda: kq.kind_size(store, iri))
    paging = Paging(page, page_size, duties) if page is not None else None
    return {"members": members, "townships": townships, "duties": duties, "paging": paging}


def kind_table(iri: str) -> Table:
    members = kind_context(iri)["members"]
    columns = ("township_code", "township", "list", "sequence", "title", "match_score", "category", "departments",
               "duty")
    rows = tuple(
        (as_text(m.get("code")), as_text(m.get("townName")), m["list"], as_int(m.get("seq")), as_text(m.get("title")),
         float(m["score"]) if m.get("score") is not None else None, m["category"],
         "、".join(name for _iri, name in m["departments"]), str(m["duty"]))
        for m in members
    )
    return Table("kind-" + iri.rstrip("/").rsplit("/", 1)[-1], columns, rows)

