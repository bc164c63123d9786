"""A list's table (issue 14): its page of duties (`?page=N`, filtered by category and department), the page as
JSON, and the whole (filtered) table as CSV with BOM or .xlsx: `/doc/list/{code}/{list}.csv?category=…`. A
kind's table is in server/views/comparing.py; `table_download` answers `/doc/{rest}.{ext}` for both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache, partial

from flask import Response, request
from rdflib import URIRef

from luzhi.ontology.duty_texts import DUTY_TEXT_KEYS
from luzhi.server import list_queries as lq
from luzhi.server.context import get_config, get_store, held_stream, label_cache, per_snapshot_cached
from luzhi.server.describe import Paging, fetch_labels, label_text, resource_labels
from luzhi.server.i18n import lang
from luzhi.server.links import iri_for_path, link, local_path
from luzhi.server.sparql_rows import as_int, as_text
from luzhi.server.tables import Table, csv_chunks, csv_response, json_response, table_response
from luzhi.server.views.arguments import CATEGORY, DEPARTMENT, resource_arg
from luzhi.server.views.common import page_arg, paging_links, require_page
from luzhi.server.views.comparing import kind_table

FILTERS = ("category", "department")

# Each filter's kind of resource (server/views/arguments.py).
_FILTER_KINDS = {"category": CATEGORY, "department": DEPARTMENT}


def list_filters() -> dict[str, str]:
    """The list page's `category` and `department` parameters: a category or department the store knows, each
    given at most once, or a 400 naming the parameter and what it takes. A bare slug, `javascript:alert(1)` or
    a repeated `category=` answered 200 with no rows or with the first one (cold review); a category's slug
    names it alone (its IRI is `/id/category/{slug}`), so it is accepted, a department's is not (per county)."""
    chosen = {}
    for name in FILTERS:
        iri = resource_arg(name, _FILTER_KINDS[name])
        if iri is not None:
            chosen[name] = iri
    return chosen


LISTS_KEPT = 1024  # lists whose filter choices a process keeps per snapshot (a few dozen IRIs each)


@dataclass(frozen=True)
class ListPage:
    """One page of a list's duties, as its HTML page and its JSON show it (the same page of the same rows)."""

    rows: list[dict]
    paging: Paging  # of the filtered list
    choices: lq.ListChoices  # of the whole list


def list_page(iri: str, filters: dict[str, str]) -> ListPage:
    """This request's page (`?page=N`, `list_page_size` duties) of the list's duties in 序号 order, filtered; a
    404 saying how many pages there are past the last. Only the page's rows are read (a list of 66,000 synthetic
    items took 12–36 s shown whole, bench/list_page_bench.py); what the form offers and the list's count are
    read once per snapshot."""
    store = get_store()
    choices, paging = _paging(iri, filters)
    rows = lq.list_rows(store, iri, filters, limit=paging.page_size, offset=paging.offset) if paging.total else []
    return ListPage(rows, paging, choices)


def _paging(iri: str, filters: dict[str, str]) -> tuple[lq.ListChoices, Paging]:
    """The list's choices and this request's page of it: a 400 for a `page` that is no page number, a 404 past the
    last (`require_page`). The page, its JSON and the whole table's downloads all check `page` so: the downloads
    answered `?page=abc` and `?page=-1` with 200 and the whole list where the page and JSON said 400 (cold review).
    """
    choices = per_snapshot_cached("list choices", LISTS_KEPT, _list_choices)(iri)
    total = lq.list_count(get_store(), iri, filters) if filters else choices.total
    paging = Paging(page_arg(), get_config().list_page_size, total)
    require_page(paging, ("项", "items"))
    return choices, paging


def _list_choices(iri: str) -> lq.ListChoices:
    return lq.list_choices(get_store(), iri)


def list_labels(store, rows: list[dict], labels_of=None) -> dict:
    """The labels a list's rows show: their categories' and departments'."""
    nodes = {URIRef(x) for row in rows for x in str(row.get("depts", "")).split()}
    return fetch_labels(store, nodes | {row["cat"] for row in rows if "cat" in row}, labels_of)


