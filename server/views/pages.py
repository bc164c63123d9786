"""Pages that are not one resource: home, search (page and JSON), the list of categories and townships, 404.

Search is a substring match (Chinese has no spaces between words, so 森林防火 must match inside
做好森林防火工作), answered by the build's SQLite FTS5 trigram index (store/search_index.py,
issue 13), never by scanning the store.
"""

from __future__ import annotations

import json

from flask import Response, abort, request
from rdflib import URIRef
from werkzeug.exceptions import HTTPException, NotFound, ServiceUnavailable

from luzhi.etl.to_rdf import LIST_TYPE
from luzhi.ontology.duty_texts import DUTY_TEXTS
from luzhi.ontology.types import ListKind
from luzhi.server import page_queries as q
from luzhi.server.conneg import choose, negotiate
from luzhi.server.context import get_config, get_opened, get_search, get_store, label_cache, per_snapshot
from luzhi.server.describe import Paging, fetch_labels, pick_label
from luzhi.server.i18n import lang
from luzhi.server.limits import RETRY_AFTER, retry_after_timeout
from luzhi.server.links import FormatLink, href, iri_for_path, link
from luzhi.server.offers import not_offered
from luzhi.server.views.arguments import CATEGORY, DIVISION, resource_arg, single_arg
from luzhi.server.views.common import (
    conditional,
    error_media_types,
    http_error,
    json_by_extension,
    json_error,
    page_arg,
    render_page,
    wants_json,
)
from luzhi.server.views.dataset import structured_data
from luzhi.store.search_index import KINDS, MAX_EXPANSION, MAX_WORDS, SearchUnavailable, split_words

MAX_QUERY_CHARS = 100


HOME_TOWNSHIPS = 100  # the home page names this many townships; a national store is browsed by province


def home():
    """Figures, provinces, townships and categories: read once per snapshot, rendered once per language.

    Every input is per snapshot (store/statistics.py's figures; the townships, by one query), so the
    whole page is cached: it grew with the store (3.8 s at 1.55 M quads counting on the fly, then
    385 ms labelling every township per request; issue 13).
    """
    store = get_store()
    base = get_config().base

    def context() -> dict:
        townships = q.townships(store)
        provinces = q.provinces(store)
        categories = q.categories(store, base)
        shown = townships[:HOME_TOWNSHIPS]
        named = [r["t"] for r in shown] + [r["c"] for r in categories] + [r["p"] for r in provinces]
        labels = fetch_labels(store, named, label_cache())
        return {"counts": q.counts(store, base), "townships": shown, "more_townships": len(townships) - len(shown),
                "provinces": provinces, "categories": categories, "labels": labels}

    return render_page("home.html", cache_key="home", title=None, structured_data=structured_data(),
                       **per_snapshot("home", context))


FACETS = {"township": "township", "list": "list_type", "category": "category"}  # parameter → index column
FIELD_NAMES = {"title": ("见于名称", "found in the title"), "responsibility": ("见于职责", "found in a responsibility"),
               "name": ("见于名称", "found in a name"),
               # the extra columns' texts (ontology/duty_texts.py): 见于法律依据, found in the legal basis …
               **{text.key: (f"见于{text.zh}", f"found in the {text.en.lower()}") for text in DUTY_TEXTS}}


LIST_TYPES = {str(LIST_TYPE[kind]): kind for kind in ListKind}


def _facet_args() -> dict[str, str]:
    """The facets a search is narrowed to, each given at most once and named as on the list pages: `township` a
    division (its IRI, its path /id/division/… or its code), `category` a category (IRI, path or slug), `list` a
    list type or one township's list (`_list_arg`); a 400 naming the parameter for anything else (a path was
    refused as no IRI, and `township=javascript:` searched a township of that IRI; cold review)."""
    chosen = {}
    for name, kind in (("township", DIVISION), ("category", CATEGORY)):
        iri = resource_arg(name, kind)
        if iri is not None:
            chosen[FACETS[name]] = iri
    value = (single_arg("list") or "").strip()
    if value:
        chosen.update(_list_arg(value))
    return chosen


