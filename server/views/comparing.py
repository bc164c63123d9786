"""The comparison parts of resource pages (issue 14), called from server/views/kinds.py:

- a duty kind's page (`/doc/kind/{slug}`): every township's wording, its list, its departments;
- "the same duty elsewhere" on a duty page;
- a township's chart of its lists by category, its departments, source document and named graph;
- the table downloads (JSON, CSV with BOM, .xlsx) of a list, filterable by category and department,
  and of a kind: `/doc/list/{code}/{list}.csv?category=…&department=…`, `/doc/kind/{slug}.xlsx`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache, partial

from flask import Response, abort, request
from markupsafe import Markup
from rdflib import RDF, Literal, URIRef
from rdflib.term import Node

from luzhi.ontology.duty_texts import DUTY_TEXT_KEYS
from luzhi.ontology.namespaces import LZ
from luzhi.server import kind_queries as kq
from luzhi.server import lookups as lk
from luzhi.server import page_queries as pq
from luzhi.server.charts import Bar, Series, stacked_bars
from luzhi.server.context import (
    get_config,
    get_opened,
    get_store,
    held_stream,
    label_cache,
    per_snapshot,
    per_snapshot_cached,
)
from luzhi.server.describe import InvalidIri, Paging, check_iri, exists, fetch_labels, pick_label, resource_labels
from luzhi.server.i18n import lang
from luzhi.server.links import here, href, iri_for_path, link, local_path
from luzhi.server.tables import Table, csv_chunks, csv_response, json_response, table_response
from luzhi.server.views.common import html_text, page_arg, paging_links, require_page
from luzhi.store.kind_samples import KindSamples, SampleMember

LIST_COLOURS = {"BasicList": "#2f6db3", "CooperativeList": "#e0a030", "ReclaimedList": "#b3261e"}
LIST_NAMES = {
    "BasicList": {"zh": "基本履职", "en": "Basic"},
    "CooperativeList": {"zh": "配合履职", "en": "Cooperative"},
    "ReclaimedList": {"zh": "上级收回", "en": "Reclaimed"},
}
FILTERS = ("category", "department")


def list_name(list_type: Node | None) -> str:
    key = str(list_type or "").rsplit("#", 1)[-1]
    return LIST_NAMES.get(key, {}).get(lang(), key)


def _label(labels, node, default: str = "—", language: str | None = None) -> str:
    found = pick_label(labels.get(node, ()), language or lang()) if node is not None else None
    return str(found) if found is not None else default


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
        (Bar(_label(labels, c), tuple(counts), href(c) if c is not None else None)
         for c, counts in categories.items()),
        key=lambda bar: (-bar.total, bar.label),
    )
    title = ("Duties by category and list" if lang() == "en" else "各类别事项数（按清单）")
    code = iri.rstrip("/").rsplit("/", 1)[-1]
    others = compare_choices(store, iri)
    labels.update(fetch_labels(store, [r["t"] for r in others], label_cache()))
    return {
        "chart": stacked_bars(title, series, bars),
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
    for m in others:
        found = pick_label(labels.get(m.township, ()), language)
        town = html_text(str(found)) if found is not None else "—"
        score = "" if m.score is None else f" <small>{html_text(m.score)}</small>"
        items.append(f'<li>{town} · <span class="tag">{html_text(list_name(m.list_type))}</span> '
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
    members = [
        {**r, "list": list_name(r["type"]),
         "departments": [(URIRef(x), _label(labels, URIRef(x), x)) for x in str(r.get("depts", "")).split()],
         "category": _label(labels, r.get("cat"), "")}
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
        (_str(m.get("code")), _str(m.get("townName")), m["list"], _int(m.get("seq")), _str(m.get("title")),
         float(m["score"]) if m.get("score") is not None else None, m["category"],
         "、".join(name for _iri, name in m["departments"]), str(m["duty"]))
        for m in members
    )
    return Table("kind-" + iri.rstrip("/").rsplit("/", 1)[-1], columns, rows)


# Each filter's kind of resource: its IRIs' path under /id/, and what the 400 says it takes (zh, en).
_FILTER_KINDS = {
    "category": ("category", "本数据集的类别地址、路径 /id/category/… 或其标识（如 ping-an-fa-zhi）",
                 "a category of this dataset: its IRI, its path /id/category/… or its slug (ping-an-fa-zhi)"),
    "department": ("org", "本数据集的部门地址或路径 /id/org/…",
                   "a department of this dataset: its IRI or its path /id/org/…"),
}
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def list_filters() -> dict[str, str]:
    """The list page's `category` and `department` parameters: a category or department the store knows, each
    given at most once, or a 400 naming the parameter and what it takes. A bare slug, `javascript:alert(1)` or
    a repeated `category=` answered 200 with no rows or with the first one (cold review); a category's slug
    names it alone (its IRI is `/id/category/{slug}`), so it is accepted, a department's is not (per county)."""
    chosen = {}
    for name in FILTERS:
        kind, takes_zh, takes_en = _FILTER_KINDS[name]
        values = [v.strip() for v in request.args.getlist(name) if v.strip()]
        if len(values) > 1:
            abort(400, description=f"参数 {name} 只能给一次 / parameter `{name}` may be given once, got {values!r}")
        if not values:
            continue
        value = values[0]
        if kind == "category" and _SLUG.fullmatch(value):
            value = f"/id/category/{value}"
        iri = value if "://" in value else iri_for_path(value if value.startswith("/") else "/" + value)
        try:
            check_iri(iri)
            known = (local_path(iri) or "").startswith(f"/id/{kind}/") and exists(get_store(), iri)
        except InvalidIri:
            known = False
        if not known:
            abort(400, description=f"参数 {name} 应为{takes_zh}，收到 {values[0]!r} / parameter `{name}` takes "
                                   f"{takes_en}; got {values[0]!r}")
        chosen[name] = iri
    return chosen