# The extra columns' texts (ontology/duty_texts.py: subcategory … notes, a value a line) come last, after the duty's
# IRI, so the columns a download had before keep their places; every list has them, empty where its document had no
# such column, so lists of many townships stack into one sheet.
LIST_COLUMNS = ("sequence", "title", "category", "departments", "upper_responsibility", "township_responsibility",
                "way_of_working", "discontinued", "duty", *DUTY_TEXT_KEYS)


def departments_text(names: list[str], more: bool, mentions: str) -> str:
    """A duty's departments as its cell reads: the names, 等 when the cell closes their list with it
    (lz:moreDepartments), then the phrases naming no department (lz:departmentMention), with no 、 before one
    beginning with 等 (`县公安局等部门`). list.html writes the page's cell the same way."""
    text = "、".join(names) + ("等" if more else "")
    if mentions and text and not mentions.startswith("等"):
        text += "、"
    return text + mentions


def list_cells(row: dict, labels: dict, language: str) -> tuple:
    """One duty of a list as a row of its table (`LIST_COLUMNS`), named in `language`."""
    return (as_int(row.get("seq")), as_text(row.get("title")), label_text(labels, row.get("cat"), "", language),
            departments_text([label_text(labels, URIRef(x), x, language) for x in str(row.get("depts", "")).split()],
                             str(row.get("more", "")) == "true", str(row.get("mentions", ""))),
            as_text(row.get("upper")), as_text(row.get("town")), as_text(row.get("way")),
            as_text(row.get("discontinued")) or None, str(row["d"]), *(as_text(row.get(key)) for key in DUTY_TEXT_KEYS))


LIST_CHUNK = 5000  # duties a whole-list download reads per query (~1 s each for 66,000 items; 2,000: 0.6 s)


def all_list_cells(store, iri: str, filters: dict[str, str], language: str, labels_of=None) -> Iterator[tuple]:
    """Every row of a list's table (filtered): its duties in order by one query, then their cells `LIST_CHUNK`
    duties a query, each well under `page_timeout`. One query of every cell took a 66,000-item list 12–36 s (a
    503 past `page_timeout`) and held it whole in memory; pages of it by `OFFSET` sorted the list again for each
    (bench/list_page_bench.py)."""
    duties = lq.list_order(store, iri, filters)
    labels_of = labels_of or lru_cache(maxsize=None)(partial(resource_labels, store))  # a list names a few dozen
    for start in range(0, len(duties), LIST_CHUNK):
        rows = lq.duty_rows(store, duties[start : start + LIST_CHUNK])
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
    """A list's whole table (filtered) as CSV, streamed a chunk at a time, or as .xlsx. It is the whole table
    whatever `page` says, but a `page` is checked as the list's page checks it (`_paging`)."""
    _paging(iri, filters)
    name, language = _table_name(iri), lang()
    if ext == "csv":
        return csv_response(name, held_stream(
            lambda store: csv_chunks(Table(name, LIST_COLUMNS, all_list_cells(store, iri, filters, language)))))
    cells = all_list_cells(get_store(), iri, filters, language, label_cache())
    return table_response(Table(name, LIST_COLUMNS, cells), ext)


def has_table(rest: str) -> bool:
    """Whether `/id/rest` has a table (`/doc/{rest}.json`, `.csv`, `.xlsx`): a list or a duty kind."""
    parts = rest.split("/")
    return (parts[0] == "kind" and len(parts) == 2) or (parts[0] == "list" and len(parts) == 3)


def table_download(rest: str, iri: str, ext: str) -> Response:
    """`/doc/{rest}.{ext}` for a list (filtered as its page is) or a kind (`has_table`)."""
    if rest.startswith("kind/"):
        return table_response(kind_table(iri), ext)
    filters = list_filters()
    return list_json(iri, filters) if ext == "json" else list_download(iri, filters, ext)
