"""A township's three files into a remote store (Virtuoso): one graph, each file's copy in the state directory
under the township's code, and a changed file rebuilding the graph from it and the state's other copies
(cold review 21; tests/test_build_townships.py does the same into a directory store)."""

from __future__ import annotations

import pytest
from test_build_townships import BASE, CODE, LZ, NAMES, SAMPLE, cli, split_at_list_headings
from virtuoso import start_virtuoso, stop_virtuoso

from luzhi.etl.parse import parse_document
from luzhi.ontology.types import ListKind
from luzhi.store.open import open_store
from luzhi.store.state import read_build_info, source_keys


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    process, server = start_virtuoso(tmp_path_factory.mktemp("virtuoso-townships"))
    try:
        yield server
    finally:
        stop_virtuoso(process)


def _titles(remote, state) -> dict[str, str]:
    opened = open_store(remote.sparql_url, state_dir=state, user=remote.user, password=remote.password)
    try:
        rows = opened.store.select(f"SELECT ?d ?t WHERE {{ GRAPH <{BASE}/graph/{CODE}> {{ ?d a <{LZ}Duty> ; "
                                   "<http://purl.org/dc/terms/title> ?t } }")
    finally:
        opened.close()
    return {str(row["d"]): str(row["t"]) for row in rows}


def test_a_townships_files_into_a_remote_store(remote, tmp_path):
    files = split_at_list_headings(SAMPLE, tmp_path / "额敏镇")
    state = tmp_path / "state"
    login = ("--store", remote.sparql_url, "--state", state, "--store-user", remote.user,
             "--store-password", remote.password)
    result = cli("build", *files.values(), *login, "--base", BASE, "--jobs", 1)
    assert result.returncode == 0, result.stderr
    whole = parse_document(SAMPLE)
    assert len(_titles(remote, state)) == len(whole.items)
    assert source_keys(state) == sorted(f"{CODE}/{name}" for name in NAMES.values())
    old_title = parse_document(files[ListKind.COOPERATIVE]).items[0].title
    changed = tmp_path / "v2" / NAMES[ListKind.COOPERATIVE]
    changed.parent.mkdir()
    changed.write_text(files[ListKind.COOPERATIVE].read_text(encoding="utf-8").replace(old_title, "改过的标题", 1),
                       encoding="utf-8")
    result = cli("build", changed, *login, "--jobs", 1)
    assert result.returncode == 0, result.stderr
    titles = _titles(remote, state)
    assert len(titles) == len(whole.items) and "改过的标题" in titles.values() and old_title not in titles.values()
    info = read_build_info(state)
    assert sorted((d["file"], d["source"]) for d in info["documents"]) == sorted(
        (name, f"{CODE}/{name}") for name in NAMES.values())
    assert source_keys(state) == sorted(f"{CODE}/{name}" for name in NAMES.values())
    assert (state / "sources" / CODE / changed.name).read_bytes() == changed.read_bytes()
    assert (state / "sources" / CODE / NAMES[ListKind.BASIC]).read_bytes() == files[ListKind.BASIC].read_bytes()