LISTS_KEPT = 1024  # lists whose filter choices a process keeps per snapshot (a few dozen IRIs each)


@dataclass(frozen=True)
class ListPage:
    """One page of a list's duties, as its HTML page and its JSON show it (the same page of the same rows)."""

    rows: list[dict]
    paging: Paging  # of the filtered list
    choices: pq.ListChoices  # of the whole list


def list_page(iri: str, filters: dict[str, str]) -> ListPage:
    """This request's page (`?page=N`, `list_page_size` duties) of the list's duties in 序号 order, filtered; a
    404 saying how many pages there are past the last. Only the page's rows are read (a list of 66,000 synthetic
    items took 12–36 s shown whole, bench/list_page_bench.py); what the form offers and the list's count are
    read once per snapshot."""
    store = get_store()
    choices = per_snapshot_cached("list choices", LISTS_KEPT, _list_choices)(iri)
    total = pq.list_count(store, iri, filters) if filters else choices.total
    paging = Paging(page_arg(), get_config().list_page_size, total)
    require_page(paging, ("项", "items"))
    rows = pq.list_rows(store, iri, filters, limit=paging.page_size, offset=paging.offset) if total else []
    return ListPage(rows, paging, choices)


def _list_choices(iri: str) -> pq.ListChoices:
    return pq.list_choices(get_store(), iri)


def list_labels(store, rows: list[dict], labels_of=None) -> dict:
    """The labels a list's rows show: their categories' and departments'."""
    nodes = {URIRef(x) for row in rows for x in str(row.get("depts", "")).split()}
    return fetch_labels(store, nodes | {row["cat"] for row in rows if "cat" in row}, labels_of)


# The extra columns' texts (ontology/duty_texts.py: subcategory … notes, a value a line) come last, after the duty's
# IRI, so the columns a download had before keep their places; every list has them, empty where its document had no
# such column, so lists of many townships stack into one sheet.
LIST_COLUMNS = ("sequence", "title", "category", "departments", "upper_responsibility", "township_responsibility",
                "way_of_working", "discontinued", "duty", *DUTY_TEXT_KEYS)


def list_cells(row: dict, labels: dict, language: str) -> tuple:
    """One duty of a list as a row of its table (`LIST_COLUMNS`), named in `language`."""
    return (_int(row.get("seq")), _str(row.get("title")), _label(labels, row.get("cat"), "", language),
            "、".join([_label(labels, URIRef(x), x, language) for x in str(row.get("depts", "")).split()]
                     + ([str(row["mentions"])] if row.get("mentions") else [])),
            _str(row.get("upper")), _str(row.get("town")), _str(row.get("way")),
            _str(row.get("discontinued")) or None, str(row["d"]), *(_str(row.get(key)) for key in DUTY_TEXT_KEYS))


