"""Two townships' documents published under one file name (附件1.txt): both load, each served at its own IRI.

Cold review 21: the source IRI was `/source/{file}` and sources/ kept one file per name, so a batch refused
the second township (`file-name-twice`) and a later build with `--replace` deleted the first (its name was
"taken"). Each copy and IRI is now under its township's code (`/source/{code}/{file}`). A store built before
keeps its documents' copies and IRIs under their bare names: still served, carried by later builds, and
moved under the code when its township is built again. Real builds through `luzhi build`, real app over HTTP.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import requests
from build_helpers import assert_state_matches_triples, nquads
from sparql_server import serve
from test_build_townships import BASE, LZ, PROV, cli, select

from luzhi.etl.build import bundled_documents
from luzhi.server.config import Config
from luzhi.store.snapshots import TRIPLES, state_dir_of
from luzhi.store.state import read_build_info, source_keys

NAME = "附件1.txt"
XIAOJINGZHUANG, GUANJIAPU = "140226207", "140226200"  # 小京庄乡, 管家堡乡 of 左云县
SAMPLE = next(p for p in bundled_documents() if p.name.startswith("003_"))  # 小京庄乡's, each list titled


def _as_guanjiapu(text: str, mark: str = "（乙）") -> str:
    """小京庄乡's document retitled for its neighbour 管家堡乡, its first basic duty's title marked: a page that
    quoted the other township's file would show it unmarked."""
    first = next(line for line in text.split("\n") if line.startswith("1\t"))
    return text.replace("小京庄乡", "管家堡乡").replace(first, first + mark, 1)


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("same-name")
    paths = {XIAOJINGZHUANG: folder / "a" / NAME, GUANJIAPU: folder / "b" / NAME}
    for path in paths.values():
        path.parent.mkdir()
    shutil.copyfile(SAMPLE, paths[XIAOJINGZHUANG])
    paths[GUANJIAPU].write_text(_as_guanjiapu(SAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def store(documents, tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("store") / "store"
    result = cli("build", *documents.values(), "--store", store, "--base", BASE)
    assert result.returncode == 0, result.stderr  # validated, neither refused (it was: file-name-twice)
    return store


def test_same_named_files_of_two_townships_load_in_one_batch(store):
    info = read_build_info(state_dir_of(store))
    assert sorted((d["file"], d["township_code"], d["source"]) for d in info["documents"]) == [
        (NAME, GUANJIAPU, f"{GUANJIAPU}/{NAME}"), (NAME, XIAOJINGZHUANG, f"{XIAOJINGZHUANG}/{NAME}")]
    assert source_keys(state_dir_of(store)) == [f"{GUANJIAPU}/{NAME}", f"{XIAOJINGZHUANG}/{NAME}"]
    assert_state_matches_triples(store)


def test_each_is_served_at_its_own_source_iri_and_quoted_from_its_own_file(store, documents):
    with serve(Config(store_path=store, base=BASE, query_processes=1, page_query_processes=1)) as site:
        sources = [row["s"] for row in select(site, f"SELECT ?s WHERE {{ ?s a <{LZ}SourceDocument> }} ORDER BY ?s")]
        assert sources == [f"{BASE}/source/{code}/{quote(NAME)}" for code in (GUANJIAPU, XIAOJINGZHUANG)]
        for code, path in documents.items():
            served = requests.get(site.base + f"/source/{code}/{quote(NAME)}", timeout=60)
            assert served.status_code == 200 and served.content == path.read_bytes()
            duty = f"<{BASE}/id/duty/{code}/basic/1>"
            (row,) = select(site, f"SELECT ?src WHERE {{ {duty} <{PROV}wasDerivedFrom> ?src }}")
            assert row["src"].startswith(f"{BASE}/source/{code}/{quote(NAME)}#line=")
            page = requests.get(f"{site.base}/doc/duty/{code}/basic/1", timeout=60)
            excerpt = re.search(r'<pre class="excerpt" lang="zh">(.*?)</pre>', page.text, re.S)
            assert page.status_code == 200 and excerpt and ("（乙）" in excerpt.group(1)) == (code == GUANJIAPU)


def test_replace_never_displaces_another_township_of_a_shared_name(store, documents, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    graph = f"<{BASE}/graph/{XIAOJINGZHUANG}>"
    before = [quad for quad in nquads(copy).decode().splitlines() if quad.endswith(f"{graph} .")]
    changed = tmp_path / "b2" / NAME
    changed.parent.mkdir()
    changed.write_text(_as_guanjiapu(SAMPLE.read_text(encoding="utf-8"), "（丙）"), encoding="utf-8")
    result = cli("build", changed, "--store", copy, "--replace", "--jobs", 1)
    assert result.returncode == 0, result.stderr
    after = nquads(copy).decode()
    assert [quad for quad in after.splitlines() if quad.endswith(f"{graph} .")] == before
    assert "（丙）" in after and "（乙）" not in after
    assert sorted(d["township_code"] for d in read_build_info(state_dir_of(copy))["documents"]) == [
        GUANJIAPU, XIAOJINGZHUANG]
    assert (state_dir_of(copy) / "sources" / XIAOJINGZHUANG / NAME).read_bytes() == documents[
        XIAOJINGZHUANG].read_bytes()
    assert_state_matches_triples(copy)


def _as_built_before_per_township_sources(store: Path, code: str) -> None:
    """Turn `code`'s document into what a luzhi before cold review 21 built: its copy at sources/{file}, its entry
    without `source` and `lists`, its IRIs `/source/{file}`."""
    state = state_dir_of(store)
    (state / "sources" / code / NAME).rename(state / "sources" / NAME)
    (state / "sources" / code).rmdir()
    info = read_build_info(state)
    for entry in info["documents"]:
        if entry["township_code"] == code:
            del entry["source"], entry["lists"]
    (state / "build.json").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    triples = ox.Store(str(state / TRIPLES))
    new, old = f"/source/{code}/", "/source/"
    triples.update(f"""
        DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} INSERT {{ GRAPH ?g {{ ?s2 ?p ?o2 }} }} WHERE {{
          GRAPH ?g {{ ?s ?p ?o }}
          FILTER(CONTAINS(STR(?s), "{new}") || (isIRI(?o) && CONTAINS(STR(?o), "{new}")))
          BIND(IF(CONTAINS(STR(?s), "{new}"), IRI(REPLACE(STR(?s), "{new}", "{old}")), ?s) AS ?s2)
          BIND(IF(isIRI(?o) && CONTAINS(STR(?o), "{new}"), IRI(REPLACE(STR(?o), "{new}", "{old}")), ?o) AS ?o2)
        }}""")
    triples.flush()
    del triples


def _served_before(store: Path, path: Path) -> None:
    """The old IRI dereferences, and the duty page quotes its lines from the bare-named copy."""
    with serve(Config(store_path=store, base=BASE, query_processes=1, page_query_processes=1)) as site:
        (row,) = select(site, f"SELECT ?src WHERE {{ <{BASE}/id/duty/{XIAOJINGZHUANG}/basic/1> "
                              f"<{PROV}wasDerivedFrom> ?src }}")
        assert row["src"].startswith(f"{BASE}/source/{quote(NAME)}#line=")
        served = requests.get(site.base + row["src"].removeprefix(BASE).split("#")[0], timeout=60)
        assert served.status_code == 200 and served.content == path.read_bytes()
        first = int(row["src"].rsplit("=", 1)[1].split(",")[0])
        line = path.read_text(encoding="utf-8").split("\n")[first].strip()
        page = requests.get(f"{site.base}/doc/duty/{XIAOJINGZHUANG}/basic/1", timeout=60)
        assert page.status_code == 200 and line[:20] in page.text


def test_a_store_built_before_keeps_serving_its_bare_named_sources_until_rebuilt(store, documents, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    _as_built_before_per_township_sources(copy, XIAOJINGZHUANG)
    _served_before(copy, documents[XIAOJINGZHUANG])
    # A build of another township carries the bare-named copy; its township's entry and IRIs stay as they were.
    other = bundled_documents()[0]
    result = cli("build", other, "--store", copy, "--jobs", 1)
    assert result.returncode == 0, result.stderr
    assert_state_matches_triples(copy)
    assert NAME in source_keys(state_dir_of(copy))
    _served_before(copy, documents[XIAOJINGZHUANG])
    # Built again, its copy and IRIs move under its code.
    result = cli("build", documents[XIAOJINGZHUANG], "--store", copy, "--jobs", 1)
    assert result.returncode == 0, result.stderr
    assert_state_matches_triples(copy)
    keys = source_keys(state_dir_of(copy))
    assert NAME not in keys and f"{XIAOJINGZHUANG}/{NAME}" in keys and f"{GUANJIAPU}/{NAME}" in keys
    assert f"/source/{quote(NAME)}#" not in nquads(copy).decode()
    # An old link (`/source/{file}`, as a store built before published it) leads to the one township holding that
    # name; a name two townships hold leads nowhere.
    with serve(Config(store_path=copy, base=BASE, query_processes=1, page_query_processes=1)) as site:
        moved = requests.get(f"{site.base}/source/{other.name}", allow_redirects=False, timeout=60)
        assert moved.status_code == 301 and moved.headers["Location"] == f"/source/210381121/{other.name}"
        # the query kept, as /id/'s 303 keeps it (cold review 31: dropped)
        query = requests.get(f"{site.base}/source/{other.name}?lang=en", allow_redirects=False, timeout=60)
        assert query.status_code == 301 and query.headers["Location"] == f"/source/210381121/{other.name}?lang=en"
        assert requests.get(f"{site.base}/source/{other.name}", timeout=60).content == other.read_bytes()
        assert requests.get(f"{site.base}/source/{quote(NAME)}", timeout=60).status_code == 404
