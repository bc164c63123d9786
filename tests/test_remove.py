"""`luzhi remove --township-code CODE`: one township out of a store, without a `--fresh` rebuild.

A file loaded as the wrong township stayed in the store until a full rebuild (docs/build.md). The bundled
documents' store (conftest's `built_store`) is copied and 额敏镇 removed through the real command: its graph,
duties, pages, source copies, search rows, statistics and per-township state are gone, the other four townships'
graphs are the same bytes, and building its document again gives back the original store, quad for quad. A
removal killed on the way leaves the store as it was, and the same command finishes it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from build_helpers import SAY_PHASES, assert_state_matches_triples, cli, nquads, run_until_phase
from sparql_server import serve

from luzhi.etl.build import BuildOptions, build, bundled_documents
from luzhi.etl.parse import parse_document
from luzhi.ontology.iris import Iris
from luzhi.server.config import Config
from luzhi.shapes.engines import validator
from luzhi.store.search_index import SearchIndex
from luzhi.store.snapshots import TRIPLES, read_pointer, state_dir_of, work_in_progress
from luzhi.store.state import read_build_info, source_keys

CODE = "654221100"  # 额敏镇
SAMPLE = next(p for p in bundled_documents() if p.name.startswith("004_"))
LZ = "https://w3id.org/luzhi/def#"


def graphs(store_dir: Path) -> dict[str, bytes]:
    """Each named graph's N-Quads, sorted."""
    store = ox.Store.read_only(str(read_pointer(store_dir).snapshot / TRIPLES))
    quads: dict[str, list] = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""  # "": the default graph
        quads.setdefault(name, []).append(quad)
    return {graph: ox.serialize(sorted(found, key=str), format=ox.RdfFormat.N_QUADS) for graph, found in quads.items()}


@pytest.fixture(scope="module")
def removed(built_store, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    store = tmp_path_factory.mktemp("remove") / "store"
    shutil.copytree(built_store.path, store)
    return store, cli("remove", "--township-code", CODE, "--store", store)


def test_the_command_says_what_it_removed(built_store, removed):
    store, result = removed
    assert result.returncode == 0, result.stderr
    duties = len(parse_document(SAMPLE).items)
    graph = f"{built_store.base}/graph/{CODE}"
    assert f"已从 {store} 删除乡镇 {CODE} 额敏镇：图 {graph}（" in result.stdout
    assert f"个四元组）、{duties} 个履职事项、1 个源文件（{CODE}/{SAMPLE.name}）" in result.stdout
    assert f"removed township {CODE} 额敏镇 from {store}: graph {graph} (" in result.stdout
    assert f"quads), {duties} duties, 1 source file ({CODE}/{SAMPLE.name}); the store now holds" in result.stdout


def test_its_graph_entries_copies_and_state_are_gone_the_others_byte_identical(built_store, removed):
    store, _ = removed
    before, after = graphs(built_store.path), graphs(store)
    iris = Iris(built_store.base)
    mine = str(iris.graph(CODE))
    assert mine in before and mine not in after
    others = {g for g in before if g.rsplit("/", 1)[-1].isdigit() and g != mine}
    assert len(others) == 4 and all(after[g] == before[g] for g in others)
    everything = nquads(store).decode()
    assert f"<{iris.division(CODE)}>" not in everything and f"/id/duty/{CODE}/" not in everything
    assert f"/source/{CODE}/" not in everything
    state = state_dir_of(store)
    assert CODE not in {d["township_code"] for d in read_build_info(state)["documents"]}
    assert not [key for key in source_keys(state) if key.startswith(f"{CODE}/")]
    assert not [p for p in state.rglob(f"{CODE}*")]  # shared contribution, facts, dump parts
    assert_state_matches_triples(store)
    # The dumps the server offers were made again without it.
    (dumps,) = (store / "dumps").glob(f"{read_build_info(state)['build_id']}/luzhi.nq.gz")
    assert mine.encode() not in subprocess.run(["gzip", "-dc", dumps], capture_output=True, check=True).stdout


def test_its_pages_search_rows_and_statistics_are_gone(built_store, removed):
    store, _ = removed
    title = parse_document(SAMPLE).items[0].title
    hits = [hit.iri for hit in SearchIndex(state_dir_of(built_store.path)).search(title).hits]
    assert any(f"/id/duty/{CODE}/" in iri for iri in hits)
    assert not [hit for hit in SearchIndex(state_dir_of(store)).search(title).hits if f"/{CODE}" in hit.iri
                or CODE in (hit.township or "")]
    statistics = graphs(store)[str(Iris(built_store.base).statistics_graph())].decode()
    assert CODE not in statistics and "/id/division/210381121>" in statistics
    with serve(Config(store_path=store, base=built_store.base, query_processes=1, page_query_processes=1)) as site:
        for path in (f"/doc/division/{CODE}", f"/doc/duty/{CODE}/basic/1", f"/source/{CODE}/{SAMPLE.name}",
                     f"/graph/{CODE}"):
            assert requests.get(site.base + path, timeout=60).status_code == 404, path
        assert requests.get(f"{site.base}/doc/division/210381121", timeout=60).status_code == 200
        found = requests.get(f"{site.base}/search.json", params={"q": title}, timeout=60).json()
        assert CODE not in json.dumps(found)
        void = requests.get(f"{site.base}/.well-known/void", headers={"Accept": "application/n-triples"}, timeout=60)
        assert void.status_code == 200 and f"/graph/{CODE}>" not in void.text


def test_building_its_document_again_restores_the_original_store(built_store, removed, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(removed[0], store)
    build([SAMPLE], store, BuildOptions(base=built_store.base, jobs=1), validate_graph=validator())
    assert nquads(store) == nquads(built_store.path)


def test_an_unknown_code_is_refused_naming_it_and_nothing_changes(removed):
    store, _ = removed
    pointer = (store / "current").read_text(encoding="utf-8")
    result = cli("remove", "--township-code", "110101001", "--store", store)
    assert result.returncode == 2 and result.stdout == ""
    assert "110101001" in result.stderr and "nothing was changed" in result.stderr and "未作任何改动" in result.stderr
    assert (store / "current").read_text(encoding="utf-8") == pointer and not work_in_progress(store)


# The removal in a process of its own, SIGKILLed by the test at a phase (as tests/test_build_townships.py does).
_REMOVE = SAY_PHASES + """
import sys
from luzhi.etl.remove import remove_township

print("done", remove_township(sys.argv[1], sys.argv[2], progress=Say()).duties, flush=True)
"""


def _remove(store: Path, kill_at: str | None = None) -> list[str]:
    return run_until_phase(_REMOVE, str(store), CODE, kill_at=kill_at)


def test_a_killed_removal_leaves_the_store_as_it_was_and_the_same_command_finishes_it(built_store, removed,
                                                                                       tmp_path):
    store = tmp_path / "store"
    shutil.copytree(built_store.path, store)
    _remove(store, kill_at="statistics")  # its graph dropped in the new snapshot, `current` not switched
    assert work_in_progress(store) and nquads(store) == nquads(built_store.path)
    assert_state_matches_triples(store)
    assert _remove(store)[-1] == f"done {len(parse_document(SAMPLE).items)}"
    assert nquads(store) == nquads(removed[0]) and not work_in_progress(store)


def test_a_remote_store_is_refused_in_both_languages():
    result = cli("remove", "--township-code", CODE, "--store", "http://127.0.0.1:9/sparql")
    assert result.returncode == 2
    assert "不能修改远程存储 http://127.0.0.1:9/sparql" in result.stderr
    assert "not on the remote store http://127.0.0.1:9/sparql" in result.stderr
