"""HTML pages for each kind of resource: division, list, duty, department, category, anything else.

`render` picks the page from the IRI's path (the kinds of `ontology/iris.py`); each page gets
the generic description (for its facts table and incoming links) plus the rows its own
queries return. Template inputs are the dataclasses and rows named in each call.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import unquote

from flask import Response, g, request
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS
from rdflib.term import Node

from luzhi.ontology.duty_texts import DUTY_TEXTS
from luzhi.ontology.namespaces import LZ
from luzhi.ontology.places import describe_lines, describe_place
from luzhi.server import lookups as lk
from luzhi.server import page_queries as q
from luzhi.server.context import (
    get_config,
    get_opened,
    get_store,
    label_cache,
    own_triples,
    per_snapshot,
    per_snapshot_cached,
)
from luzhi.server.describe import Description, LabelLookup, fetch_labels, labels_among, pick_label
from luzhi.server.i18n import lang, t
from luzhi.server.links import FormatLink, local_path
from luzhi.server.source_lines import SourceLines
from luzhi.server.tables import table_links
from luzhi.server.views import comparing, list_tables
from luzhi.server.views.common import page_arg, paging_links, render_page, require_page
from luzhi.store.state import source_file

_LINES = re.compile(r"^line=(\d+),(\d+)$")

DUTIES = ("项履职事项", "duties")  # what a department's, a category's or a kind's pages page


def _page_for(rest: str):
    parts = rest.split("/")
    return {
        ("division", 2): division_page,
        ("duty", 4): duty_page,
        ("list", 3): list_page,
        ("org", 3): department_page,
        ("category", 2): category_page,
        ("kind", 2): kind_page,
    }.get((parts[0], len(parts)), generic_page)


def paged_links(rest: str) -> URIRef | None:
    """The predicate of the links the RDF of `/id/rest` pages, when not every incoming link: a list's
    items are its duties (`lz:inList`). Paging every link also counted the statistics' observations that
    name the list (`lz:observedList`): 94 duties were `hydra:totalItems 111` in 2 pages (cold review)."""
    return LZ.inList if _page_for(rest) is list_page else None


def shows_incoming(rest: str) -> bool:
    """Whether the HTML page of `/id/rest` lists incoming links (only the generic page does)."""
    return _page_for(rest) is generic_page


def page_size(rest: str) -> int:
    """Items per page of `/doc/rest`, its HTML and its RDF twin alike: a list's duties `list_page_size`
    (`?page=2` of a list's Turtle holds the duties its HTML page 2 shows), anything else's `page_size`."""
    config = get_config()
    return config.list_page_size if _page_for(rest) is list_page else config.page_size


def pages_as_rdf_twin(rest: str) -> bool:
    """Whether the HTML page of `/id/rest` shows all of it at once while its RDF twin pages its incoming links:
    a division's or a duty's. Its `?page=N` then exists exactly when the twin's does (a township's page
    answered 200 at `?page=99` while its Turtle said 404, cold review). A list checks its own (list_page)."""
    return _page_for(rest) in (division_page, duty_page)


def render(iri: str, rest: str, description: Description, alternates: list[FormatLink]) -> Response:
    """The HTML page for `iri` (`rest` is its path after `/id/`)."""
    return _page_for(rest)(iri, description, alternates)


def _labels_for(nodes) -> dict[URIRef, tuple[Literal, ...]]:
    return fetch_labels(get_store(), [n for n in nodes if isinstance(n, URIRef)], label_cache())


def _common(description: Description, alternates: list[FormatLink], **extra) -> dict:
    labels = dict(description.labels)
    title = _title(description.subject, labels)
    return {"d": description, "labels": labels, "title": title, "alternates": alternates, **extra}


def _title(subject: URIRef, labels) -> Literal:
    return pick_label(labels.get(subject, ()), lang()) or Literal(local_path(str(subject)) or str(subject))


def generic_page(iri: str, description: Description, alternates: list[FormatLink]) -> Response:
    return render_page("resource.html", **_common(description, alternates))


def division_page(iri: str, description: Description, alternates: list[FormatLink]) -> Response:
    store = get_store()
    chain = division_chain(iri)
    children = q.division_children(store, iri)
    base = get_config().base
    lists = q.township_lists(store, base, iri)
    departments = q.division_departments(store, base, iri)
    nodes = [r["d"] for r in chain + children] + [s.iri for s in lists] + [r["o"] for r in departments]
    nodes += [s.list_type for s in lists] + [c for s in lists for c, _n in s.categories]
    labels = _labels_for(nodes)
    context = _common(description, alternates, chain=chain, children=children, lists=lists, departments=departments)
    context["labels"].update(labels)
    context.update(comparing.township_extras(iri, lists, context["labels"]))
    return render_page("division.html", **context)


def list_page(iri: str, description: Description, alternates: list[FormatLink]) -> Response:
    """A list's table as in the source, a page of `list_page_size` duties in 序号 order (a whole real list on
    one), filtered by category and department; its JSON shows the same page (list_tables.py `list_json`)."""
    filters = list_tables.list_filters()
    shown = list_tables.list_page(iri, filters)
    rows, choices, paging = shown.rows, shown.choices, shown.paging
    kind = iri.rstrip("/").rsplit("/", 1)[-1]
    labels = _labels_for([*choices.departments, *choices.categories])  # the rows' among them
    township = next((o for p, o in description.outgoing if p == LZ.ofTownship), None)
    doc_path = "/doc/" + (local_path(iri) or "")[len("/id/"):]
    downloads = table_links(doc_path, keep=list_tables.FILTERS, paged=("json",))
    # The extra columns' texts (ontology/duty_texts.py) this list's document had: a column each, as in its table.
    texts = [text for text in DUTY_TEXTS if text.key in choices.texts]
    context = _common(description, alternates, rows=rows, kind=kind, has_categories=any("cat" in r for r in rows),
                      township=township, filters=filters, paging=paging, texts=texts,
                      # (IRI, chosen) pairs: rdflib's URIRef never equals a plain str, so the template cannot compare
                      categories=[(c, str(c) == filters.get("category")) for c in choices.categories],
                      departments=[(o, str(o) == filters.get("department")) for o in choices.departments],
                      total=choices.total, downloads=downloads)
    context["labels"].update(labels)
    context["labels"].update(_labels_for([township]) if township else {})
    return render_page("list.html", extra_links=paging_links(paging), **context)


def duty_page(iri: str, description: Description, alternates: list[FormatLink]) -> Response:
    """A duty: its facts, departments, kind and source; what it states itself (its participations, kind,
    township, score) comes from the outgoing triples its description read, not from a lookup each (issue 13),
    and its participations' own triples from its labels' lookups (`page_labels`)."""
    store = get_store()
    facts: dict[URIRef, list[Node]] = {}
    for p, o in description.outgoing:
        facts.setdefault(p, []).append(o)
    parts = g.pop(_PARTS, None)
    participations = q.duty_participations(store, facts.get(LZ.participation, ()), parts.read if parts else None)
    # The departments as their cell lists them: the participations' order (lz:position), the rest after.
    order = {row.get("dept"): place for place, row in enumerate(participations)}
    if LZ.upperDepartment in facts:
        facts[LZ.upperDepartment] = sorted(facts[LZ.upperDepartment], key=lambda o: (order.get(o, len(order)), str(o)))
    labels = _labels_for([r.get("dept") for r in participations] + [r["role"] for r in participations if "role" in r])
    sources = [_source_excerpt(str(o)) for o in facts.get(URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), [])]
    township = (facts.get(LZ.township) or [None])[0]
    chain = division_chain(str(township)) if township is not None else []
    labels.update(_labels_for([r["d"] for r in chain]))
    context = _common(description, alternates, props=facts, participations=participations, sources=sources,
                      chain=chain, LZ=LZ, DCT=DCTERMS, SKOS=SKOS, **comparing.elsewhere(description.subject, facts))
    context["labels"].update(labels)
    if DCTERMS.title not in facts:
        context["title"] = Literal(t("untitled_duty"))
    return render_page("duty.html", **context)


_PARTS = "luzhi_parts"  # a duty page's `_OwnParts`, from its description to its page, in flask.g


def page_labels(rest: str, iri: str, labels_of: LabelLookup) -> LabelLookup:
    """The label lookup `describe` is given for the HTML page of `/id/rest`: `labels_of`, but on a duty's page
    its parts (its participations, whose IRIs extend its own) are read whole, by one lookup each, and kept for
    the page, which shows their department and responsibility: it read three label lookups of each (their
    labels, never the same on two pages, also churned the label cache), then its triples (issue 13)."""
    if _page_for(rest) is not duty_page:
        return labels_of
    parts = _OwnParts(get_store(), iri, labels_of)
    setattr(g, _PARTS, parts)
    return parts


class _OwnParts:
    """Labels for a duty's description: its parts' from their own triples (kept in `read`), others' by
    `labels_of`."""

    def __init__(self, store, iri: str, labels_of: LabelLookup) -> None:
        self._store, self._prefix, self._labels_of = store, f"{iri}/", labels_of
        self.read: dict[Node, list] = {}

    def __call__(self, resource: URIRef) -> tuple:
        if not str(resource).startswith(self._prefix):
            return self._labels_of(resource)
        found = self.read[resource] = self._store.triples(resource, None, None, limit=lk.MANY)
        return labels_among(resource, [(p, o) for _s, p, o in found])


def kind_page(iri: str, description: Description, alternates: list[FormatLink]) -> Response:
    """A duty kind: every township's wording, its list and departments (issue 14)."""
    page_size = get_config().page_size
    context = _common(description, alternates, **comparing.kind_context(iri, page=page_arg(), page_size=page_size))
    require_page(context["paging"], DUTIES)
    doc_path = "/doc/" + (local_path(iri) or "")[len("/id/"):]
    return render_page("kind.html", downloads=table_links(doc_path), **context)


