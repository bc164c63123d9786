"""A township's three lists published as three files, each under the township's title (cold review 21).

Every such file claimed the township, so all but one were refused (`township-claimed-twice`). Now a township's
files whose lists are disjoint make its one graph together, each duty derived from its own file and lines;
build.json records each file; a changed file rebuilds the township's graph whole; two files holding one list
are refused, naming both and the list. The files are sample 004 (额敏镇, whose lists each have the township's
title) cut at its list headings; the builds are real, through `luzhi build`, and the source IRIs are
dereferenced over HTTP from the real app.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import requests
from build_helpers import (
    NAMES,
    SAY_PHASES,
    assert_state_matches_triples,
    cli,
    nquads,
    run_until_phase,
    split_at_list_headings,
)
from sparql_server import serve

from luzhi.etl.build import BuildOptions, build, bundled_documents
from luzhi.etl.parse import parse_document
from luzhi.ontology.types import ListKind
from luzhi.server.config import Config
from luzhi.store.snapshots import state_dir_of
from luzhi.store.state import read_build_info, source_keys

BASE = "https://luzhi.test"
CODE = "654221100"  # 额敏镇
SAMPLE = next(p for p in bundled_documents() if p.name.startswith("004_"))
LZ = "https://w3id.org/luzhi/def#"
PROV = "http://www.w3.org/ns/prov#"


def select(server, query: str) -> list[dict]:
    answer = requests.post(f"{server.base}/sparql", data={"query": query}, timeout=60,
                           headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    return [{k: v["value"] for k, v in row.items()} for row in answer.json()["results"]["bindings"]]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[ListKind, Path]:
    return split_at_list_headings(SAMPLE, tmp_path_factory.mktemp("split") / "额敏镇")


@pytest.fixture(scope="module")
def store(files, tmp_path_factory) -> Path:
    """The three files built by `luzhi build`, validated (the default engine)."""
    store = tmp_path_factory.mktemp("store") / "store"
    result = cli("build", *files.values(), "--store", store, "--base", BASE)
    assert result.returncode == 0, result.stderr
    return store


@pytest.fixture(scope="module")
def site(store):
    with serve(Config(store_path=store, base=BASE, query_processes=1, page_query_processes=1)) as server:
        yield server


def test_the_three_files_make_the_townships_one_graph(store, site):
    whole = parse_document(SAMPLE)
    info = read_build_info(state_dir_of(store))
    assert sorted((d["file"], d["township_code"], d["source"], tuple(d["lists"])) for d in info["documents"]) == [
        (NAMES[kind], CODE, f"{CODE}/{NAMES[kind]}", (kind.value,)) for kind in sorted(ListKind, key=NAMES.get)]
    assert source_keys(state_dir_of(store)) == sorted(f"{CODE}/{name}" for name in NAMES.values())
    assert_state_matches_triples(store)
    rows = select(site, f"SELECT ?d ?kind WHERE {{ GRAPH ?g {{ ?d <{LZ}listType> ?kind }} }}")
    graphs = select(site, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?d a <{LZ}Duty> }} }}")
    assert [row["g"] for row in graphs] == [f"{BASE}/graph/{CODE}"]
    # The duties the whole document holds, each once, with the IRIs the one-file document gives them.
    expected = {f"{BASE}/id/duty/{CODE}/{item.list_kind.value}/{item.sequence}" for item in whole.items}
    assert len(rows) == len(whole.items) and {row["d"] for row in rows} == expected
    lists = select(site, f"SELECT ?list ?n WHERE {{ ?list <{LZ}itemCount> ?n ; <{LZ}ofListType> ?t }}")
    assert {row["list"].rsplit("/", 1)[1]: int(row["n"]) for row in lists} == {
        kind.value: len(whole.items_of(kind)) for kind in ListKind}


@pytest.mark.parametrize("kind", list(ListKind), ids=lambda k: k.value)
def test_each_duty_points_at_its_own_file_and_lines_which_dereference(files, site, kind):
    rows = select(site, f"SELECT ?d ?title ?src WHERE {{ ?d <{LZ}listType> <{LZ}{kind.value.capitalize()}List> ; "
                        f"<http://purl.org/dc/terms/title> ?title ; <{PROV}wasDerivedFrom> ?src }}")
    lines = files[kind].read_text(encoding="utf-8").split("\n")
    assert rows and all(row["src"].startswith(f"{BASE}/source/{CODE}/{NAMES[kind]}#line=") for row in rows)
    served = requests.get(site.base + rows[0]["src"].removeprefix(BASE).split("#")[0], timeout=60)
    assert served.status_code == 200 and served.content == files[kind].read_bytes()
    for row in sorted(rows, key=lambda r: int(r["d"].rsplit("/", 1)[1]))[:: max(1, len(rows) // 4)]:
        first, last = (int(n) for n in row["src"].rsplit("=", 1)[1].split(","))  # RFC 5147: lines first+1..last
        quoted = "\n".join(lines[first:last])
        assert row["title"][:8] in quoted, (row, quoted)
        page = requests.get(site.base + row["d"].removeprefix(BASE), timeout=60)  # /id → 303 → /doc
        assert page.status_code == 200 and lines[first].strip()[:20] in page.text
        assert f'href="/source/{CODE}/{NAMES[kind]}#line={first},{last}"' in page.text


@pytest.fixture(scope="module")
def changed(files, store, tmp_path_factory):
    """The store before and after `luzhi build coop.txt` with one cooperative title changed."""
    folder = tmp_path_factory.mktemp("changed")
    before = folder / "before"
    shutil.copytree(store, before)
    after = folder / "after"
    shutil.copytree(store, after)
    new = folder / "v2" / NAMES[ListKind.COOPERATIVE]
    new.parent.mkdir()
    text = files[ListKind.COOPERATIVE].read_text(encoding="utf-8")
    old_title = parse_document(files[ListKind.COOPERATIVE]).items[0].title
    new.write_text(text.replace(old_title, old_title + "（修订）", 1), encoding="utf-8")
    result = cli("build", new, "--store", after, "--jobs", 1)
    assert result.returncode == 0, result.stderr
    return before, after, new, old_title


def test_a_changed_file_rebuilds_its_townships_graph_whole(changed, files):
    before, after, new, old_title = changed
    info = read_build_info(state_dir_of(after))
    assert sorted(d["file"] for d in info["documents"]) == sorted(NAMES.values())
    assert_state_matches_triples(after)
    copies = state_dir_of(after) / "sources" / CODE
    assert (copies / NAMES[ListKind.COOPERATIVE]).read_bytes() == new.read_bytes()
    for kind in (ListKind.BASIC, ListKind.RECLAIMED):
        assert (copies / NAMES[kind]).read_bytes() == files[kind].read_bytes()
    old_quads, new_quads = (set(nquads(store).decode().splitlines()) for store in (before, after))
    gone, added = old_quads - new_quads, new_quads - old_quads
    # The new title in, the old one out; nothing of the basic and reclaimed lists changed but the build activity
    # that made them (one per set of files and luzhi version).
    assert any(f'"{old_title}（修订）"@zh' in quad for quad in added)
    assert not any(f'"{old_title}"@zh' in quad for quad in new_quads)
    changed_subjects = {quad.split(" ", 1)[0] for quad in gone | added}
    assert not any(f"/{kind.value}/" in subject for subject in changed_subjects
                   for kind in (ListKind.BASIC, ListKind.RECLAIMED))
    assert len([q for q in new_quads if f"<{LZ}listType>" in q and f"<{BASE}/graph/{CODE}>" in q]) == len(
        parse_document(SAMPLE).items)


def test_two_files_holding_one_list_are_refused_naming_both_and_the_list(files, tmp_path):
    again = tmp_path / "again" / "基本履职事项清单.txt"
    again.parent.mkdir()
    shutil.copyfile(files[ListKind.BASIC], again)
    result = cli("build", files[ListKind.BASIC], again, files[ListKind.COOPERATIVE], files[ListKind.RECLAIMED],
                 "--store", tmp_path / "store", "--base", BASE, "--keep-going", "--report", tmp_path / "r.json")
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    (refused,) = report["quarantined"]
    (reason,) = refused["reasons"]
    assert refused["file"] == str(again) and reason["rule"] == "township-claimed-twice"
    assert str(files[ListKind.BASIC]) in reason["message"] and str(again) in reason["message"]
    assert "基本履职事项清单" in reason["message"] and "basic list" in reason["message"]
    # The others are the township's document: loaded whole.
    assert sorted(d["file"] for d in read_build_info(state_dir_of(tmp_path / "store"))["documents"]) == sorted(
        NAMES.values())


def test_a_file_claiming_a_list_another_file_holds_needs_replace(files, store, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    renamed = tmp_path / "额敏镇基本履职事项清单.txt"
    shutil.copyfile(files[ListKind.BASIC], renamed)
    refused = cli("build", renamed, "--store", copy, "--jobs", 1)
    assert refused.returncode == 1
    assert "township-claimed" in refused.stderr and NAMES[ListKind.BASIC] in refused.stderr
    assert "--replace" in refused.stderr and "basic list" in refused.stderr
    replaced = cli("build", renamed, "--store", copy, "--jobs", 1, "--replace")
    assert replaced.returncode == 0, replaced.stderr
    held = read_build_info(state_dir_of(copy))["documents"]
    assert sorted(d["file"] for d in held) == sorted([renamed.name, NAMES[ListKind.COOPERATIVE],
                                                      NAMES[ListKind.RECLAIMED]])
    assert_state_matches_triples(copy)


def test_files_added_one_at_a_time_complete_the_township(files, tmp_path):
    """Each build loads the township from its new file and the store's others (read from its copies)."""
    store = tmp_path / "store"
    options = BuildOptions(base=BASE, validate=False)
    counts = []
    for kind in ListKind:
        build([files[kind]], store, options)
        info = read_build_info(state_dir_of(store))
        added = list(ListKind)[:len(counts) + 1]
        assert sorted(d["file"] for d in info["documents"]) == sorted(NAMES[k] for k in added)
        assert_state_matches_triples(store)
        counts.append(len([q for q in nquads(store).decode().splitlines()
                           if f"<{LZ}listType>" in q and f"<{BASE}/graph/{CODE}>" in q]))
    whole = parse_document(SAMPLE)
    assert counts == [len(whole.items_of(ListKind.BASIC)),
                      len(whole.items_of(ListKind.BASIC)) + len(whole.items_of(ListKind.COOPERATIVE)),
                      len(whole.items)]