def _list_arg(value: str) -> dict[str, str]:
    """`list=`: a list type (its IRI, `lz:BasicList` …, or its name: basic, cooperative, reclaimed), or one
    township's list (its IRI or its path /id/list/{code}/{kind}), which means that township and that type.
    Anything else is a 400 naming what `list=` takes (it answered 0 results; cold review)."""
    if value in {k.value for k in ListKind}:
        return {"list_type": str(LIST_TYPE[ListKind(value)])}
    if value in LIST_TYPES:
        return {"list_type": value}
    iri = value if "://" in value else iri_for_path(value if value.startswith("/") else "/" + value)
    iris = get_opened().iris
    if iris is not None:
        township, _sep, kind = iri.removeprefix(iris.id_space() + "list/").partition("/")
        if kind in {k.value for k in ListKind} and iri == str(iris.duty_list(township, ListKind(kind))):
            return {"township": str(iris.division(township)), "list_type": str(LIST_TYPE[ListKind(kind)])}
    kinds = ", ".join(k.value for k in ListKind)
    abort(400, description=f"参数 list 应是清单类型 {'、'.join(LIST_TYPES)}（或 {kinds}）或某乡镇的清单地址、路径 "
                           f"/id/list/… / parameter `list` takes a list type ({', '.join(LIST_TYPES)}, or {kinds}) or "
                           f"one township's list: its IRI or its path /id/list/…; got {value!r}")


def search(ext: str | None = None):
    """`/search?q=森林防火[&kind=…][&township=IRI][&list=IRI][&category=IRI][&page=N]`; JSON at `/search.json`
    (another extension is a 404 naming both, the search's parameters kept).

    Answered from the build's full-text index (store/search_index.py): titles, responsibility texts,
    names and the extra columns' texts (法律依据, 责任科室 …), each hit saying which of them matched; facet
    counts over the matches.
    """
    if ext is not None and ext != "json":
        raise not_offered(ext, [FormatLink("text/html", "HTML", link("/search")),
                                FormatLink("application/json", "JSON", link("/search.json"))])
    if not json_by_extension():
        negotiate(["text/html", "application/json"])  # /search.json is one representation
    text = (single_arg("q") or "").strip()
    kind = single_arg("kind") or None
    if kind is not None and kind not in KINDS:
        abort(400, description=f"参数 kind 只能是 {', '.join(KINDS)} / parameter `kind` must be one of "
                               f"{', '.join(KINDS)}, got {kind!r}")
    if len(text) > MAX_QUERY_CHARS:
        abort(400, description=f"参数 q 过长（最多 {MAX_QUERY_CHARS} 字）/ parameter `q` longer than {MAX_QUERY_CHARS}")
    if len(split_words(text)) > MAX_WORDS:
        abort(400, description=f"参数 q 最多 {MAX_WORDS} 个词 / parameter `q` takes at most {MAX_WORDS} words "
                               "separated by spaces")
    page = page_arg()
    facets = _facet_args()
    page_size = get_config().page_size
    result, paging = None, None
    if text:
        try:
            result = get_search().search(text, kind=kind, facets=facets, limit=page_size,
                                         offset=(page - 1) * page_size)
        except SearchUnavailable as error:
            raise ServiceUnavailable(description=str(error), retry_after=RETRY_AFTER) from None
        paging = Paging(page=page, page_size=page_size, total=result.total)
        if not result.hits and paging.page > paging.last:
            # A page past the last is a 404 as elsewhere (docs/linked-data.md); page 1 stays. It said "not
            # found" as if nothing matched (cold review): it says how many there are, and links the last page.
            return _past_last_page(text, kind, result, paging)
    elif page > 1:
        # No words: nothing is searched, and the one page is the form. Past it is a 404 as for a search that found
        # nothing (/search.json?q=&page=2 answered 200 as page 1, cold review).
        return _past_last_page(text, kind, None, Paging(page=page, page_size=page_size, total=0))
    hits = result.hits if result else ()
    facet_counts = result.facets if result else {}
    nodes = [URIRef(h.township) for h in hits if h.township]
    nodes += [URIRef(value) for counts in facet_counts.values() for value, _n in counts[:MAX_FACET_VALUES]]
    labels = fetch_labels(get_store(), nodes, label_cache())
    if wants_json():
        return _search_json(text, kind, result, paging, labels)
    response = render_page("search.html", q=text, kind=kind, hits=hits, paging=paging, labels=labels,
                           words=result.words if result else (), notes=_notes(result),
                           facets={name: counts[:MAX_FACET_VALUES] for name, counts in facet_counts.items()},
                           exact=result.total_is_exact if result else True, field_names=FIELD_NAMES,
                           title=text or None)
    response.vary.add("Accept")
    return response