def _source_excerpt(iri: str) -> dict:
    """The source lines a duty came from, read from the served text so the page shows what `#line=` names;
    for a Word, Excel, PDF or HTML source, the place in that file."""
    document, _hash, fragment = iri.partition("#")
    path = local_path(document) or ""
    href = f"{request.script_root}{path}#{fragment}" if path else iri
    match = _LINES.match(fragment)
    text = ""
    first = last = 0
    if match and path.startswith("/source/"):
        first, last = int(match.group(1)) + 1, int(match.group(2))
        filename = unquote(path[len("/source/") :])  # Iris.source percent-encodes the file name
        path_on_disk = source_file(get_opened().state_dir, filename)
        if path_on_disk is not None:
            text = per_snapshot("source lines", lambda: SourceLines(SOURCES_KEPT)).quote(path_on_disk, first, last)
    # Word, Excel, PDF, HTML: no lines to quote, the place in the file in words (第 3 页 表 1 第 12 行).
    if first:
        place = describe_lines(first, last, lang())
    else:
        place = None if match else describe_place(fragment, lang())
    # The name as the publisher wrote it (乡镇清单.docx), not as its IRI encodes it; the link stays encoded.
    return {"iri": iri, "href": href, "file": unquote(path.rsplit("/", 1)[-1]), "text": text, "place": place}


