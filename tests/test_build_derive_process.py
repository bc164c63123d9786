"""The shared, kinds and statistics graphs are computed in a process of their own beside the load
(etl/derive.py `start_derive`, issue 13): its failure must fail the build with a clear one-line error and
leave the store as it was, and the dumps it writes members of must stay those of the store."""

from __future__ import annotations

import gzip
import subprocess
import sys

import pyoxigraph as ox
from build_helpers import BASE, nquads, township_copies

from luzhi.etl.facts import facts_path
from luzhi.store.snapshots import state_dir_of


def _build(store, paths, codes):
    args = [f"--township-code={p.name}={codes[p.name]}" for p in paths]
    return subprocess.run([sys.executable, "-m", "luzhi.server.cli", "build", "--store", str(store), "--base", BASE,
                           "--jobs", "1", *args, *map(str, paths)], capture_output=True, text=True, timeout=600)


def test_a_failed_derive_process_fails_the_build_and_leaves_the_store_as_it_was(tmp_path):
    paths, codes = township_copies(tmp_path / "docs", 3)
    store = tmp_path / "store"
    assert _build(store, paths[:2], codes).returncode == 0
    before = nquads(store)
    # A kept township's facts, unreadable: only the derive (and search) processes read them in the next build.
    kept = facts_path(state_dir_of(store), codes[paths[0].name])
    kept.write_bytes(b"not zlib")
    failed = _build(store, paths[2:], codes)
    assert failed.returncode == 2
    # One line naming the cause, after the phase lines (no traceback).
    assert failed.stderr.strip().splitlines()[-1].startswith(
        "luzhi build: computing the shared, kinds and statistics graphs failed: "), failed.stderr
    assert "Traceback" not in failed.stderr
    assert nquads(store) == before


def test_the_dumps_hold_the_store_wide_graphs_as_the_store_orders_them(tmp_path):
    """The derive process serialises its graphs' dump members from a store of its own: each member must be
    byte for byte what serialising that graph from the build's store gives."""
    paths, codes = township_copies(tmp_path / "docs", 3)
    store = tmp_path / "store"
    assert _build(store, paths, codes).returncode == 0
    state = state_dir_of(store)
    built = ox.Store.read_only(str(state / "oxigraph"))
    store_wide = [g for g in built.named_graphs() if not g.value.rsplit("/", 1)[-1].isdigit()]
    assert len(store_wide) == 4  # the ontology, shared, kinds and statistics graphs
    tail = b"".join(ox.serialize(built.quads_for_pattern(None, None, None, g), format=ox.RdfFormat.N_QUADS)
                    for g in [ox.DefaultGraph(), *sorted(store_wide, key=lambda g: g.value)])
    (dump,) = (store / "dumps").glob("*/luzhi.nq.gz")
    assert gzip.decompress(dump.read_bytes()).endswith(tail)