MAX_FACET_VALUES = 20

# Why a word of the query was not searched as asked (store/search_index.py `WordNote`), zh and en.
NOTE_TEXT = {
    "absent": ("「{word}」不见于任何已索引的文本，因此没有同时含有所有词的结果",
               "“{word}” is in no indexed text, so nothing holds every word"),
    "partial": ("「{word}」只有一两个字且过于常见，只搜索了它最常见的 {n} 种接续",
                "“{word}” has one or two characters and is too common: only its {n} commonest continuations "
                "were searched"),
}


def _notes(result) -> list[dict]:
    """Each word the index could not search as asked, with what it means, in both languages."""
    notes = []
    for note in result.notes if result else ():
        zh, en = (text.format(word=note.word, n=MAX_EXPANSION) for text in NOTE_TEXT[note.reason])
        notes.append({"word": note.word, "reason": note.reason, "message": f"{zh} / {en}", "zh": zh, "en": en})
    return notes


def _label(labels, iri: str | None):
    if iri is None:
        return None
    label = pick_label(labels.get(URIRef(iri), ()), lang())
    return {"iri": iri, "label": str(label) if label else None}


def _excerpt(hit) -> str | None:
    fields = dict(hit.matched)
    return fields["responsibility"] if "title" not in fields and "responsibility" in fields else None


def _past_last_page(text: str, kind: str | None, result, paging: Paging) -> Response:
    """404 for `page` past the last page of a search that found `paging.total` matches: how many matches and
    pages there are, and where the last page is (the first, when nothing matched; `result` None: no words were
    given, nothing was searched). JSON keeps the one shape of
    every JSON error, `{"error": …}` (tests/test_json_not_found.py), the last page named in it and in a
    `Link: <…>; rel="last"` header."""
    as_json = wants_json()
    path = "/search.json" if as_json else "/search"
    last_url = link(path, page=paging.last if paging.last > 1 or as_json else None)
    total = f"{paging.total}{'' if result is None or result.total_is_exact else '+'}"
    where_zh, where_en = (f"{path} 的", f" of {path}") if as_json else ("", "")
    if not text:
        zh = f"{where_zh}第 {paging.page} 页超出了范围：没有给出检索词（q），只有第 1 页"
        en = f"page {paging.page}{where_en} is past the last: no search words (q) were given, so there is page 1 only"
    elif paging.total:
        zh = (f"{where_zh}第 {paging.page} 页超出了范围：「{text}」共 {total} 条结果，{paging.last} 页")
        en = (f"page {paging.page}{where_en} is past the last: “{text}” has {total} results on {paging.last} "
              f"page{'s' if paging.last > 1 else ''}")
    else:
        zh = f"{where_zh}第 {paging.page} 页超出了范围：「{text}」没有任何结果"
        en = f"page {paging.page}{where_en} is past the last: “{text}” has no results"
    if as_json:
        response = json_error(404, f"{zh}；最后一页：{last_url} / {en}; the last page is {last_url}")
    else:
        past = {"message": zh if lang() == "zh" else en, "last": paging.last, "url": last_url}
        response = render_page("search.html", status=404, q=text, kind=kind, hits=(), paging=None,
                               labels={}, words=result.words if result else (), notes=_notes(result), facets={},
                               exact=True,
                               field_names=FIELD_NAMES, title=text or None, past_last=past)
    response.headers.add("Link", f'<{last_url}>; rel="last"')
    response.vary.add("Accept")
    return response