CHAINS_KEPT = 4096  # divisions whose chain a process keeps per snapshot: every duty of a township shows its own
# Source texts whose line index a process keeps per snapshot (server/source_lines.py): 4 bytes a line, ~2.4 KB
# for a text of 400 lines (a synthetic township's, tracemalloc), so ~20 MB at most; a UTF-16 text keeps its lines.
SOURCES_KEPT = 8192


def division_chain(iri: str) -> list[dict]:
    """`page_queries.division_chain`, read once per division and snapshot: each duty page of a township showed
    it by 8 lookups (issue 13). Each division's own step (its code and parents) comes from its own triples,
    kept per snapshot (server/context.py `own_triples`), which its labels were read from: a township not
    seen yet costs one lookup, and its county, prefecture and province are known (10,000 townships share
    ~2,800 counties). The rows are shared between requests: read them, never change them."""
    return list(per_snapshot_cached("division chains", CHAINS_KEPT, _read_chain)(iri))


def _read_chain(iri: str) -> tuple[dict, ...]:
    return tuple(q.division_chain(iri, _own_step))


def _own_step(division: URIRef) -> q.DivisionStep:
    return q.step_among(own_triples(division))


def department_page(iri: str, description: Description, alternates: list[FormatLink]) -> Response:
    return _duties_page(iri, "org", description, alternates)