LIST_CHUNK = 5000  # duties a whole-list download reads per query (~1 s each for 66,000 items; 2,000: 0.6 s)


def all_list_cells(store, iri: str, filters: dict[str, str], language: str, labels_of=None) -> Iterator[tuple]:
    """Every row of a list's table (filtered): its duties in order by one query, then their cells `LIST_CHUNK`
    duties a query, each well under `page_timeout`. One query of every cell took a 66,000-item list 12–36 s (a
    503 past `page_timeout`) and held it whole in memory; pages of it by `OFFSET` sorted the list again for each
    (bench/list_page_bench.py)."""
    duties = pq.list_order(store, iri, filters)
    labels_of = labels_of or lru_cache(maxsize=None)(partial(resource_labels, store))  # a list names a few dozen
    for start in range(0, len(duties), LIST_CHUNK):
        rows = pq.duty_rows(store, duties[start : start + LIST_CHUNK])
        labels = list_labels(store, rows, labels_of)
        yield from (list_cells(row, labels, language) for row in rows)


def _table_name(iri: str) -> str:
    path = (local_path(iri) or iri).strip("/").split("/")
    return "-".join(path[-2:]) if len(path) >= 2 else "list"


def list_json(iri: str, filters: dict[str, str]) -> Response:
    """`/doc/list/….json`: the page of the list its HTML page shows (`?page=N`, the same filters), with where the
    next and previous pages are (`next` a path, as /search.json's; `next_url` absolute, as Datasette's) and the
    whole (filtered) table's CSV and .xlsx."""
    shown = list_page(iri, filters)
    labels = list_labels(get_store(), shown.rows, label_cache())
    paging, language = shown.paging, lang()

    def page(number: int | None) -> tuple[str | None, str | None]:
        """The page's address on this server, and in full under the site's base (as the RDF's `hydra:next`; the
        request's host is the proxy's view, not the reader's)."""
        if number is None:
            return None, None
        path = link(request.path, page=number)
        return path, iri_for_path(path[len(request.script_root):])

    next_path, next_url = page(paging.page + 1 if paging.has_next else None)
    previous_path, previous_url = page(paging.page - 1 if paging.has_previous else None)
    whole = request.path.removesuffix(".json")
    body = {
        "list": iri,
        "filters": filters,
        "page": paging.page,
        "page_size": paging.page_size,
        "pages": paging.last,
        "total": paging.total,  # the duties these filters keep, on every page
        "list_total": shown.choices.total,  # the list's duties
        "next": next_path,
        "next_url": next_url,
        "previous": previous_path,
        "previous_url": previous_url,
        "csv": link(f"{whole}.csv", keep=FILTERS),
        "xlsx": link(f"{whole}.xlsx", keep=FILTERS),
        "columns": list(LIST_COLUMNS),
        "rows": [dict(zip(LIST_COLUMNS, list_cells(row, labels, language), strict=True)) for row in shown.rows],
    }
    response = json_response(body)
    if links := paging_links(paging):
        response.headers["Link"] = ", ".join(links)
    return response


def list_download(iri: str, filters: dict[str, str], ext: str) -> Response:
    """A list's whole table (filtered) as CSV, streamed a chunk at a time, or as .xlsx."""
    name, language = _table_name(iri), lang()
    if ext == "csv":
        return csv_response(name, held_stream(
            lambda store: csv_chunks(Table(name, LIST_COLUMNS, all_list_cells(store, iri, filters, language)))))
    cells = all_list_cells(get_store(), iri, filters, language, label_cache())
    return table_response(Table(name, LIST_COLUMNS, cells), ext)


def table_download(rest: str, iri: str, ext: str) -> Response:
    """`/doc/{rest}.{ext}` for a list (filtered as its page is) or a kind; other resources have no table."""
    parts = rest.split("/")
    if parts[0] == "kind" and len(parts) == 2:
        return table_response(kind_table(iri), ext)
    if parts[0] == "list" and len(parts) == 3:
        filters = list_filters()
        return list_json(iri, filters) if ext == "json" else list_download(iri, filters, ext)
    abort(404)


def _str(node: Node | None) -> str | None:
    return str(node) if node is not None else None


def _int(node: Node | None) -> int | None:
    return int(node) if isinstance(node, Literal) else None