def _search_json(text, kind, result, paging, labels) -> Response:
    columns = {column: name for name, column in FACETS.items()}
    body = {
        "q": text,
        "kind": kind,
        "page": paging.page if paging else 1,
        "page_size": get_config().page_size,
        "total": paging.total if paging else 0,
        "total_is_exact": result.total_is_exact if result else True,
        "words": list(result.words) if result else [],  # every one required (split at spaces)
        "word_notes": [{k: note[k] for k in ("word", "reason", "message")} for note in _notes(result)],
        "next": link("/search.json", page=paging.page + 1) if paging and paging.has_next else None,
        "facets": {
            columns[column]: [{**_label(labels, value), "count": n} for value, n in counts[:MAX_FACET_VALUES]]
            for column, counts in (result.facets.items() if result else ())
        },
        "results": [
            {
                "iri": hit.iri,
                "kind": hit.kind,
                "label": hit.label,
                "page": href(URIRef(hit.iri)),
                "township": _label(labels, hit.township),
                "matched": [{"field": field, "text": snippet} for field, snippet in hit.matched],
                # issue 11's fields, kept: where the text was found, and the responsibility text when not in the title
                "matched_in": [field for field, _snippet in hit.matched],
                "excerpt": _excerpt(hit),
            }
            for hit in (result.hits if result else ())
        ],
    }
    # Chinese stays readable in the JSON (RFC 8259 allows UTF-8 as is).
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
    response.vary.add("Accept")
    return conditional(response)


def too_slow(error: Exception):
    """A page whose query passed `page_timeout` (its process was killed) or found no free query process.

    503 with Retry-After (RFC 9110 §10.2.3): the page is not wrong, the server is busy; a worker
    is never held longer than the limit (issue 13).
    """
    limit = get_config().page_timeout
    text = (f"503 页面查询超时（{limit:g} 秒），请稍后再试 / Service Unavailable: this page's query ran past "
            f"page_timeout ({limit:g} s) and was stopped; try again later\n")
    response = Response(text, status=503, mimetype="text/plain")
    response.headers["Retry-After"] = str(retry_after_timeout(limit))
    return response


def worker_died(error: Exception):
    """A page whose query process died mid-query (a signal: out of memory, a crash in the engine).

    503 with Retry-After, saying so (the executor's words name the signal): the page is not wrong and a
    replacement process is already starting; a bare 500 told the reader nothing (tests/test_worker_death.py).
    """
    # The executor's words (zh / en, naming the signal) on their own line: spliced into this sentence, the
    # Chinese of one would stand in the middle of the English of the other.
    text = f"503 页面查询进程异常终止，请稍后再试 / Service Unavailable: this page's query process died; try again " \
           f"shortly\n{error}\n"
    response = Response(text, status=503, mimetype="text/plain")
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def not_found(error: HTTPException):
    """A real 404: an HTML page with a search box for people, plain text for programs, JSON for JSON routes.

    Every JSON 404 is `{"error": "…"}`, the shape of every other JSON error (docs/linked-data.md): a client
    asking by `Accept` got `{"error": "not found", "path": …}` and a `.json` route `{"error": "not found: …"}`
    in English only (cold review)."""
    if error.description != NotFound.description:
        return http_error(error)  # a 404 saying why (a page past the last: common.py `require_page`)
    wanted = choose(request.headers.get("Accept"), error_media_types(["text/html", "application/json", "text/plain"]))
    if json_by_extension() or wanted == "application/json":
        path = request.path
        return json_error(404, f"未找到 {path}：请检查地址，或用 /search 查找 / not found: {path}; check the address, "
                               "or look it up with /search")
    if wanted == "text/html":
        path = request.path
        return render_page("404.html", status=404, path=path, title=None)
    return Response(f"404 未找到 / Not Found: {request.path}\n", status=404, mimetype="text/plain")
