"""/dumps/ files are written by the build, from each document's part and the store-wide graphs (issue 13).

The server used to write them on the first request after a build (51 s at 100 townships), so a
crawler's first VoID request would time out nationally. These tests build real stores and read the
dumps back with pyoxigraph's parsers.
"""

from __future__ import annotations

import gzip
import hashlib
import json

import pyoxigraph as ox
from build_helpers import BASE, township_copies

from luzhi.etl.build import BuildOptions, build
from luzhi.store.dump import MANIFEST
from luzhi.store.open import open_store
from luzhi.store.snapshots import state_dir_of
from luzhi.store.state import DUMPS_DIR, read_build_info


def _store_quads(store_dir) -> set:
    opened = open_store(store_dir, read_only=True)
    try:
        return set(opened.store.quads())
    finally:
        opened.close()


def _dumps_of(store_dir) -> tuple[str, dict]:
    build_id = read_build_info(state_dir_of(store_dir))["build_id"]
    folder = store_dir / DUMPS_DIR / build_id
    return build_id, {entry["name"]: entry for entry in json.loads((folder / MANIFEST).read_text(encoding="utf-8"))}


def _assert_dumps_are_the_store(store_dir) -> None:
    build_id, manifest = _dumps_of(store_dir)
    folder = store_dir / DUMPS_DIR / build_id
    quads = _store_quads(store_dir)
    for name, entry in manifest.items():
        body = (folder / name).read_bytes()
        assert entry["size"] == len(body) and entry["sha256"] == hashlib.sha256(body).hexdigest()
        fmt = ox.RdfFormat.N_QUADS if name.endswith(".nq.gz") else ox.RdfFormat.TURTLE
        parsed = list(ox.parse(gzip.decompress(body), format=fmt))  # every gzip member, one after another
        if fmt == ox.RdfFormat.N_QUADS:
            assert len(parsed) == len(quads) and set(parsed) == quads
        else:
            assert {(q.subject, q.predicate, q.object) for q in parsed} == {
                (q.subject, q.predicate, q.object) for q in quads}
    assert set(manifest) == {"luzhi.nq.gz", "luzhi.ttl.gz"}


def test_a_build_writes_the_dumps_of_its_store(tmp_path):
    paths, codes = township_copies(tmp_path / "docs", 3)
    options = BuildOptions(base=BASE, township_codes=codes, jobs=2)
    build(paths[:2], tmp_path / "store", options)
    _assert_dumps_are_the_store(tmp_path / "store")
    first, _ = _dumps_of(tmp_path / "store")

    # A build of one more document keeps the others' parts from the previous snapshot.
    build(paths[2:], tmp_path / "store", options)
    _assert_dumps_are_the_store(tmp_path / "store")
    second, _ = _dumps_of(tmp_path / "store")
    assert len({g for _s, _p, _o, g in _store_quads(tmp_path / "store") if str(g.value).split("/")[-1].isdigit()}) == 3

    # A third build replaces a document: the first build's dumps go with its snapshot, the parent's stay.
    (paths[0]).write_text(paths[0].read_text(encoding="utf-8") + "\n", encoding="utf-8")
    build(paths[:1], tmp_path / "store", options)
    _assert_dumps_are_the_store(tmp_path / "store")
    third, _ = _dumps_of(tmp_path / "store")
    assert sorted(p.name for p in (tmp_path / "store" / DUMPS_DIR).iterdir()) == sorted({second, third})
    assert first not in {second, third}


def test_the_same_input_gives_the_same_dump_bytes(tmp_path):
    """The published SHA-256 is a property of the input, not of when or in how many processes it was built."""
    paths, codes = township_copies(tmp_path / "docs", 2)
    build(paths, tmp_path / "a", BuildOptions(base=BASE, township_codes=codes, jobs=1))
    build(paths, tmp_path / "b", BuildOptions(base=BASE, township_codes=codes, jobs=2))
    assert _dumps_of(tmp_path / "a") == _dumps_of(tmp_path / "b")


def test_a_build_into_a_store_keeps_its_base_or_is_refused(tmp_path):
    """Cold review: `luzhi serve --port 5077` built under :5077; `luzhi build --store ./luzhi-store FILE`
    then added a document under :5000 beside it, and both exited 0. The CLI now takes the store's base when
    --base is not given, and a different base is refused unless --fresh."""
    import subprocess
    import sys

    from luzhi.etl.build import bundled_documents

    store = tmp_path / "store"
    first, second = bundled_documents()[:2]

    def luzhi(*args):
        return subprocess.run([sys.executable, "-m", "luzhi.server.cli", "build", "--store", str(store), *args],
                              capture_output=True, text=True, timeout=600)

    # The store as `luzhi serve --port 5077` left it, built in this process: what is under test is the CLI's next
    # builds (a fifth process start and fork server cost more than this build).
    from luzhi.shapes.engines import validator

    build([first], store, BuildOptions(base="http://127.0.0.1:5077"), validate_graph=validator())
    added = luzhi(str(second))  # no --base: the store's own
    assert added.returncode == 0, added.stderr
    info = read_build_info(state_dir_of(store))
    assert info["base"] == "http://127.0.0.1:5077" and len(info["documents"]) == 2
    graphs = {str(g.value) for _s, _p, _o, g in _store_quads(store)}
    assert graphs and all(g.startswith("http://127.0.0.1:5077/") or "w3id.org" in g for g in graphs)

    other = luzhi("--base", "http://127.0.0.1:5000", str(second))
    assert other.returncode == 2 and "--base http://127.0.0.1:5077" in other.stderr and "--fresh" in other.stderr
    assert read_build_info(state_dir_of(store))["build_id"] == info["build_id"]  # unchanged

    fresh = luzhi("--fresh", "--base", "http://127.0.0.1:5000", str(first), str(second))
    assert fresh.returncode == 0, fresh.stderr
    # Same documents, another base: another build id, so ETags and the dumps folder change with the IRIs.
    assert read_build_info(state_dir_of(store))["build_id"] != info["build_id"]