def category_page(iri: str, description: Description, alternates: list[FormatLink]) -> Response:
    return _duties_page(iri, "category", description, alternates)


def lists_duties(rest: str) -> bool:
    """Whether `/id/rest` is a department or a category: its pages, HTML and RDF, list its duties."""
    return _page_for(rest) in (department_page, category_page)


def _duties(iri: str, kind: str) -> q.DutyPage:
    """This request's page of a department's or a category's duties; 404 past the last page."""
    store, base = get_store(), get_config().base
    if kind == "org":
        # A department belongs to one county: its townships are few, read per request by lookups.
        where, counts = q.department_where(iri), q.department_townships(store, base, iri)
    else:
        # A category spans every township (10,000 rows at the target): its counts are read once per
        # snapshot (categories are a few dozen), so a request only finds its page's townships among them.
        where, counts = q.category_where(iri), per_snapshot(("category-townships", iri), lambda: q.per_township(
            store, base, "category-township", "lz:observedCategory", iri))
    duties = q.duties_page(store, where, counts, page=page_arg(), page_size=get_config().page_size)
    require_page(duties.paging, DUTIES)  # naming `page` and the last page (cold review 29: a bare 404)
    return duties


def duty_listing(iri: str, rest: str, description: Description) -> Description:
    """The RDF twin of a department's or a category's page: its facts and the same page of the same duties.

    The Turtle paged every incoming link instead (observations included: `hydra:totalItems 221`, 3 pages,
    while the HTML listed 187 duties in 2; cold review), so `?page=2` meant different things in each.
    """
    duties = _duties(iri, rest.split("/")[0])
    links = q.duty_links(get_store(), iri, [row["d"] for row in duties.rows])
    titles = [(row["d"], DCTERMS.title, row["title"]) for row in duties.rows if "title" in row]
    return replace(description, triples=(*description.triples, *links, *titles),
                   incoming=tuple((s, p) for s, p, o in links if o == description.subject), paging=duties.paging)


def _duties_page(iri: str, kind: str, description, alternates) -> Response:
    """A department's or a category's page: its facts, then its duties grouped by township, paged."""
    duties = _duties(iri, kind)
    nodes = [r["town"] for r in duties.per_township] + [r.get("type") for r in duties.rows]
    nodes += [o for _p, o in description.outgoing]
    labels = _labels_for(nodes)
    groups: list[tuple[Node, list]] = []
    for row in duties.rows:
        if not groups or groups[-1][0] != row["town"]:
            groups.append((row["town"], []))
        groups[-1][1].append(row)
    counts = {row["town"]: int(row["n"]) for row in duties.per_township}
    context = _common(description, alternates, duties=duties, groups=groups, counts=counts, RDF=RDF)
    context["labels"].update(labels)
    return render_page("duties_by_township.html", extra_links=paging_links(duties.paging), **context)
