"""Unfiltered searches count their facets from the memory-mapped facet array beside the index
(store/search_index.py, issue 13: 10–23 ms → 3–9 ms for 5,001 matches at 10,000 townships); the array's
counts equal the SQL path's (an index without the array), over HTTP and in process, past the 5,000 cap too."""

from __future__ import annotations

import shutil
from collections import Counter

import requests

from luzhi.store.search_index import (
    FACET_ARRAY_FILE,
    INDEX_FILE,
    MAX_COUNTED,
    SearchIndex,
    build_search_index,
    search_row,
)
from luzhi.store.snapshots import read_pointer

TERMS = ("森林防火", "防火", "安全生产检查", "应急管理局", "镇", "火", "no such words")


def _without_array(state, folder):
    """A copy of `state`'s index alone: searched by the SQL path."""
    folder.mkdir()
    shutil.copy(state / INDEX_FILE, folder / INDEX_FILE)
    return SearchIndex(folder)


def _assert_same(array_index: SearchIndex, sql_index: SearchIndex, text: str, **options) -> None:
    assert array_index.search(text, **options) == sql_index.search(text, **options), (text, options)


def test_the_array_counts_what_the_sql_path_counts(built_store, tmp_path):
    built = read_pointer(built_store.path).snapshot
    assert (built / FACET_ARRAY_FILE).is_file()  # the build writes it beside the index
    with_array, sql = SearchIndex(built), _without_array(built, tmp_path / "sql")
    assert with_array.search("防火").facets["township"]
    for text in TERMS:
        for offset in (0, 100):
            _assert_same(with_array, sql, text, offset=offset)
        town = (sql.search(text).facets.get("township") or (("http://example.org/none", 0),))[0][0]
        _assert_same(with_array, sql, text, kind="duty", facets={"township": town})  # filtered: the SQL path


def _rows(count: int):
    """`count` duties all holding 森林防火, their facets cycling (some without a category)."""
    return [search_row(f"http://example.org/duty/{i}", "duty", f"http://example.org/town/{i % 37}",
                       f"http://example.org/list/{i % 3}", f"http://example.org/category/{i % 5}" if i % 7 else None,
                       f"duty {i}", {"title": f"做好森林防火工作 {i}"}) for i in range(count)]


def test_past_the_count_cap_the_array_counts_the_first_matches(tmp_path):
    rows = _rows(MAX_COUNTED + 1_200)
    state = tmp_path / "state"
    state.mkdir()
    build_search_index(state, [rows[:3_000], rows[3_000:]])
    with_array, sql = SearchIndex(state), _without_array(state, tmp_path / "sql")
    result = with_array.search("森林防火")
    assert (result.total, result.total_is_exact) == (MAX_COUNTED, False)
    counted = rows[:MAX_COUNTED]  # index order is the rows' order
    assert dict(result.facets["township"]) == Counter(row[2] for row in counted)
    assert dict(result.facets["category"]) == Counter(row[4] for row in counted if row[4])
    assert result == sql.search("森林防火")
    _assert_same(with_array, sql, "森林防火", offset=MAX_COUNTED + 100)


def test_an_array_not_of_this_index_is_not_used(built_store, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    build_search_index(other, [_rows(50)])
    built = read_pointer(built_store.path).snapshot
    state = tmp_path / "state"
    state.mkdir()
    shutil.copy(built / INDEX_FILE, state / INDEX_FILE)
    shutil.copy(other / FACET_ARRAY_FILE, state / FACET_ARRAY_FILE)  # e.g. a killed build's leftover
    (tmp_path / "truncated").mkdir()
    shutil.copy(built / INDEX_FILE, tmp_path / "truncated" / INDEX_FILE)
    (tmp_path / "truncated" / FACET_ARRAY_FILE).write_bytes((built / FACET_ARRAY_FILE).read_bytes()[:100])
    sql = _without_array(built, tmp_path / "sql")
    for folder in (state, tmp_path / "truncated"):
        for text in TERMS:
            _assert_same(SearchIndex(folder), sql, text)


def test_the_search_page_shows_the_sql_paths_facet_counts(built_store, live_server, tmp_path):
    sql = _without_array(read_pointer(built_store.path).snapshot, tmp_path / "sql")
    names = {"township": "township", "list_type": "list", "category": "category"}
    for text in ("防火", "森林防火", "应急管理局"):
        body = requests.get(live_server.url + "/search.json", params={"q": text}, timeout=60).json()
        expected = sql.search(text)
        assert body["total"] == expected.total and body["results"], text
        for column, counts in expected.facets.items():
            shown = [(value["iri"], value["count"]) for value in body["facets"][names[column]]]
            assert shown == list(counts[: len(shown)]) and shown, (text, column)
