"""A build is all-or-nothing across documents, even under kill -9, and states what it refuses (issue 10).

Each test reproduces one finding of issue 10 (regression tests, named after it). The fault
injection runs the real build in a subprocess and SIGKILLs it at several points of pass 2,
found from its own progress reports; after each kill the store must be EXACTLY the old one
(N-Quads equal) with build.json and sources/ agreeing with the triples, and the next build must
end EXACTLY at the new one.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from build_helpers import BASE, assert_state_matches_triples, nquads, township_copies

from luzhi.etl.build import BuildError, BuildOptions, build, bundled_documents
from luzhi.store.snapshots import SNAPSHOTS, state_dir_of
from luzhi.store.state import read_build_info

# The build, in its own process, telling the test where it is through the Progress protocol.
_BUILD = """
import json, sys
from pathlib import Path
from luzhi.etl.build import BuildOptions, build

class Say:
    def phase(self, name, total):
        print("phase", name, flush=True)
    def advance(self, triples):
        print("advance", flush=True)

args = json.loads(sys.argv[1])
result = build([Path(p) for p in args["paths"]], args["store"],
               BuildOptions(base=args["base"], validate=False, township_codes=args["codes"], jobs=1), progress=Say())
print("done", result.resumed, flush=True)
"""


def _run_killed_build(store: Path, paths, codes, kill_after: tuple[str, int]) -> None:
    """Run the build in a process of its own, and SIGKILL it after the n-th advance of a phase (`kill_after`)."""
    args = json.dumps({"paths": [str(p) for p in paths], "store": str(store), "base": BASE, "codes": codes})
    with subprocess.Popen([sys.executable, "-c", _BUILD, args], stdout=subprocess.PIPE, text=True) as process:
        phase, seen = None, 0
        for line in process.stdout:
            if line.startswith("phase"):
                phase, seen = line.split()[1], 0
                if kill_after == (phase, 0):
                    break
            elif line.startswith("advance"):
                seen += 1
                if kill_after == (phase, seen):
                    break
        process.send_signal(signal.SIGKILL)
        process.wait(120)


@pytest.fixture(scope="module")
def old_and_new(tmp_path_factory):
    """An old store of 4 townships, and the batch that changes it: 3 changed, 4 added, 2 kept."""
    folder = tmp_path_factory.mktemp("kill9")
    paths, codes = township_copies(folder / "docs", 8)
    old = folder / "old"
    build(paths[:5], old, BuildOptions(base=BASE, validate=False, township_codes=codes))
    changed = folder / "changed"
    changed.mkdir()
    new_paths = []
    for path in paths[2:]:
        target = changed / path.name
        text = path.read_text(encoding="utf-8")
        target.write_text(text + "\n" if path in paths[2:5] else text, encoding="utf-8")
        new_paths.append(target)
    reference = folder / "reference"
    shutil.copytree(old, reference)
    build(new_paths, reference, BuildOptions(base=BASE, validate=False, township_codes=codes))
    return old, new_paths, codes, nquads(old), nquads(reference)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The bundled documents built once, and each file's township code: tests that change a store copy it."""
    store = tmp_path_factory.mktemp("bundled") / "store"
    result = build(bundled_documents(), store, BuildOptions(base=BASE, validate=False))
    return store, {r.file: r.township_code for r in result.documents}


def _copy(bundled, tmp_path: Path) -> Path:
    store = tmp_path / "store"
    shutil.copytree(bundled[0], store)
    return store


@pytest.mark.parametrize("point", [("load", 0), ("load", 1), ("load", 3), ("load", 6), ("ontology", 1)],
                         ids=lambda p: f"{p[0]}-{p[1]}")
def test_kill_9_in_pass_2_leaves_exactly_the_old_store_and_the_next_build_ends_at_the_new(old_and_new, tmp_path,
                                                                                            point):
    old, new_paths, codes, old_quads, new_quads = old_and_new
    assert old_quads != new_quads
    store = tmp_path / "store"
    shutil.copytree(old, store)
    _run_killed_build(store, new_paths, codes, kill_after=point)
    after_kill = nquads(store)
    assert after_kill in (old_quads, new_quads)
    assert_state_matches_triples(store)
    if after_kill == old_quads:
        assert read_build_info(state_dir_of(store)) == read_build_info(state_dir_of(old))
    # The next build in this process: the killed one had to be a process of its own, this one need not start
    # an interpreter and a fork server again (a third of each case's time).
    build(new_paths, store, BuildOptions(base=BASE, validate=False, township_codes=codes, jobs=1))
    assert nquads(store) == new_quads
    assert_state_matches_triples(store)
    assert len(list((store / SNAPSHOTS).iterdir())) <= 2  # the new snapshot and its parent