def test_a_lone_file_lacking_lists_is_still_refused_as_cut_short(files, tmp_path):
    result = cli("build", files[ListKind.COOPERATIVE], "--store", tmp_path / "store", "--base", BASE, "--jobs", 1)
    assert result.returncode == 1
    assert "DutyList-itemCount" in result.stderr and "/basic" in result.stderr and "/reclaimed" in result.stderr
    assert not (tmp_path / "store").exists()


# The build in a process of its own, SIGKILLed by the test at a phase (as tests/test_build_atomic.py does).
_BUILD = SAY_PHASES + """
import json, sys
from pathlib import Path
from luzhi.etl.build import BuildOptions, build

args = json.loads(sys.argv[1])
result = build([Path(p) for p in args["paths"]], args["store"], BuildOptions(base=args["base"], validate=False),
               progress=Say())
print("done", result.restaged, result.resumed, flush=True)
"""


def _run(store: Path, paths: list[Path], kill_at: str | None = None) -> list[str]:
    args = json.dumps({"paths": [str(p) for p in paths], "store": str(store), "base": BASE})
    return run_until_phase(_BUILD, args, kill_at=kill_at)


def test_a_killed_build_of_a_townships_file_resumes_reusing_what_it_staged(changed, tmp_path):
    before, after, new, _ = changed
    store = tmp_path / "store"
    shutil.copytree(before, store)
    _run(store, [new], kill_at="ontology")  # its graph loaded and journaled, the snapshot not switched
    assert nquads(store) == nquads(before)
    assert_state_matches_triples(store)
    lines = _run(store, [new])
    # The file's pass 1 and its township's build reused, its graph found loaded: nothing done twice.
    assert lines[-1] == "done 1 1", lines
    assert_state_matches_triples(store)
    assert nquads(store) == nquads(after)