def test_township_code_claiming_another_files_township_is_refused_naming_both(bundled, tmp_path):
    """issue 10: 003 given 000's code replaced 000's graph, exit 0, and build.json listed 003 twice."""
    documents = bundled_documents()
    store, codes = _copy(bundled, tmp_path), bundled[1]
    before = nquads(store)
    intruder = documents[3]
    with pytest.raises(BuildError) as refused:
        build([intruder], store, BuildOptions(base=BASE, validate=False,
                                              township_codes={intruder.name: codes[documents[0].name]}))
    message = str(refused.value)
    assert documents[0].name in message and intruder.name in message and "--replace" in message
    assert nquads(store) == before


def test_replace_lets_the_new_file_take_the_township_and_drops_the_old(bundled, tmp_path):
    documents = bundled_documents()
    store, codes = _copy(bundled, tmp_path), bundled[1]
    intruder = documents[3]
    build([intruder], store, BuildOptions(base=BASE, validate=False, replace=True,
                                          township_codes={intruder.name: codes[documents[0].name]}))
    info = read_build_info(state_dir_of(store))
    held = {(d["township_code"], d["file"]) for d in info["documents"]}
    # 000 gone, 003 now holds 000's township; 003's own township keeps its file of that name (cold review 21: the
    # shared name displaced it, as if the file had moved).
    assert held == {(codes[d.name], d.name) for d in documents[1:]} | {(codes[documents[0].name], intruder.name)}
    assert len(info["documents"]) == 5
    assert_state_matches_triples(store)


def test_two_documents_claiming_one_township_in_one_batch_are_refused(tmp_path):
    documents = bundled_documents()
    with pytest.raises(BuildError) as refused:
        build(documents[:2], tmp_path / "s", BuildOptions(base=BASE, validate=False, replace=True,
                                                         township_codes={documents[1].name: "210381121"}))
    assert documents[0].name in str(refused.value) and documents[1].name in str(refused.value)
    assert not (tmp_path / "s" / "current").exists()


def test_build_json_is_replaced_whole(bundled):
    """issue 10: build.json was written in place; a cut one blocked serve and rebuild. Now the file is
    only ever renamed into place, so no reader sees a partial one, and no temp file is left."""
    state = state_dir_of(bundled[0])
    assert json.loads((state / "build.json").read_text(encoding="utf-8"))["documents"]
    assert [p.name for p in state.iterdir() if p.name.startswith(".")] == []


def test_corrupt_build_json_is_a_clear_error_and_fresh_repairs_it(bundled, tmp_path):
    store = _copy(bundled, tmp_path)
    state_file = state_dir_of(store) / "build.json"
    state_file.write_text(state_file.read_text(encoding="utf-8")[:40], encoding="utf-8")
    for args in (["build", bundled_documents()[2]], ["query", "ASK {}"]):
        result = _cli(*map(str, args), "--store", str(store))
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "build.json" in result.stderr and "--fresh" in result.stderr
    repaired = _cli("build", *map(str, bundled_documents()[:2]), "--store", str(store), "--fresh", "--base", BASE)
    assert repaired.returncode == 0, repaired.stderr
    assert len(read_build_info(state_dir_of(store))["documents"]) == 2
    assert_state_matches_triples(store)


def test_serve_does_not_build_the_samples_into_a_directory_that_holds_other_files(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    result = _cli("serve", "--store", str(folder), "--port", "1")
    assert result.returncode == 2 and "no luzhi build" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_stale_staging_folders_of_killed_builds_are_removed(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = Path(tempfile.mkdtemp(prefix=f"luzhi-build-{dead.pid}-"))
    mine = Path(tempfile.mkdtemp(prefix=f"luzhi-build-{os.getpid()}-"))
    try:
        build(bundled_documents()[:1], tmp_path / "s", BuildOptions(base=BASE, validate=False))
        assert not stale.exists() and mine.exists()
    finally:
        shutil.rmtree(mine, ignore_errors=True)
        shutil.rmtree(stale, ignore_errors=True)


def _cli(*args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LUZHI_DEBUG"}
    return subprocess.run([sys.executable, "-m", "luzhi.server.cli", *args], capture_output=True, text=True,
                          env=env, timeout=600)
